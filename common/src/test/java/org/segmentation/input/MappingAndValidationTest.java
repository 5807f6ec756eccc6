package org.segmentation.input;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.segmentation.TestSpark.row;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.Test;
import org.segmentation.TestSpark;
import org.segmentation.config.QualitySettings;
import org.segmentation.config.SourceFormat;
import org.segmentation.config.SourceSettings;
import org.segmentation.run.ConfigurationException;
import org.segmentation.schema.Columns;

class MappingAndValidationTest {
  /** An "online retail" export: its own column names, amounts as quantity x unit price, US dates as text. */
  static final StructType RETAIL = new StructType()
      .add("InvoiceNo", DataTypes.StringType)
      .add("CustomerID", DataTypes.StringType)
      .add("InvoiceDate", DataTypes.StringType)
      .add("Quantity", DataTypes.StringType)
      .add("UnitPrice", DataTypes.StringType);

  static final Map<String, String> RETAIL_MAPPING = Map.of(
      "customer_id", "CustomerID",
      "order_id", "InvoiceNo",
      "order_ts", "to_timestamp(InvoiceDate, 'M/d/yyyy H:mm')",
      "amount", "Quantity * UnitPrice",
      "quantity", "Quantity");

  static SourceSettings source(Map<String, String> columns) {
    return new SourceSettings("purchases", true, SourceFormat.CSV, "unused", Map.of(), columns);
  }

  static final QualitySettings QUALITY = new QualitySettings(0.05, 10_000, 0, 120, 48,
      QualitySettings.Handling.KEEP, QualitySettings.Handling.KEEP, 0.01, QualitySettings.GuestHandling.QUARANTINE);
  static final java.time.Instant STARTED = java.time.Instant.parse("2010-12-02T06:00:00Z");

  @Test
  void purchasesOfCustomersWithoutAProfileAreQuarantinedWithTheirRow() {
    Dataset<Row> raw = TestSpark.rows(RETAIL,
        row("536365", "17850", "12/1/2010 8:26", "6", "2.55"),       // has a profile: kept
        row("536370", "13047", "12/1/2010 8:40", "1", "4.00"),       // no profile
        row("536371", "13047", "12/1/2010 8:41", "1", "99999"));     // no profile and amount beyond 10,000
    ValidatedInput validated = new ValidatedInput("purchases", Columns.PURCHASES, InputValidation.purchases(QUALITY,
        STARTED, Columns.PURCHASES).apply(new ColumnMapping(source(RETAIL_MAPPING), Columns.PURCHASES).apply(raw)));
    Dataset<Row> profileIds = TestSpark.rows(new StructType().add("customer_id", DataTypes.StringType), row("17850"));
    // also on an input that no longer carries every canonical column (the job drops quantity before caching)
    for (ValidatedInput input : List.of(validated, validated.without(Columns.QUANTITY))) {
      ValidatedInput checked = InputValidation.quarantineCustomersWithoutProfile(input, profileIds);
      Map<String, String> byOrder = new HashMap<>();
      for (Row r : checked.quarantined(java.time.LocalDate.of(2010, 12, 1), "run").collectAsList()) {
        String sourceRow = r.getAs("source_row");
        byOrder.put(sourceRow.replaceAll(".*\"(?:InvoiceNo|order_id)\":\"(\\d+)\".*", "$1"),
            r.getList(3) + (sourceRow.contains("InvoiceNo") ? " original" : " mapped"));
      }
      assertEquals(Map.of(
          "536370", "[customer_without_profile] mapped",
          "536371", "[amount_out_of_range, customer_without_profile] original"), byOrder);
      ValidatedInput.Counts counts = checked.countRows();
      assertEquals(List.of(3L, 1L, 2L), List.of(counts.read(), counts.accepted(), counts.quarantined()));
    }
  }

  @Test
  void mapsUserColumnsAndQuarantinesBadRowsWithReasons() {
    Dataset<Row> raw = TestSpark.rows(RETAIL,
        row("536365", "17850", "12/1/2010 8:26", "6", "2.55"),       // good: 15.30
        row("536366", "", "12/1/2010 8:28", "2", "1.85"),            // missing customer
        row("536367", "13047", "13/45/2010 8:34", "3", "1.00"),      // bad date -> missing_order_ts
        row("536368", "13047", "12/1/2010 8:34", "three", "1.00"),   // text quantity -> amount missing + quantity
        row("536369", "13047", "12/1/2010 8:35", "1", "99999"));     // amount beyond 10,000
    Dataset<Row> validated = InputValidation.purchases(QUALITY, STARTED, Columns.PURCHASES)
        .apply(new ColumnMapping(source(RETAIL_MAPPING), Columns.PURCHASES).apply(raw));
    ValidatedInput input = new ValidatedInput("purchases", Columns.PURCHASES, validated);

    Row good = input.accepted().collectAsList().get(0);
    assertEquals(1, input.accepted().count());
    assertEquals("17850", good.getAs("customer_id"));
    assertEquals(new java.math.BigDecimal("15.3000"), good.getAs("amount"));
    assertEquals(java.sql.Timestamp.valueOf("2010-12-01 08:26:00"), good.getAs("order_ts"));

    Map<String, List<String>> reasons = new HashMap<>();
    for (Row r : input.quarantined(java.time.LocalDate.of(2010, 12, 2), "run-1").collectAsList()) {
      String sourceRow = r.getAs("source_row");
      reasons.put(sourceRow.replaceAll(".*\"InvoiceNo\":\"(\\d+)\".*", "$1"), r.getList(3));
    }
    assertEquals(List.of("missing_customer_id"), reasons.get("536366"));
    assertEquals(List.of("missing_order_ts"), reasons.get("536367"));
    assertEquals(List.of("missing_amount", "unparseable_quantity"), reasons.get("536368"));
    assertEquals(List.of("amount_out_of_range"), reasons.get("536369"));

    ValidatedInput.Counts counts = input.countRows();
    assertEquals(5, counts.read());
    assertEquals(counts.read(), counts.accepted() + counts.quarantined());
    assertEquals(4, counts.quarantined());
  }

  /**
   * With duplicate-lines = quarantine, the first of identical lines is kept and each repeat is quarantined as
   * duplicate_line (another order with the same values is not a repeat); a purchase stamped exactly at the job's start
   * plus max-future-hours (48) is kept, one minute later it is order_ts_in_future.
   */
  @Test
  void repeatedLinesAndTheFutureBoundary() {
    QualitySettings quarantineRepeats = new QualitySettings(0.05, 10_000, 0, 120, 48,
        QualitySettings.Handling.QUARANTINE, QualitySettings.Handling.KEEP, 0.01,
        QualitySettings.GuestHandling.QUARANTINE);
    Dataset<Row> raw = TestSpark.rows(RETAIL,
        row("1", "17850", "12/1/2010 8:26", "6", "2.55"),    // kept
        row("1", "17850", "12/1/2010 8:26", "6", "2.55"),    // repeat: duplicate_line
        row("1", "17850", "12/1/2010 8:26", "6", "2.55"),    // repeat: duplicate_line
        row("2", "17850", "12/1/2010 8:26", "6", "2.55"),    // another order, same values: kept
        row("3", "17850", "12/4/2010 6:00", "1", "1.00"),    // 2010-12-02 06:00 UTC + 48 h exactly: kept
        row("4", "17850", "12/4/2010 6:01", "1", "1.00"));   // a minute later: order_ts_in_future
    ValidatedInput input = new ValidatedInput("purchases", Columns.PURCHASES,
        InputValidation.purchases(quarantineRepeats, STARTED, Columns.PURCHASES)
            .apply(new ColumnMapping(source(RETAIL_MAPPING), Columns.PURCHASES).apply(raw)));
    List<String> reasons = new ArrayList<>();
    for (Row r : input.quarantined(java.time.LocalDate.of(2010, 12, 1), "run").collectAsList()) {
      reasons.add(r.<String>getAs("source_row").replaceAll(".*\"InvoiceNo\":\"(\\d+)\".*", "$1") + " "
          + r.getList(3));
    }
    java.util.Collections.sort(reasons);
    assertEquals(List.of("1 [duplicate_line]", "1 [duplicate_line]", "4 [order_ts_in_future]"), reasons);
    assertEquals(List.of("1", "2", "3"), input.accepted().select("order_id").orderBy("order_id")
        .as(org.apache.spark.sql.Encoders.STRING()).collectAsList());
  }

  @Test
  void reportsEveryMappingProblemBeforeReadingData() {
    Map<String, String> broken = new HashMap<>(RETAIL_MAPPING);
    broken.put("order_ts", "to_timestamp(InvoiceDat)");       // unknown column
    broken.put("amount", "Quantity * * UnitPrice");            // syntax error
    broken.remove("order_id");                                  // required, not in the input
    broken.put("colour", "'red'");                              // not a canonical column
    ConfigurationException e = assertThrows(ConfigurationException.class,
        () -> new ColumnMapping(source(broken), Columns.PURCHASES).apply(TestSpark.rows(RETAIL)));
    String message = e.getMessage();
    assertTrue(message.contains("segments.inputs.purchases.columns.order_ts = \"to_timestamp(InvoiceDat)\""),
        message);
    assertTrue(message.contains("segments.inputs.purchases.columns.amount"), message);
    assertTrue(message.contains("segments.inputs.purchases.columns.order_id: required column is missing"), message);
    assertTrue(message.contains("segments.inputs.purchases.columns.colour: not a canonical purchases column"),
        message);
    assertEquals(4, e.problems().size(), message);
  }

  @Test
  void keepsTheLatestProfileAndQuarantinesTheOthers() {
    StructType profiles = new StructType()
        .add("customer_id", DataTypes.StringType)
        .add("signup_ts", DataTypes.StringType)
        .add("age", DataTypes.StringType);
    Dataset<Row> raw = TestSpark.rows(profiles,
        row("a", "2024-01-01 00:00:00", "30"),
        row("a", "2025-01-01 00:00:00", "31"),   // latest: kept
        row("b", "2025-01-01 00:00:00", "200"),  // out of range
        row("b", "2024-01-01 00:00:00", "40"),   // the only valid profile of b: kept
        row("c", null, "abc"));                   // unparseable age
    SourceSettings source = new SourceSettings("profiles", true, SourceFormat.CSV, "unused", Map.of(), Map.of());
    ValidatedInput input = new ValidatedInput("profiles", Columns.PROFILES, InputValidation.profiles(QUALITY, Columns.PROFILES)
        .apply(new ColumnMapping(source, Columns.PROFILES).apply(raw)));
    Map<String, Integer> kept = new HashMap<>();
    for (Row r : input.accepted().collectAsList()) {
      kept.put(r.getAs("customer_id"), r.getAs("age"));
    }
    assertEquals(Map.of("a", 31, "b", 40), kept);
    Map<String, List<String>> reasons = new HashMap<>();
    for (Row r : input.quarantined(java.time.LocalDate.of(2026, 1, 1), "run").collectAsList()) {
      reasons.put(r.<String>getAs("source_row"), r.getList(3));
    }
    assertEquals(3, reasons.size());
    assertTrue(reasons.values().contains(List.of("duplicate_profile")), reasons.toString());
    assertTrue(reasons.values().contains(List.of("age_out_of_range")), reasons.toString());
    assertTrue(reasons.values().contains(List.of("unparseable_age")), reasons.toString());
  }

  /**
   * " 17850" (a padded export), "17850 " and "17850" are one customer, in purchases and profiles alike; an id of
   * blanks is missing. Order ids are trimmed too: " 536365" and "536365" are one order.
   */
  @Test
  void idsAreTrimmedAndABlankIdIsMissing() {
    Dataset<Row> raw = TestSpark.rows(RETAIL,
        row("536365", " 17850", "12/1/2010 8:26", "6", "2.55"),
        row(" 536365", "17850 ", "12/1/2010 8:26", "1", "1.00"),
        row("536366", "   ", "12/1/2010 8:28", "6", "1.85"));
    ValidatedInput purchases = new ValidatedInput("purchases", Columns.PURCHASES, InputValidation.purchases(QUALITY,
        STARTED, Columns.PURCHASES).apply(new ColumnMapping(source(RETAIL_MAPPING), Columns.PURCHASES).apply(raw)));
    List<Row> accepted = purchases.accepted().select("customer_id", "order_id").distinct().collectAsList();
    assertEquals(List.of(row("17850", "536365")), accepted);
    List<Row> quarantined = purchases.quarantined(java.time.LocalDate.of(2010, 12, 1), "run").collectAsList();
    assertEquals(1, quarantined.size());
    assertEquals(List.of("missing_customer_id"), quarantined.get(0).getList(3));

    SourceSettings profileSource = new SourceSettings("profiles", true, SourceFormat.CSV, "unused", Map.of(),
        Map.of());
    Dataset<Row> profiles = new ColumnMapping(profileSource, Columns.PROFILES).apply(TestSpark.rows(
        new StructType().add("customer_id", DataTypes.StringType), row("  17850  ")));
    assertEquals("17850", profiles.first().getAs("customer_id"));
  }

  /**
   * With purchases-without-customer = skip, guest lines (no customer id, or only blanks) are skipped, not quarantined:
   * 2 good lines, 2 guests, 1 amount beyond 10,000: read 5 = accepted 2 + quarantined 1 + skipped 2, and the gate's
   * share is 1 of the 3 lines not skipped.
   */
  @Test
  void guestLinesAreSkippedAndCountedApart() {
    QualitySettings skipGuests = new QualitySettings(0.05, 10_000, 0, 120, 48, QualitySettings.Handling.KEEP,
        QualitySettings.Handling.KEEP, 0.01, QualitySettings.GuestHandling.SKIP);
    InputValidation validation = InputValidation.purchases(skipGuests, STARTED, Columns.PURCHASES);
    Dataset<Row> raw = TestSpark.rows(RETAIL,
        row("536365", "17850", "12/1/2010 8:26", "6", "2.55"),
        row("536366", "17850", "12/1/2010 8:28", "6", "1.85"),
        row("536367", null, "12/1/2010 8:34", "1", "4.00"),
        row("536368", "  ", "12/1/2010 8:40", "1", "4.00"),
        row("536369", "13047", "12/1/2010 8:41", "1", "99999"));
    ValidatedInput input = new ValidatedInput("purchases", Columns.PURCHASES,
        validation.apply(new ColumnMapping(source(RETAIL_MAPPING), Columns.PURCHASES).apply(raw)),
        validation.skippedWhen());

    assertEquals(new ValidatedInput.Counts("purchases", 5, 2, 1, 2), input.countRows());
    assertEquals(1.0 / 3, input.countRows().quarantinedShare(), 1e-12);
    assertEquals(2, input.accepted().count());
    List<Row> quarantined = input.quarantined(java.time.LocalDate.of(2010, 12, 1), "run").collectAsList();
    assertEquals(1, quarantined.size());
    assertEquals(List.of("amount_out_of_range"), quarantined.get(0).getList(3));
  }
}
