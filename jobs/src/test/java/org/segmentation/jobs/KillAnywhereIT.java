package org.segmentation.jobs;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.lit;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.apache.spark.sql.Row;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.segmentation.TestSpark;
import org.segmentation.TestTier;
import org.segmentation.bench.LakeDiff;
import org.segmentation.config.LakeSettings;
import org.segmentation.io.LakeTables;
import org.segmentation.io.RunLog;
import org.segmentation.io.TableCatalog;
import org.segmentation.io.TableSpec;

/**
 * The job killed (SIGKILL, in a JVM of its own) at every step boundary and at a seeded random instant, one kill
 * after the other on the same lake, all while rerunning a published date with other settings (3 score bins, so its
 * rows differ). After each kill, the published night is intact through the contract for every table; a run killed
 * before its first write (after its repair_tables) also leaves every table as a plain reader expects, which proves
 * that the start of each run repaired the previous kill's leftovers. A last, uninterrupted rerun ends with exactly the
 * tables of an uninterrupted run on an untouched copy of the lake, row for row, for every table.
 *
 * <p>Kill points alternate between writes and earlier steps, so each repair has leftovers to repair. The full tier
 * ({@code -Pfull}) only: the fast tier's kill at a step boundary (after the commit) and at a random instant are
 * KillSideOutputsIT's.
 */
@Tag(TestTier.FULL)
class KillAnywhereIT {
  static final LocalDate DATE = LocalDate.of(2026, 11, 20);
  /**
   * The dated tables of this lake. It has no audiences, so no audience tables (they exist only where audiences are
   * configured; FailureRecoveryTest and AudiencesTest cover them): a run here has fewer steps to kill.
   */
  static final List<TableSpec> DATED = TableCatalog.ALL.stream().filter(TableSpec::partitionedByRunDate)
      .filter(table -> !TableCatalog.OPTIONAL_TABLES.contains(table)).toList();
  /**
   * Steps after which a run has not written yet: after reading and validating, after the features, after scoring,
   * after clustering and the model save, before the first table write. (The gates and repair_tables end with no work
   * of their own in between: a kill after them is a kill after the step before; nor do clv_fit and clv_scoring write
   * anything, so a kill after them is one in the class of the kill after rfm_scoring, the scoring step after them.)
   */
  static final List<String> BEFORE_WRITES = List.of("load_validate", "features", "rfm_scoring", "clustering",
      "assemble_tables");
  static final List<String> WRITES = List.of("write_customer_segments", "write_segment_summary",
      "write_segment_transitions", "write_quarantine", "write_cluster_profiles", "write_clv_model");
  /** New on every run, so that the kills cover more instants over time; printed, so that a failure reproduces. */
  static final long RANDOM_SEED = Long.getLong("killSeed", System.nanoTime());
  static final String REPRODUCE = " (reproduce with -DkillSeed=" + RANDOM_SEED + ")";
  /** A killed run's lease is taken over seconds later, not minutes (ChildJob.awaitLeaseExpiry waits for it). */
  static final String SHORT_LEASE = "run { lease-expires-after = 3s, lease-renew-every = 1s }";

  @TempDir
  static Path dir;
  static Path config;
  static Path published;

  @BeforeAll
  static void publishTheNightBeforeAndTheDate() throws Exception {
    config = SampleLake.create(dir, 800, 6_000, 5, DATE, "clustering { k = 3, restarts = 1 }\n" + SHORT_LEASE);
    published = dir.resolve("published");
    for (LocalDate date : List.of(DATE.minusDays(1), DATE)) {
      JobRunner run = JobRunner.run(args(published, date));
      assertEquals(0, run.status(), run.toString());
    }
  }

  static String[] args(Path lake, LocalDate date, String... more) {
    return SampleLake.jobArgs(config, lake, date, more);
  }

  static String[] rerunWithOtherSettings(Path lake) {
    return args(lake, DATE, "--set", "segments.rfm.score-bins=3");
  }

  /** A date of a table as the contract gives it: at the version its latest published run recorded, rows as text. */
  static List<String> contractRows(Path lake, TableSpec table, LocalDate date) {
    LakeTables tables = new LakeTables(TestSpark.get(), new LakeSettings(lake.toString()));
    RunLog.PublishedRun run = new RunLog(TestSpark.get(), tables).publishedRunOf(date).orElseThrow();
    return tables.readRunDate(table, date, run.versionOf(table)).collectAsList().stream().map(Row::toString)
        .sorted().toList();
  }

  static Map<String, List<String>> contractNight(Path lake) {
    Map<String, List<String>> night = new LinkedHashMap<>();
    DATED.forEach(table -> night.put(table.name(), contractRows(lake, table, DATE)));
    return night;
  }

  static long runLogRows(Path lake, String status) {
    return TestSpark.get().read().format("delta").load(lake.resolve("run_log").toString())
        .where(col("status").equalTo(lit(status))).count();
  }

  static Path copy(Path from, String name) throws Exception {
    return SampleLake.copy(from, dir.resolve(name));
  }


  @Test
  void killedAnywhereTheNightStaysPublishedAndARerunEndsAsIfNothingHappened() throws Exception {
    Path reference = copy(published, "reference");
    JobRunner uninterrupted = JobRunner.run(rerunWithOtherSettings(reference));
    assertEquals(0, uninterrupted.status(), uninterrupted.toString());

    // A kill after a write alternates with a kill before any write, so each repair has leftovers to put back.
    // (Two lanes side by side on two copies took longer: each killed run is CPU-bound on this machine's 2 cores.)
    List<String> boundaries = new ArrayList<>();
    for (int i = 0; i < Math.max(WRITES.size(), BEFORE_WRITES.size()); i++) {
      if (i < WRITES.size()) {
        boundaries.add(WRITES.get(i));
      }
      if (i < BEFORE_WRITES.size()) {
        boundaries.add(BEFORE_WRITES.get(i));
      }
    }
    System.out.println("KillAnywhereIT: seed=" + RANDOM_SEED + " (rerun with -DkillSeed=" + RANDOM_SEED
        + "), kills after " + boundaries);
    Path lake = copy(published, "killed");
    Map<String, List<String>> before = contractNight(lake);
    int kills = killAtEach(boundaries, lake, before);
    kills = killTheRestAndCompare(lake, reference, before, kills);
    System.out.println("KillAnywhereIT: " + kills + " kills");
  }

  /** Kills one run after each step, in order, on {@code lake}; checks the lake after each. Returns the kills. */
  private static int killAtEach(List<String> steps, Path lake, Map<String, List<String>> before) throws Exception {
    Boolean leftovers = false; // whether the previous kill left writes to repair (NULL: it may have)
    for (String step : steps) {
      long started = System.nanoTime();
      ChildJob killed = ChildJob.start(line -> line.startsWith("stage=" + step + " "), rerunWithOtherSettings(lake));
      assertNotEquals(0, killed.waitFor(), "killed after " + step + ":\n" + killed.output());
      ChildJob.awaitLeaseExpiry(lake);
      System.out.printf("KillAnywhereIT: killed after %s in %.1f s%n", step, (System.nanoTime() - started) / 1e9);
      assertTrue(killed.output().contains("stage=" + step + " "), killed.output());
      assertEquals(before, contractNight(lake), "the published night after a kill after " + step + REPRODUCE);
      if (BEFORE_WRITES.contains(step)) {
        // this run repaired the leftovers of the kill before it, and wrote nothing itself
        if (leftovers != null) {
          assertEquals(leftovers, !killed.output().contains("stage=repair_tables restored=none"), killed.output());
        }
        for (TableSpec table : DATED) {
          assertEquals(before.get(table.name()), FailureRecoveryTest.plainRows(lake, table, DATE),
              table.name() + " as a plain reader sees it, after a kill after " + step + REPRODUCE);
        }
      }
      // What the killed run left: nothing when killed before its writes; something when it printed a table write
      // with rows. A kill after a write of no rows may or may not leave something (Delta skips the commit that
      // replaces an empty date with nothing, and a write side by side may have committed without printing yet).
      boolean wroteRows = killed.output().lines()
          .anyMatch(l -> l.matches("stage=write_(?!run_log |report ).* rows_out=[1-9].*"));
      leftovers = BEFORE_WRITES.contains(step) ? Boolean.FALSE : wroteRows ? Boolean.TRUE : null;
    }
    return steps.size();
  }

  /** Kills at random instants and right after the run_log row, then reruns and compares with the reference. */
  private static int killTheRestAndCompare(Path lake, Path reference, Map<String, List<String>> before, int kills)
      throws Exception {
    long millis = 3_000 + new Random(~RANDOM_SEED).nextInt(20_000);
    System.out.println("KillAnywhereIT: random kill seed=" + RANDOM_SEED + " (rerun with -DkillSeed=" + RANDOM_SEED
        + ") at " + millis + " ms");
    ChildJob killedAnytime = ChildJob.start(rerunWithOtherSettings(lake)).killAfter(millis);
    kills++;
    int anytimeStatus = killedAnytime.waitFor();
    ChildJob.awaitLeaseExpiry(lake);
    if (anytimeStatus != 0) { // (a run that finished before the instant published, as a rerun would)
      assertEquals(before, contractNight(lake), "the published night after a kill at " + millis + " ms (seed "
          + RANDOM_SEED + ")");
    }

    // killed right after its run_log row: the new night is published, and stays so
    ChildJob afterRunLog = ChildJob.start(line -> line.startsWith("stage=write_run_log "),
        rerunWithOtherSettings(lake));
    afterRunLog.waitFor();
    ChildJob.awaitLeaseExpiry(lake);
    kills++;
    assertNotEquals(before, contractNight(lake), afterRunLog.output());

    // the rerun that ends it all is not what is killed: it runs in this JVM, warm
    JobRunner rerun = JobRunner.run(rerunWithOtherSettings(lake));
    assertEquals(0, rerun.status(), rerun.toString());
    assertSameDatedTables(reference, lake, kills + " kills");
    return kills;
  }

  /** Every dated table of {@code lake} is the reference's, row for row, and reads the same plainly and by contract. */
  private static void assertSameDatedTables(Path reference, Path lake, String what) {
    for (String line : LakeDiff.compare(TestSpark.get(), reference.toString(), lake.toString())) {
      if (DATED.stream().anyMatch(t -> line.startsWith("table=" + t.name() + " "))) {
        assertTrue(line.endsWith("result=same"), line + "\n(" + what + REPRODUCE + ")");
      }
    }
    for (TableSpec table : DATED) {
      assertEquals(contractRows(lake, table, DATE), FailureRecoveryTest.plainRows(lake, table, DATE), table.name());
    }
  }
}
