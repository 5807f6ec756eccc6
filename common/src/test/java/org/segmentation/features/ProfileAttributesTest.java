package org.segmentation.features;

import static org.apache.spark.sql.functions.col;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.segmentation.TestSpark.row;

import com.typesafe.config.ConfigFactory;
import java.math.BigDecimal;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.Test;
import org.segmentation.TestSpark;
import org.segmentation.clv.ClvScoring;
import org.segmentation.clustering.ClusterProfiles;
import org.segmentation.config.ClusteringSettings;
import org.segmentation.config.ClusteringSettings.Feature;
import org.segmentation.config.ClusteringSettings.Transform;
import org.segmentation.config.JobSettings;
import org.segmentation.config.SettingsLoader;
import org.segmentation.input.ColumnMapping;
import org.segmentation.input.InputValidation;
import org.segmentation.input.ValidatedInput;
import org.segmentation.run.ConfigurationException;
import org.segmentation.schema.CanonicalColumn;
import org.segmentation.schema.Columns;

/**
 * User-declared attributes (inputs.profiles.attributes, inputs.purchases.attributes + features.line-shares): read from
 * the configuration, mapped and validated row by row, carried as customer features under their own names, usable in
 * rule segments and cluster profiles.
 */
class ProfileAttributesTest {
  static final LocalDate RUN_DATE = LocalDate.of(2026, 6, 30);

  /** A telecom-style profile export: every column a string, as a CSV reader gives them. */
  static final StructType TELECOM = new StructType()
      .add("customerID", DataTypes.StringType)
      .add("Contract", DataTypes.StringType)
      .add("tenure", DataTypes.StringType)
      .add("MonthlyCharges", DataTypes.StringType)
      .add("Churn", DataTypes.StringType)
      .add("Since", DataTypes.StringType)
      .add("InternetService", DataTypes.StringType)
      .add("StreamingTV", DataTypes.StringType);

  static final String CONFIG = """
      segments {
        inputs.purchases {
          format = csv, path = "unused"
          attributes { payment { expr = "PaymentMethod", type = "string" } }
        }
        inputs.profiles {
          format = csv, path = "unused"
          columns { customer_id = "customerID" }
          attributes {
            contract       { expr = "Contract", type = "string" }
            tenure_months  { expr = "tenure", type = "int" }
            monthly_charge { expr = "MonthlyCharges", type = "decimal" }
            churned        { expr = "Churn = 'Yes'", type = "boolean" }
            since          { expr = "Since", type = "date" }
            services       { expr = "array(InternetService, StreamingTV)", type = "array<string>" }
          }
        }
        features.line-shares { payment = ["Card", "Bank transfer"] }
        rule-segments { long_contract = "contract = 'Two year' and tenure_months >= 24" }
      }
      """;

  static JobSettings settings(String hocon) {
    return JobSettings.read(SettingsLoader.layer(ConfigFactory.parseString(hocon), Map.of()));
  }

  @Test
  void attributesAreReadWithTheirTypesAndDefaultExpression() {
    JobSettings settings = settings(CONFIG + "segments.inputs.profiles.attributes.tier.type = string\n");
    Map<String, String> declared = new TreeMap<>();
    settings.profiles().attributes().forEach(a -> declared.put(a.name(), a.type().simpleString() + " " + a.expression()));
    assertEquals(Map.of(
        "churned", "boolean Churn = 'Yes'",
        "contract", "string Contract",
        "monthly_charge", "decimal(20,4) MonthlyCharges",
        "services", "array<string> array(InternetService, StreamingTV)",
        "since", "date Since",
        "tenure_months", "int tenure",
        "tier", "string `tier`"), declared);
    assertEquals(List.of("payment_card_share", "payment_bank_transfer_share"), settings.features().shares().stream()
        .filter(s -> s.column().equals("payment")).map(s -> s.feature()).toList());
  }

  @Test
  void badDeclarationsAreReportedWithTheirKeys() {
    ConfigurationException e = assertThrows(ConfigurationException.class, () -> settings(CONFIG + """
        segments.inputs.profiles.attributes {
          Plan { type = string }
          age { type = int }
          household { type = "integer" }
          extra { type = string, expr = "x", lookup = "y" }
        }
        segments.features.line-shares { device = ["phone"], payment = ["card", "CARD"] }
        """));
    String message = e.getMessage();
    String prefix = "segments.inputs.profiles.attributes.";
    assertTrue(message.contains(prefix + "Plan: an attribute name becomes a column name"), message);
    assertTrue(message.contains(prefix + "age: is a canonical column: map it under columns instead"), message);
    assertTrue(message.contains(prefix + "household.type: must be one of [array<string>, boolean, date, decimal, "
        + "double, int, long, string, timestamp] or decimal(precision, scale), got \"integer\""), message);
    assertTrue(message.contains(prefix + "extra.lookup: unknown key"), message);
    assertTrue(message.contains("segments.features.line-shares.device: not a purchases column"), message);
    assertTrue(message.contains("segments.features.line-shares.payment: two values give the same feature column "
        + "payment_card_share"), message);
  }

  /**
   * t1: a complete row; t2: tenure "n/a" (unparseable_tenure_months, the original row kept), t3: charge "abc" and a
   * date not in ISO form (two reasons; a to_date(...) expression would give NULL instead, a missing value), t4: blank
   * optional values (missing, not errors).
   */
  @Test
  void attributesAreMappedAndValidatedRowByRow() {
    JobSettings settings = settings(CONFIG);
    Dataset<Row> raw = TestSpark.rows(TELECOM,
        row("t1", "Two year", "30", "89.10", "No", "2024-01-31", "Fiber optic", "Yes"),
        row("t2", "Month-to-month", "n/a", "20.00", "Yes", "2025-02-01", "DSL", "No"),
        row("t3", "One year", "12", "abc", "No", "31/01/2024", "DSL", "No"),
        row("t4", "Month-to-month", "", "", "", "", null, null));
    ValidatedInput profiles = new ValidatedInput("profiles", settings.profiles().schema(),
        InputValidation.profiles(settings.quality(), settings.profiles().schema())
            .apply(new ColumnMapping(settings.profiles(), settings.profiles().schema()).apply(raw)));

    Map<String, String> reasons = new TreeMap<>();
    for (Row r : profiles.quarantined(RUN_DATE, "run").collectAsList()) {
      String source = r.getAs("source_row");
      reasons.put(source.replaceAll(".*\"customerID\":\"(t\\d)\".*", "$1"), r.getList(3) + " " + source);
    }
    assertEquals(List.of("t2", "t3"), List.copyOf(reasons.keySet()));
    assertTrue(reasons.get("t2").startsWith("[unparseable_tenure_months] "), reasons.get("t2"));
    assertTrue(reasons.get("t2").contains("\"tenure\":\"n/a\""), "the original value is kept: " + reasons.get("t2"));
    assertTrue(reasons.get("t3").startsWith("[unparseable_monthly_charge, unparseable_since] "), reasons.get("t3"));

    Map<String, Row> accepted = new TreeMap<>();
    profiles.accepted().collectAsList().forEach(r -> accepted.put(r.getAs("customer_id"), r));
    Row t1 = accepted.get("t1");
    assertEquals(30, (int) t1.getAs("tenure_months"));
    assertEquals(new BigDecimal("89.1000"), t1.getAs("monthly_charge"));
    assertEquals(false, t1.getAs("churned"));
    assertEquals(java.sql.Date.valueOf("2024-01-31"), t1.getAs("since"));
    assertEquals(List.of("Fiber optic", "Yes"), t1.getList(t1.fieldIndex("services")));
    assertEquals("Two year", t1.getAs("contract"));
    Row t4 = accepted.get("t4");
    assertTrue(t4.isNullAt(t4.fieldIndex("tenure_months")) && t4.isNullAt(t4.fieldIndex("monthly_charge")));
  }

  /**
   * Profile attributes become features of their own name and type; a rule segment reads them; a purchase attribute
   * becomes line shares: c1 pays 2 of 3 lines by "Card" and 1 by "Bank transfer", c2 its one line in cash.
   */
  @Test
  void attributesAreFeaturesForRulesAndLineShares() {
    JobSettings settings = settings(CONFIG);
    StructType purchasesSchema = CanonicalColumn.schemaOf(settings.purchases().schema());
    Dataset<Row> purchases = TestSpark.rows(purchasesSchema,
        purchase("c1", "O1", "10.00", "Card"), purchase("c1", "O1", "5.00", "Bank transfer"),
        purchase("c1", "O2", "20.00", "Card"), purchase("c2", "O3", "7.00", "Cash"));
    StructType profilesSchema = CanonicalColumn.schemaOf(settings.profiles().schema());
    Dataset<Row> profiles = TestSpark.get().createDataFrame(List.of(
        profile(profilesSchema, "c1", "Two year", 30), profile(profilesSchema, "c2", "Two year", 12)),
        profilesSchema);

    Dataset<Row> features = CustomerFeatures.of(settings, RUN_DATE).apply(purchases, profiles);
    assertEquals("int", features.schema().apply("tenure_months").dataType().simpleString());
    assertEquals("array<string>", features.schema().apply("services").dataType().simpleString());
    Map<String, String> byCustomer = new TreeMap<>();
    for (Row r : new RuleSegments(settings.ruleSegments()).apply(features)
        .select(col("customer_id"), col("contract"), col("payment_card_share"), col("payment_bank_transfer_share"),
            col(Columns.RULE_SEGMENTS)).collectAsList()) {
      byCustomer.put(r.getString(0), r.getString(1) + " " + r.getDouble(2) + " " + r.getDouble(3) + " "
          + r.getList(4));
    }
    assertEquals(Map.of(
        "c1", "Two year " + 2.0 / 3 + " " + 1.0 / 3 + " [long_contract]",
        "c2", "Two year 0.0 0.0 []"), byCustomer);
  }

  @Test
  void anAttributeNamedLikeAFeatureIsRefusedBeforeAnyDataIsRead() {
    JobSettings settings = settings(CONFIG + "segments.inputs.profiles.attributes.frequency.type = int\n");
    ConfigurationException e = assertThrows(ConfigurationException.class,
        () -> CustomerFeatures.of(settings, RUN_DATE).emptyPlan(TestSpark.get(), settings));
    assertTrue(e.getMessage().contains("segments.inputs.profiles.attributes.frequency: the customer features already "
        + "have a column \"frequency\""), e.getMessage());
  }

  /**
   * Planted: cluster 0 is 10 customers on month-to-month contracts paying 20 a month, cluster 1 is 10 on two-year
   * contracts paying 100 (one of them month-to-month). Base: 11 of 20 month-to-month (p = 0.55), 9 two-year; charge
   * mean 60, population sd 40. Cluster 0: charge z = (20 - 60) / 40 = -1; month-to-month share 1.0, z = (1 - 0.55) /
   * sqrt(0.55 x 0.45). Cluster 1: z = +1; two-year share 0.9 vs 0.45, z = (0.9 - 0.45) / sqrt(0.45 x 0.55).
   */
  @Test
  void clusterProfilesDescribeAndNameClustersByAttributes() {
    StructType schema = new StructType()
        .add(Columns.CLUSTER_ID, DataTypes.IntegerType)
        .add(Columns.RECENCY_DAYS, DataTypes.IntegerType)
        .add(Columns.FREQUENCY, DataTypes.LongType)
        .add(Columns.MONETARY, DataTypes.DoubleType)
        .add("monthly_charge", Columns.MONEY)
        .add("contract", DataTypes.StringType);
    List<Row> rows = new ArrayList<>();
    for (int i = 0; i < 10; i++) {
      rows.add(row(0, 10, 2L, 50.0, new BigDecimal("20.0000"), "Month-to-month"));
      rows.add(row(1, 10, 2L, 50.0, new BigDecimal("100.0000"), i == 0 ? "Month-to-month" : "Two year"));
    }
    ClusteringSettings settings = new ClusteringSettings(true, ClusteringSettings.Algorithm.KMEANS, 2, 2, 2, 1000,
        1000, 1L, 10, 1, 0, List.of(new Feature("monthly_charge", Transform.STANDARDIZE, false),
        new Feature("contract", Transform.ONE_HOT, false)), Map.of());
    ClusterProfiles.Profiles profiles = new ClusterProfiles(settings, RUN_DATE)
        .profile(TestSpark.get(), ClvScoring.unscored(TestSpark.get().createDataFrame(rows, schema)), Map.of(2, 0.5));

    List<Row> profileRows = profiles.rows().orderBy(Columns.CLUSTER_ID).collectAsList();
    Map<String, Double> z0 = profileRows.get(0).getJavaMap(profileRows.get(0).fieldIndex("z_score"));
    Map<String, Double> z1 = profileRows.get(1).getJavaMap(profileRows.get(1).fieldIndex("z_score"));
    assertEquals(-1.0, z0.get("monthly_charge"), 1e-9);
    assertEquals(1.0, z1.get("monthly_charge"), 1e-9);
    assertEquals(0.45 / Math.sqrt(0.55 * 0.45), z0.get("contract=Month-to-month"), 1e-9);
    assertEquals(0.45 / Math.sqrt(0.45 * 0.55), z1.get("contract=Two year"), 1e-9);
    Map<String, Double> mean1 = profileRows.get(1).getJavaMap(profileRows.get(1).fieldIndex("mean"));
    assertEquals(100.0, mean1.get("monthly_charge"), 1e-9);
    Map<String, String> top1 = profileRows.get(1).getJavaMap(profileRows.get(1).fieldIndex("top_values"));
    assertEquals("Two year", top1.get("contract"));
    // the charge (|z| = 1) before the contract (0.90); a value names a cluster where it is more common than in the base
    assertEquals(Map.of(0, "Low monthly_charge · contract: Month-to-month",
        1, "High monthly_charge · contract: Two year"), profiles.names());
  }

  private static Row purchase(String customer, String order, String amount, String payment) {
    // customer_id, order_id, order_ts, amount, quantity, product_category, channel, product_id, product_name, payment
    return row(customer, order, TestSpark.ts("2026-06-01 10:00:00"), TestSpark.money(amount), 1L, null, null, null,
        null, payment);
  }

  private static Row profile(StructType schema, String customer, String contract, int tenure) {
    Object[] values = new Object[schema.size()];
    values[schema.fieldIndex("customer_id")] = customer;
    values[schema.fieldIndex("contract")] = contract;
    values[schema.fieldIndex("tenure_months")] = tenure;
    return org.apache.spark.sql.RowFactory.create(values);
  }
}
