package org.segmentation.jobs;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.negate;
import static org.apache.spark.sql.functions.pmod;
import static org.apache.spark.sql.functions.xxhash64;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.segmentation.jobs.GeneratedHistory.date;
import static org.segmentation.jobs.GeneratedHistory.day;
import static org.segmentation.jobs.GeneratedHistory.late;
import static org.segmentation.jobs.GeneratedHistory.lines;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.List;
import java.util.stream.Stream;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.segmentation.TestSpark;
import org.segmentation.TestTier;
import org.segmentation.bench.LakeDiff;
import org.segmentation.input.PlanNight;
import org.segmentation.io.TableCatalog;
import org.segmentation.sample.SampleDataGenerator;

/**
 * Incremental nights on a folder of Parquet files, partitioned by day, are a full recompute's nights, row for row: a
 * seeded history run night after night by two lakes, one as the job runs by default, one with {@code --full}. The
 * nights: the first (no state), one after new files with the day's lines, late lines and returns of earlier orders
 * (only the new files are read), one without new files, one after a file of an earlier day was deleted (the files no
 * longer match the last night's mark: a full recompute, {@code input_files_changed}), and one after new files again
 * (incremental from that recompute's state). The RFM window is 60 days: every night some customers' rows leave it.
 * After each night every table of the two lakes is the same ({@link LakeDiff}; run_log aside), and an incremental
 * night computed again fewer customers than it has (it carried the others' figures).
 *
 * <p>Full tier: the fast tier runs {@code io/InputFilesTest} (which files are new, what breaks the mark, the new files of
 * a partitioned folder read with the whole input's columns) and IncrementalNightsTest's first two nights (what a
 * night's arrivals do to the state).
 */
@Tag(TestTier.FULL)
class IncrementalFilesTest {
  static final LocalDate LAST = LocalDate.of(2026, 11, 24);

  @TempDir
  static Path dir;
  static Path config;
  static String input;
  static Path incremental;
  static Path full;

  @Test
  void nightsOnNewFilesEqualTheFullRecomputeAndAChangedFileRecomputes() throws IOException {
    String generated = dir.resolve("generated").toString();
    new SampleDataGenerator(400, 4000, 20261209L, LAST).purchases(TestSpark.get()).write().parquet(generated);
    input = dir.resolve("raw/purchases").toString();
    append(lines(generated).where(day().leq(date(LAST.minusDays(3))).and(late(LAST.minusDays(3)).unary_$bang())));
    config = dir.resolve("job.conf");
    Files.writeString(config, """
        segments {
          spark { master = "local[2]", conf { "spark.sql.shuffle.partitions" = "2", "spark.ui.enabled" = "false",
            "spark.databricks.delta.snapshotPartitions" = "2" } }
          inputs.purchases { format = "parquet", path = "%s" }
          inputs.profiles.enabled = false
          report.enabled = false
          clustering { k = 3, restarts = 1 }
          # a window that moves every night: customers whose rows leave it are computed again, the others carried
          rfm.lookback-days = 60
        }
        """.formatted(input));
    incremental = dir.resolve("incremental");
    full = dir.resolve("full");
    night(LAST.minusDays(3), PlanNight.NO_STATE);

    Dataset<Row> lines = lines(generated);
    Dataset<Row> returns = lines.where(day().lt(date(LAST.minusDays(10)))
            .and(pmod(xxhash64(col("order_id")), lit(40)).equalTo(0)))
        .withColumn("order_ts", lit(java.sql.Timestamp.valueOf(LAST.minusDays(2).atTime(12, 0))))
        .withColumn("amount", negate(col("amount")));
    append(lines.where(day().equalTo(date(LAST.minusDays(2))).or(late(LAST.minusDays(3)))).unionByName(returns));
    night(LAST.minusDays(2), PlanNight.NEW_FILES_SINCE);

    night(LAST.minusDays(1), PlanNight.NEW_FILES_SINCE); // no new file: recency ages

    // a file of an early day deleted: its lines are gone, which only the whole input can say
    try (Stream<Path> files = Files.walk(Path.of(input))) {
      Path early = files.filter(p -> p.getFileName().toString().endsWith(".parquet")).sorted().findFirst()
          .orElseThrow();
      Files.delete(early);
    }
    night(LAST.minusDays(1), PlanNight.INPUT_FILES_CHANGED);

    append(lines(generated).where(day().geq(date(LAST.minusDays(1)))));
    night(LAST, PlanNight.NEW_FILES_SINCE);
  }

  /** Runs {@code date} on both lakes (the second with {@code --full}), checks the first's mode, compares them. */
  private static void night(LocalDate date, String reason) {
    JobRunner updated = JobRunner.run(SampleLake.jobArgs(config, incremental, date));
    assertEquals(0, updated.status(), updated::toString);
    JobRunner recomputed = JobRunner.run(SampleLake.jobArgs(config, full, date, "--full"));
    assertEquals(0, recomputed.status(), recomputed::toString);
    String mode = reason.equals(PlanNight.NEW_FILES_SINCE) ? "incremental" : "full";
    assertTrue(updated.lastLine().contains(" mode=" + mode + " mode_reason=" + reason), updated.lastLine());
    System.out.println("IncrementalFilesTest " + date + ": " + updated.lastLine().replaceAll(" lake=.*", ""));
    if (mode.equals("incremental")) {
      System.out.println("  customers computed again: " + IncrementalNightsTest.carriedCustomers(updated));
    }
    List<String> compared = LakeDiff.compare(TestSpark.get(), full.toString(), incremental.toString());
    List<String> differing = compared.stream().filter(LakeDiff::differs)
        .filter(t -> !t.startsWith("table=" + TableCatalog.RUN_LOG.name() + " ")).toList();
    assertEquals(List.of(), differing, "the night of " + date + " differs from a full recompute");
    assertTrue(compared.stream().anyMatch(t -> t.startsWith("table=" + TableCatalog.PURCHASE_STATE.name() + " ")
        && t.endsWith("result=same")), "both lakes keep the state: " + compared);
  }

  /** New files in the input folder, a folder per day (a night's lines land in files of their own). */
  private static void append(Dataset<Row> rows) {
    rows.withColumn("day", day().cast("string")).write().mode("append").partitionBy("day").parquet(input);
  }
}
