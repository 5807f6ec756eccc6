package org.segmentation.jobs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.segmentation.jobs.GeneratedHistory.date;
import static org.segmentation.jobs.GeneratedHistory.day;
import static org.segmentation.jobs.GeneratedHistory.late;
import static org.segmentation.jobs.GeneratedHistory.lines;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
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
 * An incremental night killed (SIGKILL, in a JVM of its own) while it updates the purchase state: after the state was
 * computed and before anything was written, right after the state's table was written (the night not yet published),
 * and at a seeded random instant. After each kill the last published night, its state included, reads as before
 * through the contract; the night rerun afterwards is still incremental (it starts from the last published state and
 * the input version that night recorded, not from what the killed run left) and ends with every table of a night that
 * was never killed, row for row. The purchases are a Delta table with its change data feed on; the new night brings
 * its day's lines and late lines of earlier days. Full tier only ({@code -Pfull}): three killed JVMs.
 */
@Tag(TestTier.FULL)
class KilledIncrementalNightIT {
  static final LocalDate FIRST = LocalDate.of(2026, 11, 22);
  static final LocalDate NEXT = FIRST.plusDays(1);
  /** New on every run, so that the kills cover more instants over time; printed, so that a failure reproduces. */
  static final long RANDOM_SEED = Long.getLong("killSeed", System.nanoTime());

  @TempDir
  static Path dir;

  @Test
  void aNightKilledWhileUpdatingTheStateLeavesTheLastOneAndItsRerunIsIncrementalAndExact() throws Exception {
    String generated = dir.resolve("generated").toString();
    new SampleDataGenerator(400, 4_000, 20261208L, NEXT).purchases(TestSpark.get()).write().parquet(generated);
    String input = dir.resolve("raw/purchases").toString();
    append(lines(generated).where(day().leq(date(FIRST)).and(late(FIRST).unary_$bang())), input);
    TestSpark.get().sql("ALTER TABLE delta.`" + input + "` SET TBLPROPERTIES (delta.enableChangeDataFeed = true)");
    Path config = dir.resolve("job.conf");
    Files.writeString(config, """
        segments {
          spark { master = "local[2]", conf { "spark.sql.shuffle.partitions" = "2", "spark.ui.enabled" = "false",
            "spark.databricks.delta.snapshotPartitions" = "2" } }
          inputs.purchases { format = "delta", path = "%s" }
          inputs.profiles.enabled = false
          report.enabled = false
          clustering { k = 3, restarts = 1 }
          # a killed run's lease is taken over seconds later (ChildJob.awaitLeaseExpiry waits for it)
          run { lease-expires-after = 3s, lease-renew-every = 1s }
        }
        """.formatted(input));
    Path lake = dir.resolve("killed");
    JobRunner first = JobRunner.run(SampleLake.jobArgs(config, lake, FIRST));
    assertEquals(0, first.status(), first::toString);
    assertTrue(first.lastLine().contains(" mode_reason=" + PlanNight.NO_STATE), first.lastLine());

    append(lines(generated).where(day().equalTo(date(NEXT)).or(late(FIRST))), input);
    // The reference night runs on a copy of the lake: a lake at another path is the same configuration (its root is
    // not part of the fingerprint), so that night updates the copied state too.
    Path reference = SampleLake.copy(lake, dir.resolve("reference"));
    JobRunner uninterrupted = JobRunner.run(SampleLake.jobArgs(config, reference, NEXT));
    assertEquals(0, uninterrupted.status(), uninterrupted::toString);
    assertIncremental(uninterrupted);
    String[] next = SampleLake.jobArgs(config, lake, NEXT);

    List<String> publishedState = KillAnywhereIT.contractRows(lake, TableCatalog.PURCHASE_STATE, FIRST);
    for (String step : List.of("purchase_state", "write_purchase_state")) {
      ChildJob killed = ChildJob.start(line -> line.startsWith("stage=" + step + " "), next);
      assertNotEquals(0, killed.waitFor(), "killed after " + step + ":\n" + killed.output());
      assertTrue(killed.output().contains("stage=plan_night ") && killed.output().contains("mode=incremental"),
          "the killed night was an incremental one:\n" + killed.output());
      ChildJob.awaitLeaseExpiry(lake);
      assertPublishedNightStands(lake, publishedState, "after a kill after " + step);
    }
    long millis = 3_000 + new Random(RANDOM_SEED).nextInt(25_000);
    System.out.println("KilledIncrementalNightIT: random kill at " + millis + " ms (reproduce with -DkillSeed="
        + RANDOM_SEED + ")");
    ChildJob killedAnytime = ChildJob.start(next).killAfter(millis);
    boolean published = killedAnytime.waitFor() == 0; // a run that ended before the instant published its night
    ChildJob.awaitLeaseExpiry(lake);
    if (!published) {
      assertPublishedNightStands(lake, publishedState, "after a kill at " + millis + " ms (seed " + RANDOM_SEED + ")");
    }

    JobRunner rerun = JobRunner.run(next);
    assertEquals(0, rerun.status(), rerun::toString);
    assertIncremental(rerun);
    List<String> differing = new ArrayList<>();
    List<String> compared = LakeDiff.compare(TestSpark.get(), reference.toString(), lake.toString());
    for (String table : compared) {
      // run_log differs by design: the killed lake records the killed runs
      if (LakeDiff.differs(table) && !table.startsWith("table=" + TableCatalog.RUN_LOG.name() + " ")) {
        differing.add(table);
      }
    }
    assertEquals(List.of(), differing, "after the kills the night differs from one never killed (seed "
        + RANDOM_SEED + ")");
    assertTrue(compared.stream().anyMatch(t -> t.startsWith("table=" + TableCatalog.PURCHASE_STATE.name() + " ")
        && t.contains(" result=same")), compared::toString);
  }

  /** The first night is still the latest published one, and its state reads as it did. */
  private static void assertPublishedNightStands(Path lake, List<String> publishedState, String when) {
    org.segmentation.io.LakeTables tables = new org.segmentation.io.LakeTables(TestSpark.get(),
        new org.segmentation.config.LakeSettings(lake.toString()));
    assertEquals(FIRST, new org.segmentation.io.RunLog(TestSpark.get(), tables).latestPublished().orElseThrow()
        .runDate(), "the latest published night " + when);
    assertEquals(publishedState, KillAnywhereIT.contractRows(lake, TableCatalog.PURCHASE_STATE, FIRST),
        "the published state " + when);
  }

  /** The night read the input's changes since the last published night, and only those. */
  private static void assertIncremental(JobRunner run) {
    assertTrue(run.lastLine().contains(" mode=incremental mode_reason=" + PlanNight.CHANGES_SINCE_VERSION),
        run.lastLine());
  }


  private static void append(Dataset<Row> rows, String table) {
    rows.write().format("delta").mode("append").save(table);
  }
}
