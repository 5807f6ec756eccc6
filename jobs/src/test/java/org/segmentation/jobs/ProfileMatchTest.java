package org.segmentation.jobs;

import static org.apache.spark.sql.functions.col;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.segmentation.TestSpark.money;
import static org.segmentation.TestSpark.row;
import static org.segmentation.TestSpark.ts;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.segmentation.TestSpark;
import org.segmentation.schema.Columns;

/**
 * A profile table whose ids do not meet the purchases' is reported, and stops the night when (almost) nobody matches:
 * buyers C1..C5 (one order each) and one guest line without a customer (skipped:
 * {@code quality.purchases-without-customer = skip}); profiles either of other ids (P1..P3: none matches) or C1, C2
 * and P1.
 */
class ProfileMatchTest {
  static final String RUN_DATE = "2026-06-30";

  @TempDir
  Path dir;

  Path lake(List<String> profileIds) throws IOException {
    StructType purchases = new StructType().add(Columns.CUSTOMER_ID, DataTypes.StringType)
        .add(Columns.ORDER_ID, DataTypes.StringType).add(Columns.ORDER_TS, DataTypes.TimestampType)
        .add(Columns.AMOUNT, Columns.MONEY);
    List<Row> lines = new ArrayList<>();
    for (int c = 1; c <= 5; c++) {
      lines.add(row("C" + c, "O" + c, ts("2026-06-0" + c + " 10:00:00"), money("10")));
    }
    lines.add(row(null, "O6", ts("2026-06-06 10:00:00"), money("25")));
    TestSpark.get().createDataFrame(lines, purchases).write().parquet(dir.resolve("purchases").toString());
    TestSpark.get().createDataFrame(profileIds.stream().map(id -> row(id)).toList(),
        new StructType().add(Columns.CUSTOMER_ID, DataTypes.StringType)).write()
        .parquet(dir.resolve("profiles").toString());
    Path config = dir.resolve("job.conf");
    Files.writeString(config, """
        segments {
          spark { master = "local[2]", conf { "spark.sql.shuffle.partitions" = "2", "spark.ui.enabled" = "false",
            "spark.databricks.delta.snapshotPartitions" = "2" } }
          lake.root = "%s"
          inputs.purchases.path = "%s"
          inputs.profiles.path = "%s"
          quality.purchases-without-customer = "skip"
        }
        """.formatted(dir.resolve("lake"), dir.resolve("purchases"), dir.resolve("profiles")));
    return config;
  }

  @Test
  void profilesThatMatchNoBuyerStopTheNightWithIdsOfBothSides() throws IOException {
    JobRunner run = JobRunner.run("--config", lake(List.of("P1", "P2", "P3")).toString(), "--run-date", RUN_DATE);
    assertEquals(3, run.status(), run.toString());
    String summary = run.lastLine();
    assertTrue(summary.contains("reason=data_quality"), summary);
    assertTrue(summary.contains("0 of 5 buyers (0.00 %) have a profile"), summary);
    assertTrue(summary.contains("segments.quality.min-profile-match-share"), summary);
    assertTrue(summary.contains("buyers without a profile, e.g. ['C1', 'C2', 'C3']"), summary);
    assertTrue(summary.contains("profiles without purchases, e.g. ['P1', 'P2', 'P3']"), summary);
    assertFalse(Files.exists(dir.resolve("lake/customer_segments")), "nothing published");
  }

  @Test
  void aPartialMatchIsPublishedWithItsFiguresAndTheGuestLineSkipped() throws IOException {
    JobRunner run = JobRunner.run("--config", lake(List.of("C1", "C2", "P1")).toString(), "--run-date", RUN_DATE);
    assertEquals(0, run.status(), run.toString());
    assertTrue(run.out().contains("buyers_with_profile=2 buyers_without_profile=3 profiles_without_purchases=1 "
        + "profile_match_share=0.4000"), run.out());
    Row logged = TestSpark.get().read().format("delta").load(dir.resolve("lake/run_log").toString())
        .where(col("status").equalTo("published")).first();
    assertEquals(Map.of("buyers_with_profile", 2L, "buyers_without_profile", 3L, "profiles_without_purchases", 1L),
        logged.getJavaMap(logged.fieldIndex("profile_match")));
    // the guest line is neither accepted nor quarantined: read 6 = accepted 5 + quarantined 0 + skipped 1
    assertTrue(run.out().contains("purchases_read=6 purchases_accepted=5 purchases_quarantined=0 "
        + "purchases_skipped=1"), run.out());
    assertEquals(Map.of("purchases", 6L, "profiles", 3L), logged.getJavaMap(logged.fieldIndex("rows_read")));
    assertEquals(Map.of("purchases", 5L, "profiles", 3L), logged.getJavaMap(logged.fieldIndex("rows_accepted")));
    assertEquals(Map.of("purchases", 1L, "profiles", 0L), logged.getJavaMap(logged.fieldIndex("rows_skipped")));
    assertEquals(0, TestSpark.get().read().format("delta").load(dir.resolve("lake/quarantine").toString()).count());
  }
}
