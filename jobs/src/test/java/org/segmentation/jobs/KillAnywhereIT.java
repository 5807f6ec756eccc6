package org.segmentation.jobs;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.lit;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.Stream;
import org.apache.spark.sql.Row;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.segmentation.TestSpark;
import org.segmentation.bench.LakeDiff;
import org.segmentation.config.LakeSettings;
import org.segmentation.io.LakeTables;
import org.segmentation.io.RunLog;
import org.segmentation.io.TableCatalog;
import org.segmentation.io.TableSpec;

/**
 * The job killed (SIGKILL, in a JVM of its own) at every step boundary and at a few seeded random instants, one kill
 * after the other on the same lake, all while rerunning a published date with other settings (3 score bins, so its
 * rows differ). After each kill, the published night is intact through the contract for every table; a run killed
 * before its first write (after its repair_tables) also leaves every table as a plain reader expects, which proves
 * that the start of each run repaired the previous kill's leftovers. A last, uninterrupted rerun ends with exactly the
 * tables of an uninterrupted run on an untouched copy of the lake, row for row, for every table.
 *
 * <p>Kill points alternate between writes and earlier steps, so each repair has leftovers to repair.
 */
class KillAnywhereIT {
  static final LocalDate DATE = LocalDate.of(2026, 11, 20);
  static final List<TableSpec> DATED = TableCatalog.ALL.stream().filter(TableSpec::partitionedByRunDate).toList();
  /** Steps after which a run has not written yet (its repair_tables done). */
  static final List<String> BEFORE_WRITES = List.of("repair_tables", "load_validate", "quality_gate", "features",
      "profile_match", "rfm_scoring", "clustering", "assemble_tables");
  static final List<String> WRITES = List.of("write_customer_segments", "write_segment_summary",
      "write_segment_transitions", "write_quarantine", "write_cluster_profiles");
  static final long RANDOM_SEED = 20261120L;

  @TempDir
  static Path dir;
  static Path config;
  static Path published;

  @BeforeAll
  static void publishTheNightBeforeAndTheDate() throws Exception {
    config = SampleLake.create(dir, 800, 6_000, 5, DATE, "clustering { k-min = 3, k-max = 4, restarts = 1 }");
    published = dir.resolve("published");
    for (LocalDate date : List.of(DATE.minusDays(1), DATE)) {
      JobRunner run = JobRunner.run(args(published, date));
      assertEquals(0, run.status(), run.toString());
    }
  }

  static String[] args(Path lake, LocalDate date, String... more) {
    List<String> all = new ArrayList<>(List.of("--config", config.toString(), "--run-date", date.toString(),
        "--set", "segments.lake.root=\"" + lake + "\""));
    all.addAll(List.of(more));
    return all.toArray(String[]::new);
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
    Path to = dir.resolve(name);
    try (Stream<Path> files = Files.walk(from)) {
      for (Path file : files.toList()) {
        Files.copy(file, to.resolve(from.relativize(file).toString()),
            java.nio.file.StandardCopyOption.COPY_ATTRIBUTES); // Delta dates commits by file time
      }
    }
    return to;
  }

  @Test
  void killedAnywhereTheNightStaysPublishedAndARerunEndsAsIfNothingHappened() throws Exception {
    Path reference = copy(published, "reference");
    JobRunner uninterrupted = JobRunner.run(rerunWithOtherSettings(reference));
    assertEquals(0, uninterrupted.status(), uninterrupted.toString());

    Path lake = copy(published, "killed");
    Map<String, List<String>> before = contractNight(lake);
    List<String> boundaries = new ArrayList<>();
    for (int i = 0; i < Math.max(WRITES.size(), BEFORE_WRITES.size()); i++) {
      if (i < WRITES.size()) {
        boundaries.add(WRITES.get(i));
      }
      if (i < BEFORE_WRITES.size()) {
        boundaries.add(BEFORE_WRITES.get(i));
      }
    }
    int kills = 0;
    boolean leftovers = false; // the previous kill came after a write
    for (String step : boundaries) {
      ChildJob killed = ChildJob.start(line -> line.startsWith("stage=" + step + " "), rerunWithOtherSettings(lake));
      assertNotEquals(0, killed.waitFor(), "killed after " + step + ":\n" + killed.output());
      assertTrue(killed.output().contains("stage=" + step + " "), killed.output());
      kills++;
      assertEquals(before, contractNight(lake), "the published night after a kill after " + step);
      if (BEFORE_WRITES.contains(step)) {
        // this run repaired the leftovers of the kill before it, and wrote nothing itself
        assertEquals(leftovers, !killed.output().contains("stage=repair_tables restored=none"), killed.output());
        for (TableSpec table : DATED) {
          assertEquals(before.get(table.name()), FailureRecoveryTest.plainRows(lake, table, DATE),
              table.name() + " as a plain reader sees it, after a kill after " + step);
        }
      }
      leftovers = WRITES.contains(step);
    }
    Random random = new Random(RANDOM_SEED);
    for (int i = 0; i < 3; i++) {
      long millis = 3_000 + random.nextInt(20_000);
      ChildJob killed = ChildJob.start(rerunWithOtherSettings(lake)).killAfter(millis);
      int status = killed.waitFor();
      kills++;
      if (status == 0) { // it finished before the instant: then it published the new night, as a rerun would
        break;
      }
      assertEquals(before, contractNight(lake), "the published night after a kill at " + millis + " ms");
    }

    // killed right after its run_log row: the new night is published, and stays so
    ChildJob afterRunLog = ChildJob.start(line -> line.startsWith("stage=write_run_log "),
        rerunWithOtherSettings(lake));
    afterRunLog.waitFor();
    kills++;
    assertNotEquals(before, contractNight(lake), afterRunLog.output());

    ChildJob rerun = ChildJob.start(rerunWithOtherSettings(lake));
    assertEquals(0, rerun.waitFor(), rerun.output());
    for (String line : LakeDiff.compare(TestSpark.get(), reference.toString(), lake.toString())) {
      if (DATED.stream().anyMatch(t -> line.startsWith("table=" + t.name() + " "))) {
        assertTrue(line.endsWith("result=same"), line + "\n(" + kills + " kills)");
      }
    }
    for (TableSpec table : DATED) {
      assertEquals(contractRows(lake, table, DATE), FailureRecoveryTest.plainRows(lake, table, DATE), table.name());
    }
    System.out.println("KillAnywhereIT: " + kills + " kills");
  }
}
