package org.segmentation.jobs;

import static org.apache.spark.sql.functions.col;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.math.BigDecimal;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;
import org.segmentation.TestSpark;

/**
 * conf/examples/online-retail.conf on its sample export (float ids, guest lines, a cancellation with a "C" invoice)
 * and the retailer's customer table with declared attributes. One lake: the first night, then the nights after it.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class OnlineRetailExampleTest {
  static final Path REPO = CdnowReferenceTest.REPO;
  static final Path SAMPLE = REPO.resolve("common/src/test/resources/online-retail");

  @TempDir
  static Path lake;

  /** The night of 2010-12-02 on the lake, run by the first test that needs it. */
  private static JobRunner firstNight;

  private static synchronized JobRunner firstNight() {
    if (firstNight == null) {
      firstNight = run("2010-12-02");
    }
    return firstNight;
  }

  private static JobRunner run(String runDate, String... more) {
    List<String> args = new ArrayList<>(List.of(
        "--config", REPO.resolve("conf/examples/online-retail.conf").toString(),
        "--run-date", runDate,
        "--set", "segments.lake.root=\"" + lake + "\"",
        "--set", "segments.inputs.purchases.path=\"" + SAMPLE.resolve("online_retail.csv") + "\"",
        "--set", "segments.inputs.profiles.path=\"" + SAMPLE.resolve("customers.csv") + "\"",
        "--set", "segments.spark.master=\"local[2]\"",
        "--set", "segments.report.enabled=false", // the report is ReportTest's
        "--set", "segments.spark.conf.\"spark.sql.shuffle.partitions\"=2"));
    args.addAll(List.of(more));
    return JobRunner.run(args.toArray(String[]::new));
  }

  private static Dataset<Row> customerSegments() {
    return TestSpark.get().read().format("delta").load(lake.resolve("customer_segments").toString());
  }

  /**
   * Run date 2010-12-02, every line on 12/1 (recency 1):
   * 17850.0: invoice 536365 (6 x 2.55 + 6 x 3.39 = 35.64) and 536366 (6 x 1.85 = 11.10): 2 orders, 46.74;
   * 13047.0: 536367 (32 x 1.69 = 54.08, shipped to France): 1 order, 54.08;
   * 14527.0: C536379 (-1 x 27.50, nets below zero: no purchase) and 536380 (24 x 1.45 = 34.80): 1 order, 7.30;
   * two lines without a CustomerID: skipped. Read 8 = accepted 6 + quarantined 0 + skipped 2.
   * Profiles (ids without ".0"): the three buyers and 12346, who bought nothing.
   */
  @Test
  @Order(1)
  void theExampleMapsFloatIdsSkipsGuestsNetsCancellationsAndCarriesAttributes() {
    JobRunner run = firstNight();
    assertEquals(0, run.status(), run.toString());
    assertTrue(run.lastLine().contains("purchases_read=8 purchases_accepted=6 purchases_quarantined=0 "
        + "purchases_skipped=2"), run.lastLine());
    assertTrue(run.out().contains("buyers_with_profile=3 buyers_without_profile=0 profiles_without_purchases=1"),
        run.out());

    Map<String, String> customers = new TreeMap<>();
    for (Row r : customerSegments().where(col("run_date").equalTo("2010-12-02")).select(col("customer_id"),
        col("frequency"), col("monetary"), col("recency_days"), col("rfm_segment"), col("rule_segments"),
        col("profile_attributes")).collectAsList()) {
      Row attributes = r.getStruct(6);
      customers.put(r.getString(0), (r.isNullAt(1) ? "-" : r.getLong(1) + " "
          + ((BigDecimal) r.get(2)).stripTrailingZeros().toPlainString() + " " + r.get(3))
          + (r.get(4).equals("No Purchases") ? " no-purchases" : "") + " " + r.getList(5) + " " + attributes);
    }
    // profile_attributes fields in name order: household_size, loyalty_tier, member_since, preferred_store
    assertEquals(Map.of(
        "17850", "2 46.74 1 [gold_family] [4,Gold,2009-03-14,Manchester]",
        "13047", "1 54.08 1 [ships_abroad] [2,Silver,2010-06-01,Online]",
        "14527", "1 7.3 1 [] [1,Bronze,2010-11-20,London]",
        "12346", "0 0 null no-purchases [] [3,Silver,2010-01-18,Online]"), customers);
    assertEquals("struct<household_size:int,loyalty_tier:string,member_since:date,preferred_store:string>",
        customerSegments().schema().apply("profile_attributes").dataType().simpleString());
  }

  /**
   * The attributes change between nights: a new field is added to the stored struct (older rows read NULL), a dropped
   * one stays (NULL from then on); a changed type stops the run with exit 2 before anything is published. After the
   * night of 2010-12-02.
   */
  @Test
  @Order(2)
  void profileAttributesEvolveAdditivelyAndATypeChangeIsRefused() {
    assertEquals(0, firstNight().status());
    JobRunner second = run("2010-12-03",
        "--set", "segments.inputs.profiles.attributes.newsletter={ expr = \"Newsletter\", type = \"string\" }",
        "--set", "segments.inputs.profiles.attributes.preferred_store=null");
    assertEquals(0, second.status(), second.toString());
    Map<String, String> byDate = new TreeMap<>();
    for (Row r : customerSegments().where(col("customer_id").equalTo("17850"))
        .select(col("run_date").cast("string"), col("profile_attributes")).collectAsList()) {
      byDate.put(r.getString(0), r.getStruct(1).toString());
    }
    // household_size, loyalty_tier, member_since, preferred_store, newsletter (added after the stored fields)
    assertEquals(Map.of(
        "2010-12-02", "[4,Gold,2009-03-14,Manchester,null]",
        "2010-12-03", "[4,Gold,2009-03-14,null,Y]"), byDate);

    JobRunner third = run("2010-12-04",
        "--set", "segments.inputs.profiles.attributes.household_size.type=string");
    assertEquals(2, third.status(), third.toString());
    assertTrue(third.err().contains("profile_attributes.household_size is stored as int and now declared string"),
        third.err());
    assertEquals(0, customerSegments().where(col("run_date").equalTo("2010-12-04")).count());
  }
}
