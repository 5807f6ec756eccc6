package org.segmentation.jobs;

import static org.apache.spark.sql.functions.col;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.apache.commons.math3.distribution.TDistribution;
import org.apache.commons.math3.stat.StatUtils;
import org.apache.commons.math3.stat.inference.TTest;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.segmentation.TestSpark;

/**
 * ReadOutExperiments on a small external test whose figures are worked out by hand from its file
 * (src/test/resources/experiments/spring_mail.csv): 11 rows, one with a revenue that is not a number, one assigning
 * an already assigned customer to the other arm; the 9 others are 4 control and 5 treatment members.
 */
class ReadOutExperimentsTest {
  static final Path FILE = Path.of("src/test/resources/experiments/spring_mail.csv").toAbsolutePath();
  static final String DATE = "2026-11-20";
  // the accepted rows' figures, read off the file
  static final double[] CONTROL_REVENUE = {0, 10, 20, 30};
  static final double[] TREATMENT_REVENUE = {10, 20, 30, 40, 50};

  @TempDir
  static Path dir;
  static Path config;

  record Run(int status, String out, String err) {
    String lastLine() {
      List<String> lines = out.strip().lines().toList();
      return lines.get(lines.size() - 1);
    }
  }

  static Run readOut(String... more) {
    List<String> args = new ArrayList<>(List.of("--config", config.toString(), "--run-date", DATE));
    for (String setting : more) {
      args.addAll(List.of("--set", setting));
    }
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    int status = ReadOutExperiments.run(args.toArray(String[]::new), new PrintStream(out, true, StandardCharsets.UTF_8),
        new PrintStream(err, true, StandardCharsets.UTF_8));
    return new Run(status, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
  }

  /** No purchases block at all: the read-out does not need one. */
  @BeforeAll
  static void configure() throws IOException {
    config = dir.resolve("readout.conf");
    Files.writeString(config, """
        segments {
          lake.root = "%s"
          spark { master = "local[2]", conf { "spark.sql.shuffle.partitions" = "2", "spark.ui.enabled" = "false" } }
          inputs.experiments {
            enabled = true, format = "csv", path = "%s", options { header = "true" }
            columns { customer_id = "user", experiment = "test_name", variant = "arm",
              assigned_ts = "to_timestamp(sent_at)" }
            attributes { converted { expr = "bought", type = "boolean" }, revenue { expr = "spend", type = "double" },
              pre_revenue { expr = "spend_before", type = "double" }, region { type = "string" } }
          }
          quality.max-quarantined-share = 0.5
          experiments.external { metrics { converted {}, revenue { covariate = "pre_revenue" } }, breakdowns = ["region"] }
        }
        """.formatted(dir.resolve("lake"), FILE));
  }

  static Dataset<Row> results() {
    return TestSpark.get().read().format("delta")
        .load(dir.resolve("lake/external-experiments/experiment_results").toString());
  }

  static Row result(String metric, String breakdown, String cell) {
    return results().where(col("metric").equalTo(metric).and(col("breakdown").equalTo(breakdown))
        .and(col("cell").equalTo(cell))).collectAsList().get(0);
  }

  @Test
  void aHandComputedTestComesOutExactlyAndARerunReplacesItsRows() {
    Run run = readOut();
    assertEquals(0, run.status(), run.toString());
    assertTrue(run.lastLine().startsWith("result=read_out exit=0 run_date=" + DATE), run.lastLine());
    assertTrue(run.out().contains("read=11 accepted=9 quarantined=2"), run.out());

    Row revenue = result("revenue", "all", "all");
    assertEquals("treatment", revenue.getAs("variant"));
    assertEquals("control", revenue.getAs("control_variant"));
    assertEquals(4L, (long) revenue.getAs("control_n"));
    assertEquals(5L, (long) revenue.getAs("variant_n"));
    assertEquals(15.0, revenue.<Double>getAs("control_mean"), 1e-12);
    assertEquals(30.0, revenue.<Double>getAs("variant_mean"), 1e-12);
    assertEquals(15.0, revenue.<Double>getAs("absolute_lift"), 1e-12);
    assertEquals(1.0, revenue.<Double>getAs("relative_lift"), 1e-12);
    // Welch: Commons Math's own t-test on the raw values, and the interval from the Welch-Satterthwaite df
    assertEquals(new TTest().tTest(CONTROL_REVENUE, TREATMENT_REVENUE), revenue.<Double>getAs("p_value"), 1e-9);
    double a = StatUtils.variance(CONTROL_REVENUE) / 4;
    double b = StatUtils.variance(TREATMENT_REVENUE) / 5;
    double df = (a + b) * (a + b) / (a * a / 3 + b * b / 4);
    double half = new TDistribution(df).inverseCumulativeProbability(0.975) * Math.sqrt(a + b);
    assertEquals(15.0 - half, revenue.<Double>getAs("absolute_lift_low"), 1e-9);
    assertEquals(15.0 + half, revenue.<Double>getAs("absolute_lift_high"), 1e-9);
    assertTrue(revenue.getAs("cuped_absolute_lift") != null, "revenue has its covariate");
    assertTrue(revenue.<Boolean>getAs("window_complete"));
    assertFalse(revenue.<Boolean>getAs("srm_flag"));

    Row converted = result("converted", "all", "all");
    assertEquals(0.25, converted.<Double>getAs("control_mean"), 1e-12); // 1 of 4
    assertEquals(0.6, converted.<Double>getAs("variant_mean"), 1e-12); // 3 of 5
    assertNull(converted.getAs("cuped_absolute_lift"), "no covariate declared");

    Row north = result("revenue", "region", "north");
    assertEquals(5.0, north.<Double>getAs("control_mean"), 1e-12);
    assertEquals(15.0, north.<Double>getAs("variant_mean"), 1e-12);
    Row west = result("revenue", "region", "west"); // only u09, in treatment: an empty control arm, no statistic
    assertEquals(0L, (long) west.getAs("control_n"));
    assertEquals(1L, (long) west.getAs("variant_n"));
    assertNull(west.getAs("absolute_lift"));
    assertNull(west.getAs("p_value"));

    List<String> reasons = TestSpark.get().read().format("delta")
        .load(dir.resolve("lake/external-experiments/quarantine").toString())
        .selectExpr("explode(reason_codes)").as(org.apache.spark.sql.Encoders.STRING()).collectAsList().stream()
        .sorted().toList();
    assertEquals(List.of("duplicate_assignment", "unparseable_revenue"), reasons);

    long rows = results().count();
    assertEquals(0, readOut().status());
    assertEquals(rows, results().count(), "a rerun of the date replaces its rows");
    assertFalse(Files.exists(dir.resolve("lake/run_log")), "the nightly lake's tables are not touched");
  }

  /**
   * A nightly lake with three nights around the experiment's start (2026-10-01, its first assignment): 09-30
   * published, with u01, u03, u05, u07 Champions and u02, u04, u06, u08 At Risk (u09 not yet a customer); 10-01
   * committed by a run that never published (everyone Lost); 10-02 published (everyone Moved, as if the campaign had
   * moved them). The cells are 09-30's.
   */
  @Test
  void segmentBreakdownsAreTheSegmentsOfThePublishedNightOnOrBeforeTheStart() {
    Path nightly = dir.resolve("nightly-lake");
    org.segmentation.io.LakeTables lake = new org.segmentation.io.LakeTables(TestSpark.get(),
        new org.segmentation.config.LakeSettings(nightly.toString()));
    org.segmentation.io.RunLog runLog = new org.segmentation.io.RunLog(TestSpark.get(), lake);
    java.util.Map<String, String> before = new java.util.TreeMap<>();
    for (int i = 1; i <= 8; i++) {
      before.put(String.format("u%02d", i), i % 2 == 1 ? "Champions" : "At Risk");
    }
    publishSegments(lake, runLog, java.time.LocalDate.parse("2026-09-30"), before, true);
    java.util.Map<String, String> lost = new java.util.TreeMap<>();
    java.util.Map<String, String> moved = new java.util.TreeMap<>();
    for (int i = 1; i <= 9; i++) {
      lost.put(String.format("u%02d", i), "Lost");
      moved.put(String.format("u%02d", i), "Moved");
    }
    publishSegments(lake, runLog, java.time.LocalDate.parse("2026-10-01"), lost, false);
    publishSegments(lake, runLog, java.time.LocalDate.parse("2026-10-02"), moved, true);

    String root = "segments.lake.root=\"" + nightly + "\"";
    Run run = readOut(root, "segments.experiments.external.segment-breakdowns=[rfm_segment]");
    assertEquals(0, run.status(), run.toString());
    assertTrue(run.out().contains("stage=segments_at_start experiment=spring_mail start=2026-10-01 night=2026-09-30"),
        run.out());
    Dataset<Row> rows = TestSpark.get().read().format("delta")
        .load(nightly.resolve("external-experiments/experiment_results").toString())
        .where(col("metric").equalTo("revenue").and(col("breakdown").equalTo("rfm_segment")));
    assertEquals(List.of("(unknown)", "At Risk", "Champions"), rows.select("cell").as(
        org.apache.spark.sql.Encoders.STRING()).collectAsList().stream().sorted().toList());
    Row champions = rows.where(col("cell").equalTo("Champions")).first(); // control u01, u03; treatment u05, u07
    assertEquals(10.0, champions.<Double>getAs("control_mean"), 1e-12);
    assertEquals(20.0, champions.<Double>getAs("variant_mean"), 1e-12);
    Row atRisk = rows.where(col("cell").equalTo("At Risk")).first(); // control u02, u04; treatment u06, u08
    assertEquals(20.0, atRisk.<Double>getAs("control_mean"), 1e-12);
    assertEquals(30.0, atRisk.<Double>getAs("variant_mean"), 1e-12);
    Row unknown = rows.where(col("cell").equalTo("(unknown)")).first(); // u09, not a customer on 09-30
    assertEquals(0L, (long) unknown.getAs("control_n"));
    assertEquals(1L, (long) unknown.getAs("variant_n"));

    Run misnamed = readOut(root, "segments.experiments.external.segment-breakdowns=[shoe_size]");
    assertEquals(2, misnamed.status(), misnamed.toString());
    assertTrue(misnamed.err().contains("segments.experiments.external.segment-breakdowns: [shoe_size] are not "
        + "columns of the lake's customer_segments"), misnamed.err());
    Run clash = readOut(root, "segments.experiments.external.segment-breakdowns=[region]");
    assertEquals(2, clash.status(), clash.toString());
    assertTrue(clash.err().contains("\"region\" is also a column of segments.inputs.experiments"), clash.err());
  }

  /** The date's customer_segments rows (only customer_id and rfm_segment set), and its run_log row if published. */
  private static void publishSegments(org.segmentation.io.LakeTables lake, org.segmentation.io.RunLog runLog,
      java.time.LocalDate date, java.util.Map<String, String> segments, boolean published) {
    org.apache.spark.sql.types.StructType schema = org.segmentation.io.TableCatalog.CUSTOMER_SEGMENTS.schema();
    List<Row> rows = new ArrayList<>();
    segments.forEach((customer, segment) -> {
      Object[] values = new Object[schema.size()];
      values[schema.fieldIndex("run_date")] = java.sql.Date.valueOf(date);
      values[schema.fieldIndex("customer_id")] = customer;
      values[schema.fieldIndex("rfm_segment")] = segment;
      rows.add(org.apache.spark.sql.RowFactory.create(values));
    });
    String runId = date + "_test";
    long version = lake.replaceRunDate(org.segmentation.io.TableCatalog.CUSTOMER_SEGMENTS,
        TestSpark.get().createDataFrame(rows, schema), date, runId).version();
    if (published) {
      java.time.Instant now = java.time.Instant.now();
      runLog.append(new org.segmentation.io.RunLog.Entry(runId, date, org.segmentation.io.RunLog.PUBLISHED, 0, now,
          now, null, null, java.util.Map.of(), java.util.Map.of(), java.util.Map.of(), java.util.Map.of(),
          java.util.Map.of(), java.util.Map.of("customer_segments", version), "test", null, java.util.Map.of(),
          java.util.Map.of(), "{}", null));
    }
  }

  @Test
  void aControlTheInputNeverNamesIsADataErrorListingTheVariantsFound() {
    Run run = readOut("segments.experiments.external.control=holdout");
    assertEquals(3, run.status(), run.toString());
    assertTrue(run.lastLine().contains("'holdout' has no member; the variants found are [control, treatment]"),
        run.lastLine());
    assertFalse(run.err().contains("\tat "), run.err());
  }

  @Test
  void aMetricThatIsNoDeclaredNumberIsAConfigurationError() {
    Run run = readOut("segments.experiments.external.metrics.region={}",
        "segments.experiments.external.metrics.basket={}");
    assertEquals(2, run.status(), run.toString());
    assertTrue(run.err().contains("segments.experiments.external.metrics.region: \"region\" is a string"), run.err());
    assertTrue(run.err().contains("segments.experiments.external.metrics.basket: \"basket\" is not a declared "
        + "attribute"), run.err());
  }

  @Test
  void withoutTheExperimentsInputItSaysWhatToEnable() {
    Run run = readOut("segments.inputs.experiments.enabled=false");
    assertEquals(2, run.status(), run.toString());
    assertTrue(run.lastLine().contains("segments.inputs.experiments.enabled"), run.lastLine());
  }
}
