package org.segmentation.features;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.segmentation.TestSpark.row;
import static org.segmentation.TestSpark.money;
import static org.segmentation.TestSpark.ts;

import java.sql.Date;
import java.time.LocalDate;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.Test;
import org.segmentation.TestSpark;
import org.segmentation.rfm.RfmAggregationTest;
import org.segmentation.config.FeatureSettings;
import org.segmentation.config.RfmSettings;
import org.segmentation.schema.Columns;

/** Behaviour and profile features on a hand-computed fixture, and the one shuffle of the purchases they cost. */
class CustomerFeaturesTest {
  static final LocalDate RUN_DATE = LocalDate.of(2026, 6, 30);
  /** The RFM fixture's columns plus the optional ones that behaviour features read. */
  static final StructType PURCHASES = RfmAggregationTest.PURCHASES
      .add("quantity", DataTypes.LongType)
      .add("product_category", DataTypes.StringType)
      .add("channel", DataTypes.StringType);
  /** Accepted profiles have every canonical column. */
  static final StructType PROFILES = org.segmentation.schema.CanonicalColumn.schemaOf(Columns.PROFILES);

  /**
   * Run date 2026-06-30, channels web, app, store:
   * <pre>
   * c1: O1 06-01 10 books web + 5 music web; O2 06-20 20 books app
   *     frequency 2, aov 35/2 = 17.5, tenure 29, mean days between 19/1 = 19, categories 2 (books, music),
   *     return rate 0/3, web 2/3, app 1/3, store 0
   * c2: O3 05-01 50 home store; O4 06-25 30 home web; return R4 06-28 -30 home web
   *     frequency 2 (R4 nets -30), aov 50/2 = 25, tenure 60, mean days 55, categories 1, return rate 1/3,
   *     web 2/3, app 0, store 1/3
   * c3: O5 06-10 40, no category, channel phone (not listed); O9 07-02 99 books web, after the run date (ignored)
   *     frequency 1, aov 40, tenure 20, mean days NULL (one order), categories 0, return rate 0, all shares 0
   * c4: profile only: frequency 0, every purchase feature NULL
   * Profiles: c1 age 30; c2 born 1990-07-01, so 35 on 2026-06-30 (36 the next day); c3 none; c4 age 51.
   * </pre>
   */
  static Dataset<Row> purchases() {
    return TestSpark.rows(PURCHASES,
        row("c1", "O1", ts("2026-06-01 09:00:00"), money("10.00"), 1L, "books", "web"),
        row("c1", "O1", ts("2026-06-01 09:00:00"), money("5.00"), 1L, "music", "web"),
        row("c1", "O2", ts("2026-06-20 23:59:59"), money("20.00"), 2L, "books", "app"),
        row("c2", "O3", ts("2026-05-01 12:00:00"), money("50.00"), 1L, "home", "store"),
        row("c2", "O4", ts("2026-06-25 08:00:00"), money("30.00"), 1L, "home", "web"),
        row("c2", "R4", ts("2026-06-28 08:00:00"), money("-30.00"), -1L, "home", "web"),
        row("c3", "O5", ts("2026-06-10 10:00:00"), money("40.00"), 1L, null, "phone"),
        row("c3", "O9", ts("2026-07-02 10:00:00"), money("99.00"), 1L, "books", "web"));
  }

  static Dataset<Row> profiles() {
    return TestSpark.rows(PROFILES,
        profile("c1", null, 30, "Paris"),
        profile("c2", Date.valueOf("1990-07-01"), null, "Leeds"),
        profile("c4", null, 51, "Lyon"));
  }

  private static Row profile(String customerId, Date birthDate, Integer age, String city) {
    Object[] values = new Object[PROFILES.size()];
    values[PROFILES.fieldIndex("customer_id")] = customerId;
    values[PROFILES.fieldIndex("birth_date")] = birthDate;
    values[PROFILES.fieldIndex("age")] = age;
    values[PROFILES.fieldIndex("city")] = city;
    return row(values);
  }

  static CustomerFeatures stage() {
    return new CustomerFeatures(new FeatureSettings(List.of("web", "app", "store")),
        RfmAggregationTest.settings(0, RfmSettings.Monetary.TOTAL), RUN_DATE);
  }

  @Test
  void behaviourAndProfileFeaturesMatchTheHandComputedValues() {
    Dataset<Row> features = stage().apply(purchases(), profiles());
    Map<String, String> actual = new TreeMap<>();
    for (Row r : features.collectAsList()) {
      actual.put(r.getAs("customer_id"), String.join("|",
          String.valueOf(r.<Object>getAs("has_profile")), String.valueOf(r.<Object>getAs("frequency")),
          String.valueOf(r.<Object>getAs("average_order_value")), String.valueOf(r.<Object>getAs("tenure_days")),
          String.valueOf(r.<Object>getAs("mean_days_between_orders")),
          String.valueOf(r.<Object>getAs("distinct_categories")), rounded(r.getAs("return_rate")),
          rounded(r.getAs("channel_web_share")), rounded(r.getAs("channel_app_share")),
          rounded(r.getAs("channel_store_share")), String.valueOf(r.<Object>getAs("age")),
          String.valueOf(r.<Object>getAs("city"))));
    }
    assertEquals(Map.of(
        "c1", "true|2|17.5|29|19.0|2|0.000|0.667|0.333|0.000|30|Paris",
        "c2", "true|2|25.0|60|55.0|1|0.333|0.667|0.000|0.333|35|Leeds",
        "c3", "false|1|40.0|20|null|0|0.000|0.000|0.000|0.000|null|null",
        "c4", "true|0|null|null|null|null|null|null|null|null|51|Lyon"), actual);
  }

  @Test
  void withoutProfilesTheAttributeColumnsExistAndAreNull() {
    Dataset<Row> features = stage().apply(purchases(), null);
    assertEquals(3, features.count());
    assertEquals(0, features.where("age is not null or city is not null or has_profile").count());
  }

  @Test
  void shufflesThePurchaseLinesOnce() {
    String plan = TestSpark.plan(stage().apply(purchases(), profiles()));
    // The raw lines cross one exchange (by customer, before any aggregation). Every other exchange moves either
    // combined rows (its child is a partial aggregate: the distinct categories) or the profiles.
    List<String> lines = List.of(plan.split("\n"));
    int rawLineExchanges = 0;
    for (int i = 0; i < lines.size() - 1; i++) {
      if (!lines.get(i).contains("Exchange hashpartitioning")) {
        continue;
      }
      String child = lines.get(i + 1);
      if (lines.get(i).contains("REPARTITION_BY_COL")) {
        rawLineExchanges++;
      } else {
        assertTrue(child.contains("HashAggregate") || child.contains("LocalTableScan [__profile_id"),
            "an exchange of uncombined purchase lines:\n" + plan);
      }
    }
    assertEquals(1, rawLineExchanges, plan);
  }

  private static String rounded(Object value) {
    return value == null ? "null" : String.format(java.util.Locale.ROOT, "%.3f", ((Number) value).doubleValue());
  }

  static int occurrences(String text, String word) {
    return text.split(java.util.regex.Pattern.quote(word), -1).length - 1;
  }
}
