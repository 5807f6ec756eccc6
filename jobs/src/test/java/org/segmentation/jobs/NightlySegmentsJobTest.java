package org.segmentation.jobs;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.sum;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;
import org.segmentation.TestSpark;

/** The job's main, end to end, on generated data in a temporary lake: publish, rerun, next night, bad input. */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class NightlySegmentsJobTest {
  static final LocalDate END = LocalDate.of(2026, 11, 21);
  static final LocalDate FIRST_NIGHT = END.minusDays(7);
  static final LocalDate SECOND_NIGHT = END;

  @TempDir
  static Path dir;
  static Path config;

  @BeforeAll
  static void generateSampleAndConfig() throws Exception {
    config = SampleLake.create(dir, 1500, 12_000, 3, END, """
        lake.root = "%s"
        report.enabled = true
        rule-segments { big_spender = "monetary > 500", eco = "array_contains(interests, 'sustainability')" }
        clustering { k = 0, k-min = 3, k-max = 5, restarts = 2 }
        """.formatted(dir.resolve("lake")));
  }

  static Dataset<Row> table(String name) {
    return TestSpark.get().read().format("delta").load(dir.resolve("lake").resolve(name).toString());
  }

  static Dataset<Row> night(String table, LocalDate date) {
    return table(table).where(col("run_date").equalTo(lit(java.sql.Date.valueOf(date))));
  }

  /** Customers of a night, computed without the job: profile ids plus buyers with a purchase up to that day. */
  static long expectedCustomers(LocalDate date) {
    SparkSession spark = TestSpark.get();
    Dataset<Row> buyers = spark.read().parquet(dir.resolve("raw/purchases").toString())
        .where(col("order_ts").lt(lit(java.sql.Timestamp.valueOf(date.plusDays(1).atStartOfDay()))))
        .select("customer_id");
    Dataset<Row> profiles = spark.read().parquet(dir.resolve("raw/profiles").toString()).select("customer_id");
    return buyers.union(profiles).distinct().count();
  }

  @Test
  @Order(1)
  void publishesOneRowPerCustomerForTheRunDate() throws Exception {
    // the job reuses this JVM's session: a listener sees the job group of every Spark job of the run
    java.util.Set<String> jobGroups = java.util.concurrent.ConcurrentHashMap.newKeySet();
    TestSpark.get().sparkContext().addSparkListener(new org.apache.spark.scheduler.SparkListener() {
      @Override
      public void onJobStart(org.apache.spark.scheduler.SparkListenerJobStart job) {
        jobGroups.add(String.valueOf(job.properties().getProperty("spark.jobGroup.id")));
      }
    });
    JobRunner run = JobRunner.run("--config", config.toString(), "--run-date", FIRST_NIGHT.toString());
    assertEquals(0, run.status(), run.toString());
    assertTrue(run.lastLine().startsWith("result=published exit=0 run_date=" + FIRST_NIGHT), run.lastLine());
    assertTrue(run.out().contains("stage=features") && run.out().contains("stage=clustering"), run.out());
    // the night's HTML report, beside the tables (its contents are ReportTest's)
    assertTrue(run.out().lines().anyMatch(l -> l.startsWith("stage=write_report report=file:")
        && l.contains("/reports/" + FIRST_NIGHT + ".html")), run.out());
    // every Spark job ran under the group of the step that started it
    assertTrue(jobGroups.stream().allMatch(g -> g.startsWith("segments: ")), jobGroups.toString());
    assertTrue(jobGroups.containsAll(java.util.List.of("segments: load_validate",
        "segments: features", "segments: rfm_scoring", "segments: clustering", "segments: write_customer_segments",
        "segments: write_report", "segments: write_run_log")), jobGroups.toString());
    // the configuration checks evaluate over a driver-built table: no Spark job before the inputs are read
    assertFalse(jobGroups.contains("segments: check_rules"), jobGroups.toString());

    // the one-line JSON summary: every step with its seconds and task totals; loading read every input row
    String json = run.out().lines().filter(l -> l.startsWith("summary_json=")).findFirst().orElseThrow()
        .substring("summary_json=".length());
    com.fasterxml.jackson.databind.JsonNode summaryJson = new com.fasterxml.jackson.databind.ObjectMapper()
        .readTree(json);
    assertEquals("published", summaryJson.get("status").asText());
    Map<String, com.fasterxml.jackson.databind.JsonNode> stepsByName = new java.util.LinkedHashMap<>();
    summaryJson.get("steps").forEach(step -> stepsByName.put(step.get("step").asText(), step));
    assertEquals(List.of("check_rules", "repair_tables", "plan_night"),
        List.copyOf(stepsByName.keySet()).subList(0, 3));
    long profilesRead = TestSpark.get().read().parquet(dir.resolve("raw/profiles").toString()).count();
    // every input row once (reading each input once), plus a few records of metadata Spark reads along the way
    long recordsRead = stepsByName.get("load_validate").get("records_read").asLong();
    assertTrue(recordsRead >= 12_000 + profilesRead && recordsRead < 12_000 + profilesRead + 50, json);
    assertTrue(stepsByName.get("features").get("shuffle_write_bytes").asLong() > 0, json);
    Row logged = table("run_log").first();
    assertEquals("published", new com.fasterxml.jackson.databind.ObjectMapper()
        .readTree(logged.<String>getAs("summary_json")).get("status").asText());

    Dataset<Row> customers = night("customer_segments", FIRST_NIGHT);
    long expected = expectedCustomers(FIRST_NIGHT);
    assertEquals(expected, customers.count());
    assertEquals(expected, customers.select("customer_id").distinct().count());
    assertEquals(0, customers.where(col("rfm_segment").isNull()).count());
    // summary counts add up to the customers scored (and unscored: the no-purchase segment is a row too)
    Row summary = night("segment_summary", FIRST_NIGHT).agg(sum("customers"), sum("share_of_customers")).first();
    assertEquals(expected, summary.getLong(0));
    assertEquals(1.0, summary.getDouble(1), 1e-9);
    // segment_kpis: each breakdown's cells hold every customer once, the 'all' cell is the night's customers
    Dataset<Row> kpis = night("segment_kpis", FIRST_NIGHT);
    for (String breakdown : List.of("all", "rfm_segment", "cluster_name", "clv_tier")) {
      assertEquals(expected, kpis.where(col("breakdown").equalTo(breakdown)).agg(sum("customers")).first().getLong(0),
          breakdown);
    }
    assertEquals(customers.where(col("last_purchase_date").gt(org.apache.spark.sql.functions.lit(
        java.sql.Date.valueOf(FIRST_NIGHT.minusDays(30))))).count() / (double) expected,
        kpis.where(col("breakdown").equalTo("all")).first().<Double>getAs("conversion"), 1e-12);
    // clusters: every customer with a counted purchase has one, with a name; the profiles add up
    long active = customers.where(col("frequency").gt(0)).count();
    assertEquals(active, customers.where(col("cluster_id").isNotNull().and(col("cluster_name").isNotNull())
        .and(col("cluster_distance").isNotNull())).count());
    assertEquals(0, customers.where(col("frequency").equalTo(0).and(col("cluster_id").isNotNull())).count());
    Dataset<Row> profiles = night("cluster_profiles", FIRST_NIGHT);
    assertEquals(active, profiles.agg(sum("customers")).first().getLong(0));
    assertEquals(profiles.count(), customers.select("cluster_id").where(col("cluster_id").isNotNull()).distinct()
        .count());
    // rule segments hold exactly where their condition does
    assertEquals(0, customers.where(org.apache.spark.sql.functions.array_contains(col("rule_segments"), "big_spender")
        .notEqual(col("monetary").gt(500))).count());
    assertTrue(customers.where(org.apache.spark.sql.functions.array_contains(col("rule_segments"), "eco")).count()
        > 0);
    // the first night comes entirely from "new"
    Row transitions = night("segment_transitions", FIRST_NIGHT).agg(sum("customers")).first();
    assertEquals(expected, transitions.getLong(0));
    assertEquals(0, night("segment_transitions", FIRST_NIGHT).where(col("from_segment").notEqual("new")).count());
  }

  @Test
  @Order(2)
  void rerunningADateChangesNothing() {
    List<Row> before = night("customer_segments", FIRST_NIGHT).orderBy("customer_id").collectAsList();
    List<Row> summaryBefore = night("segment_summary", FIRST_NIGHT).orderBy("rfm_segment").collectAsList();
    JobRunner run = JobRunner.run("--config", config.toString(), "--run-date", FIRST_NIGHT.toString());
    assertEquals(0, run.status(), run.toString());
    assertEquals(before, night("customer_segments", FIRST_NIGHT).orderBy("customer_id").collectAsList());
    assertEquals(summaryBefore, night("segment_summary", FIRST_NIGHT).orderBy("rfm_segment").collectAsList());
    assertEquals(before.size(), table("customer_segments").count(), "no other date, no duplicate rows");
  }

  @Test
  @Order(3)
  void nextNightRecordsMovementBetweenSegments() {
    // Someone changes the published first night in place. The next night still reads the version run_log recorded,
    // and leaves the first night's rows (changed or not) exactly as they are.
    Map<String, String> recorded = new java.util.HashMap<>();
    for (Row r : FailureRecoveryTest.contractRowsOf(dir.resolve("lake"), "customer_segments", FIRST_NIGHT)
        .select("customer_id", "rfm_segment").collectAsList()) {
      recorded.put(r.getString(0), r.getString(1));
    }
    TestSpark.get().sql("UPDATE delta.`" + dir.resolve("lake/customer_segments") + "` SET rfm_segment = 'Tampered'"
        + " WHERE run_date = DATE'" + FIRST_NIGHT + "'");
    Map<String, List<String>> firstNight = FailureRecoveryTest.plainNight(dir.resolve("lake"), FIRST_NIGHT);

    JobRunner run = JobRunner.run("--config", config.toString(), "--run-date", SECOND_NIGHT.toString());
    assertEquals(0, run.status(), run.toString());
    assertEquals(firstNight, FailureRecoveryTest.plainNight(dir.resolve("lake"), FIRST_NIGHT),
        "the first night is untouched, row for row, in every table");
    assertEquals(0, night("customer_segments", SECOND_NIGHT).where(col("previous_rfm_segment").equalTo("Tampered"))
        .count(), "the previous night is read as published, not as changed since");
    long first = night("customer_segments", FIRST_NIGHT).count();
    long second = night("customer_segments", SECOND_NIGHT).count();
    assertEquals(expectedCustomers(SECOND_NIGHT), second);
    assertEquals(first, expectedCustomers(FIRST_NIGHT));

    Dataset<Row> transitions = night("segment_transitions", SECOND_NIGHT);
    assertEquals(first, transitions.where(col("from_segment").notEqual("new")).agg(sum("customers")).first()
        .getLong(0));
    assertEquals(second, transitions.where(col("to_segment").notEqual("gone")).agg(sum("customers")).first()
        .getLong(0));
    assertEquals(java.sql.Date.valueOf(FIRST_NIGHT), transitions.first().getAs("previous_run_date"));

    // previous_rfm_segment is the first night's segment of the same customer, as published
    long compared = 0;
    for (Row r : night("customer_segments", SECOND_NIGHT).select("customer_id", "previous_rfm_segment")
        .collectAsList()) {
      assertEquals(recorded.get(r.getString(0)), r.getString(1), r.getString(0));
      compared += recorded.containsKey(r.getString(0)) ? 1 : 0;
    }
    assertEquals(recorded.size(), compared, "every customer of the first night is there again");
  }

  @Test
  @Order(4)
  void runLogRecordsConservationAndThePublishedVersions() {
    List<Row> runs = table("run_log").where(col("status").equalTo("published")).collectAsList();
    assertEquals(3, runs.size());
    for (Row run : runs) {
      Map<String, Long> read = run.getJavaMap(run.fieldIndex("rows_read"));
      Map<String, Long> accepted = run.getJavaMap(run.fieldIndex("rows_accepted"));
      Map<String, Long> quarantined = run.getJavaMap(run.fieldIndex("rows_quarantined"));
      assertEquals(12_000L, read.get("purchases"));
      for (String input : List.of("purchases", "profiles")) {
        assertEquals(read.get(input), accepted.get(input) + quarantined.get(input), input);
      }
      Map<String, Long> versions = run.getJavaMap(run.fieldIndex("table_versions"));
      Map<String, Long> written = run.getJavaMap(run.fieldIndex("rows_written"));
      assertEquals(java.util.Set.of("customer_segments", "segment_summary", "segment_transitions", "quarantine",
          "cluster_profiles", "clv_model", "segment_kpis"), versions.keySet());
      // each version is the commit of this run (Delta makes no commit for a write of no rows over no rows)
      for (Map.Entry<String, Long> version : versions.entrySet()) {
        Row commit = io.delta.tables.DeltaTable.forPath(TestSpark.get(),
            dir.resolve("lake").resolve(version.getKey()).toString()).history()
            .where(col("version").equalTo(version.getValue())).first();
        if (written.get(version.getKey()) > 0) {
          assertEquals(run.<String>getAs("run_id"), commit.<String>getAs("userMetadata"), version.getKey());
        }
      }
      assertEquals(written.get("customer_segments"), night("customer_segments",
          run.<java.sql.Date>getAs("run_date").toLocalDate()).count());
    }
  }

  @Test
  @Order(5)
  void badConfigurationExitsTwoAndNamesTheKey() {
    JobRunner run = JobRunner.run("--config", config.toString(), "--run-date", FIRST_NIGHT.toString(),
        "--set", "segments.rfm.score-bins=42", "--set", "segments.rfm.scorring=quantile");
    assertEquals(2, run.status(), run.toString());
    assertTrue(run.err().contains("segments.rfm.score-bins: must be 2..10, got 42"), run.err());
    assertTrue(run.err().contains("segments.rfm.scorring: unknown key"), run.err());
    assertTrue(run.lastLine().startsWith("result=failed exit=2 reason=configuration"), run.lastLine());
  }

  @Test
  @Order(6)
  void aMappingThatNamesAMissingColumnExitsTwo() {
    JobRunner run = JobRunner.run("--config", config.toString(), "--run-date", FIRST_NIGHT.toString(),
        "--set", "segments.inputs.purchases.columns.amount=\"Quantity * UnitPrice\"");
    assertEquals(2, run.status(), run.toString());
    assertTrue(run.err().contains("segments.inputs.purchases.columns.amount"), run.err());
  }

  @Test
  @Order(7)
  void tooManyBadRowsFailTheQualityGateAndPublishNothing() throws Exception {
    Path csv = dir.resolve("bad.csv");
    StringBuilder text = new StringBuilder("customer_id,order_id,order_ts,amount\n");
    for (int i = 0; i < 20; i++) {
      text.append("c").append(i).append(",o").append(i).append(",2026-11-01 10:00:00,")
          .append(i % 2 == 0 ? "12.50" : "twelve").append('\n');
    }
    Files.writeString(csv, text);
    LocalDate date = LocalDate.of(2026, 11, 2);
    JobRunner run = JobRunner.run("--config", config.toString(), "--run-date", date.toString(),
        "--set", "segments.inputs.purchases.format=csv", "--set", "segments.inputs.purchases.path=\"" + csv + "\"",
        "--set", "segments.inputs.purchases.options.header=true");
    assertEquals(3, run.status(), run.toString());
    assertTrue(run.lastLine().contains("reason=data_quality"), run.lastLine());
    assertTrue(run.lastLine().contains("10 of 20 purchases rows"), run.lastLine());
    assertEquals(0, night("customer_segments", date).count());
    Row failed = table("run_log").where(col("run_date").equalTo(lit(java.sql.Date.valueOf(date)))).first();
    assertEquals("failed", failed.getAs("status"));
    assertEquals(3, (int) failed.getAs("exit_code"));
  }

  @Test
  void helpDocumentsEveryOption() {
    JobRunner run = JobRunner.run("--help");
    assertEquals(0, run.status());
    for (String option : List.of("--config", "--run-date", "--dry-run", "--set", "--help", "Exit status")) {
      assertTrue(run.out().contains(option), option);
    }
    assertFalse(JobRunner.run("--bogus").status() == 0);
  }
}
