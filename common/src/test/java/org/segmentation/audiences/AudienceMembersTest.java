package org.segmentation.audiences;

import static org.apache.spark.sql.functions.col;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.sql.Date;
import java.time.LocalDate;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.Test;
import org.segmentation.TestSpark;
import org.segmentation.config.AudienceSettings;
import org.segmentation.config.AudienceSettings.Audience;
import org.segmentation.config.AudienceSettings.Destination;
import org.segmentation.config.AudienceSettings.Format;
import org.segmentation.config.AudienceSettings.OrderTerm;
import org.segmentation.run.ConfigurationException;

/**
 * A hand-made night: five customers, a limit with a tie, three destinations with their own consent and identifiers,
 * and a previous night with two members. Every expected value below is worked out by hand in the comments.
 */
class AudienceMembersTest {
  static final LocalDate NIGHT = LocalDate.of(2026, 11, 21);

  static final AudienceSettings SETTINGS = new AudienceSettings("", "salt", "US",
      Map.of("mail", new Destination("mail", Format.CSV, "marketing_consent", true),
          "ads", new Destination("ads", Format.CSV, "marketing_consent", false),
          "sms", new Destination("sms", Format.CSV, "sms_ok", true)),
      Map.of("big", new Audience("big", "monetary >= 100", List.of(new OrderTerm("monetary", true)), 3,
          List.of("rfm_segment"), 0.0, "big", List.of("mail", "ads", "sms"))));

  static Dataset<Row> view() {
    StructType schema = new StructType().add("customer_id", DataTypes.StringType)
        .add("rfm_segment", DataTypes.StringType).add("monetary", DataTypes.DoubleType)
        .add("marketing_consent", DataTypes.BooleanType).add("sms_ok", DataTypes.BooleanType);
    return TestSpark.get().createDataFrame(List.of(
        RowFactory.create("C1", "Champions", 500.0, true, false),
        RowFactory.create("C2", "Loyal", 300.0, false, true),
        RowFactory.create("C3", "Loyal", 300.0, true, true),
        RowFactory.create("C4", "Loyal", 300.0, true, null), // the tie at 300 leaves out the last id: C4
        RowFactory.create("C5", "Lost", 50.0, true, true)), schema);
  }

  static Dataset<Row> contacts() {
    StructType schema = new StructType().add("customer_id", DataTypes.StringType).add("email", DataTypes.StringType)
        .add("first_name", DataTypes.StringType).add("last_name", DataTypes.StringType)
        .add("phone_e164", DataTypes.StringType);
    return TestSpark.get().createDataFrame(List.of(
        RowFactory.create("C1", "c1@x.org", "Ann", "A", null),
        RowFactory.create("C2", "c2@x.org", "Bo", "B", null),
        RowFactory.create("C3", null, "Cy", "C", "+447911123456"), // no e-mail: only a hashed destination
        RowFactory.create("C4", "c4@x.org", "Di", "D", null)), schema);
  }

  static Dataset<Row> previous() {
    StructType schema = new StructType().add("audience", DataTypes.StringType)
        .add("customer_id", DataTypes.StringType).add("arm", DataTypes.StringType)
        .add("joined_on", DataTypes.DateType)
        .add("reason_fields", DataTypes.createMapType(DataTypes.StringType, DataTypes.StringType))
        .add("destinations", DataTypes.createArrayType(DataTypes.StringType));
    return TestSpark.get().createDataFrame(List.of(
        RowFactory.create("big", "C1", "treatment", Date.valueOf("2026-11-10"), Map.of(),
            List.of("mail", "ads").toArray()),
        RowFactory.create("big", "C4", "treatment", Date.valueOf("2026-11-01"), Map.of(),
            List.of("mail").toArray())), schema);
  }

  static Dataset<Row> rows() {
    return new AudienceMembers(SETTINGS, NIGHT).apply(view(), contacts(), previous());
  }

  @Test
  void membersArmsDestinationsAndJoinDates() {
    Map<String, Row> members = new TreeMap<>();
    rows().where(col(AudienceMembers.MEMBER)).collectAsList().forEach(r -> members.put(r.getAs("customer_id"), r));
    assertEquals(List.of("C1", "C2", "C3"), List.copyOf(members.keySet()), "top 3 by monetary, ties by id");
    // C1: consent and an e-mail: mail and ads; sms_ok false. C2: no marketing consent, sms consent: sms only.
    // C3: consent but no e-mail: only the hashed destination (phone); sms needs an e-mail.
    assertEquals(List.of("ads", "mail"), sorted(members.get("C1").getList(members.get("C1").fieldIndex("destinations"))));
    assertEquals(List.of("sms"), sorted(members.get("C2").getList(members.get("C2").fieldIndex("destinations"))));
    assertEquals(List.of("ads"), sorted(members.get("C3").getList(members.get("C3").fieldIndex("destinations"))));
    assertEquals(Date.valueOf("2026-11-10"), members.get("C1").getAs("joined_on"), "carried from the night before");
    assertEquals(Date.valueOf(NIGHT), members.get("C2").getAs("joined_on"));
    for (Row member : members.values()) {
      assertEquals("treatment", member.getAs("arm"), "a holdout share of 0");
    }
    Map<String, String> reasons = members.get("C1").getJavaMap(members.get("C1").fieldIndex("reason_fields"));
    assertEquals(new LinkedHashMap<>(Map.of("monetary", "500.0", "rfm_segment", "Champions")), new LinkedHashMap<>(
        reasons));
  }

  static List<String> sorted(List<Object> values) {
    return values.stream().map(Object::toString).sorted().toList();
  }

  @Test
  void changesAndEachFileAreDifferencesWithTheNightBefore() {
    Dataset<Row> rows = rows();
    Map<String, String> changes = new TreeMap<>();
    new AudienceChanges(NIGHT, LocalDate.of(2026, 11, 20)).apply(rows).collectAsList()
        .forEach(r -> changes.put(r.getAs("customer_id"), r.getAs("change")));
    assertEquals(Map.of("C2", "added", "C3", "added", "C4", "removed"), changes);

    Map<String, List<String>> files = new TreeMap<>();
    for (String destination : List.of("mail", "ads", "sms")) {
      BuildAudiences.fileFilters(destination).forEach((kind, filter) -> files.put(destination + "/" + kind,
          rows.where(filter).select("customer_id").collectAsList().stream().map(r -> r.getString(0)).sorted()
              .toList()));
    }
    // mail: C1 stays (no add), C4 left; ads: C3 joins, C1 stays; sms: C2 joins
    assertEquals(List.of("C1"), files.get("mail/members"));
    assertEquals(List.of(), files.get("mail/adds"));
    assertEquals(List.of("C4"), files.get("mail/removes"));
    assertEquals(List.of("C1", "C3"), files.get("ads/members"));
    assertEquals(List.of("C3"), files.get("ads/adds"));
    assertEquals(List.of(), files.get("ads/removes"));
    assertEquals(List.of("C2"), files.get("sms/adds"));
  }

  @Test
  void aBadAudienceIsReportedWithItsName() {
    AudienceSettings bad = new AudienceSettings("", "salt", "US",
        Map.of("sms", new Destination("sms", Format.CSV, "rfm_segment", true)),
        Map.of("odd", new Audience("odd", "no_such_column > 1", List.of(), 0, List.of("monetary * 2"), 0.1, "odd",
            List.of("sms"))));
    String message = assertThrows(ConfigurationException.class, () -> AudienceMembers.check(view(), bad))
        .getMessage();
    assertTrue(message.contains("segments.audiences.lists.odd.filter = \"no_such_column > 1\""), message);
    assertTrue(message.contains("segments.audiences.lists.odd.fields \"monetary * 2\": name the expression"), message);
    assertTrue(message.contains("segments.audiences.destinations.sms.consent-column: \"rfm_segment\" must be boolean"),
        message);
  }
}
