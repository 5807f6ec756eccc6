package org.segmentation.jobs;

import static org.apache.spark.sql.functions.col;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.Row;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.segmentation.TestSpark;

/**
 * The exit statuses the README promises, and the {@code failed} run_log row each leaves: exit 2 before any input is
 * read, exit 3 for a missing input and for an input without a usable purchase, each row with its exit code, reason,
 * message and counts.
 */
class ExitStatusTest {
  @TempDir
  Path dir;

  private JobRunner run(Path purchases, String... more) {
    List<String> args = new ArrayList<>(List.of(
        "--config", CdnowReferenceTest.REPO.resolve("conf/local.conf").toString(), "--run-date", "2026-11-02",
        "--set", "segments.lake.root=\"" + dir.resolve("lake") + "\"",
        "--set", "segments.inputs.purchases.format=csv",
        "--set", "segments.inputs.purchases.path=\"" + purchases + "\"",
        "--set", "segments.inputs.purchases.options.header=true",
        "--set", "segments.inputs.profiles.enabled=false",
        "--set", "segments.report.enabled=false", // the report is ReportTest's
        "--set", "segments.spark.master=\"local[2]\"",
        "--set", "segments.spark.conf.\"spark.sql.shuffle.partitions\"=2"));
    args.addAll(List.of(more));
    return JobRunner.run(args.toArray(String[]::new));
  }

  private Row failedRow() {
    List<Row> rows = TestSpark.get().read().format("delta").load(dir.resolve("lake/run_log").toString())
        .collectAsList();
    assertEquals(1, rows.size());
    assertEquals("failed", rows.get(0).getAs("status"));
    return rows.get(0);
  }

  @Test
  void aBadRuleExitsTwoBeforeAnyInputIsRead() {
    // the input does not exist either: read first, it would be exit 3
    JobRunner run = run(dir.resolve("nowhere.csv"), "--set", "segments.rule-segments.rich=\"incme > 100000\"");
    assertEquals(2, run.status(), run.toString());
    assertFalse(run.out().contains("stage=load_validate"), run.out());
    assertTrue(run.lastLine().contains("reason=configuration"), run.lastLine());
    Row failed = failedRow();
    assertEquals(2, failed.getInt(failed.fieldIndex("exit_code")));
    assertEquals("configuration", failed.getAs("reason"));
    assertTrue(failed.<String>getAs("message").contains("segments.rule-segments.rich"), failed.toString());
    assertEquals(Map.of(), failed.getJavaMap(failed.fieldIndex("rows_read")));
  }

  @Test
  void aMissingInputExitsThree() {
    JobRunner run = run(dir.resolve("nowhere.csv"));
    assertEquals(3, run.status(), run.toString());
    assertTrue(run.lastLine().contains("reason=data_quality") && run.lastLine().contains("Cannot read purchases"),
        run.lastLine());
    Row failed = failedRow();
    assertEquals(3, failed.getInt(failed.fieldIndex("exit_code")));
    assertTrue(failed.<String>getAs("message").contains("nowhere.csv"), failed.toString());
  }

  @Test
  void noUsablePurchaseExitsThreeWithTheCounts() throws Exception {
    // three guest lines (no customer id), skipped as configured: read 3, skipped 3, nothing to segment
    Path guests = dir.resolve("guests.csv");
    Files.writeString(guests, "customer_id,order_id,order_ts,amount\n"
        + ",o1,2026-11-01 10:00:00,10\n,o2,2026-11-01 11:00:00,12\n ,o3,2026-11-01 12:00:00,14\n");
    JobRunner run = run(guests, "--set", "segments.quality.purchases-without-customer=skip");
    assertEquals(3, run.status(), run.toString());
    assertTrue(run.lastLine().contains("no usable purchase among 3 rows"), run.lastLine());
    Row failed = failedRow();
    assertEquals("data_quality", failed.getAs("reason"));
    assertEquals(3L, failed.<String, Long>getJavaMap(failed.fieldIndex("rows_read")).get("purchases"));
    assertEquals(0L, failed.<String, Long>getJavaMap(failed.fieldIndex("rows_accepted")).get("purchases"));
    assertEquals(3L, failed.<String, Long>getJavaMap(failed.fieldIndex("rows_skipped")).get("purchases"));
    assertEquals(0, TestSpark.get().read().format("delta").load(dir.resolve("lake/run_log").toString())
        .where(col("status").equalTo("published")).count());
  }
}
