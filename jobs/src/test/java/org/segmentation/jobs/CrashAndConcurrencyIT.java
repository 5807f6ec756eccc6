package org.segmentation.jobs;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.lit;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.LocalDate;
import java.util.List;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.segmentation.TestSpark;
import org.segmentation.io.LakeTables;
import org.segmentation.io.RunLog;
import org.segmentation.io.TableCatalog;

/**
 * Fault behaviour of the publishing contract, with the job in JVMs of its own: a run killed (SIGKILL) while it writes
 * its tables, and two runs of the same date at once.
 */
class CrashAndConcurrencyIT {
  static final LocalDate DATE = LocalDate.of(2026, 11, 20);

  @TempDir
  static Path dir;
  static Path config;

  @BeforeAll
  static void sampleData() throws Exception {
    config = SampleLake.create(dir, 2000, 15_000, 9, DATE, "");
  }

  private static String[] args(Path lake, String... more) {
    List<String> all = new java.util.ArrayList<>(List.of("--config", config.toString(),
        "--run-date", DATE.toString(), "--set", "segments.lake.root=\"" + lake + "\""));
    all.addAll(List.of(more));
    return all.toArray(String[]::new);
  }

  /** A date's customer_segments as the contract defines it: at the version the latest published run recorded. */
  private static List<Row> published(Path lake) {
    LakeTables tables = new LakeTables(TestSpark.get(), new org.segmentation.config.LakeSettings(lake.toString()));
    RunLog.PublishedRun run = new RunLog(TestSpark.get(), tables).latestPublishedBefore(DATE.plusDays(1))
        .orElseThrow();
    assertEquals(DATE, run.runDate());
    return tables.readRunDate(TableCatalog.CUSTOMER_SEGMENTS, DATE, run.versionOf(TableCatalog.CUSTOMER_SEGMENTS))
        .orderBy("customer_id").collectAsList();
  }

  private static Dataset<Row> latest(Path lake, String table) {
    return TestSpark.get().read().format("delta").load(lake.resolve(table).toString())
        .where(col("run_date").equalTo(lit(java.sql.Date.valueOf(DATE))));
  }

  @Test
  void aRunKilledWhileWritingLeavesThePublishedNightIntactAndARerunRepairsIt() throws Exception {
    Path lake = dir.resolve("crash-lake");
    ChildJob first = ChildJob.start(args(lake));
    assertEquals(0, first.waitFor(), first.output());
    // the shipped logging configuration drops the known-harmless warnings of a run (and nothing else: see it)
    for (String noise : List.of("resolves to a loopback address", "Failed to load implementation from:dev.ludovic",
        "Truncated the string representation of a plan")) {
      assertFalse(first.output().contains(noise), noise + ":\n" + first.output());
    }
    List<Row> before = published(lake);

    // A rerun with other settings (so its rows differ), killed right after its first table is committed.
    ChildJob killed = ChildJob.start(line -> line.startsWith("stage=write_customer_segments"),
        args(lake, "--set", "segments.rfm.score-bins=3"));
    int status = killed.waitFor();
    assertNotEquals(0, status, killed.output());
    assertEquals("", killed.summary(), "killed before it could finish:\n" + killed.output());
    // The killed run did change the table's latest version ...
    assertNotEquals(before, latest(lake, "customer_segments").orderBy("customer_id").collectAsList());
    // ... but nothing of it is visible through the contract: run_log still points at the first run's versions.
    assertEquals(before, published(lake));
    assertEquals(1, TestSpark.get().read().format("delta").load(lake.resolve("run_log").toString())
        .where(col("status").equalTo("published")).count());

    ChildJob rerun = ChildJob.start(args(lake));
    assertEquals(0, rerun.waitFor(), rerun.output());
    assertEquals(before, published(lake));
    assertEquals(before, latest(lake, "customer_segments").orderBy("customer_id").collectAsList());
  }

  @Test
  void twoRunsOfTheSameDateEndWithCorrectTables() throws Exception {
    Path lake = dir.resolve("concurrent-lake");
    ChildJob one = ChildJob.start(args(lake));
    ChildJob two = ChildJob.start(args(lake));
    int first = one.waitFor();
    int second = two.waitFor();
    assertTrue(first == 0 || second == 0, "at least one run publishes:\n" + one.output() + "\n" + two.output());
    for (ChildJob run : List.of(one, two)) {
      if (run.summary().contains("exit=0")) {
        continue;
      }
      // the loser fails cleanly: a non-zero status and a one-line reason naming the conflict
      assertTrue(run.summary().startsWith("result=failed exit=1"), run.output());
      assertTrue(run.summary().contains("reason=concurrent_write"), run.output());
    }
    Dataset<Row> rows = latest(lake, "customer_segments");
    long customers = rows.count();
    assertEquals(customers, rows.select("customer_id").distinct().count(), "no duplicate rows");
    assertEquals(customers, published(lake).size());
    Dataset<Row> summary = latest(lake, "segment_summary");
    assertEquals(summary.count(), summary.select("rfm_segment").distinct().count());
    assertEquals(customers, summary.agg(org.apache.spark.sql.functions.sum("customers")).first().getLong(0));
  }
}
