package org.segmentation.jobs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.segmentation.TestTier;
import org.segmentation.io.LakeLease;
import org.segmentation.io.TableCatalog;
import org.segmentation.io.TableSpec;

/**
 * Runs that meet on one lake. Only one run holds a lake at a time (its lease): a run started while another writes
 * exits at once with status 75 ({@code lake_busy}) having changed nothing, and every published night reads whole,
 * through the contract and for a plain reader alike.
 *
 * <p>The first case is the one that lost a night before the lease: a run for a date (X) held inside its first table
 * commit by {@link PausingLogStore}, and meanwhile a run for the next date (Y), whose start-up repair used to take
 * X's fresh writes for a killed run's leftovers and put them back, so X recorded a night no plain reader could see.
 * The fast tier runs that case; the others (a race of two starts, a backfill, a killed holder) run with -Pfull.
 */
class ConcurrentRunsIT {
  static final LocalDate DATE = LocalDate.of(2026, 11, 20);
  static final int LAKE_BUSY = ExitCode.LAKE_BUSY.status();

  @TempDir
  static Path dir;
  static Path config;

  @BeforeAll
  static void sampleData() throws Exception {
    config = SampleLake.create(dir, 800, 6_000, 9, DATE.plusDays(1), "clustering { k = 3, restarts = 1 }");
  }

  private static String[] args(Path lake, LocalDate date, String... more) {
    return SampleLake.jobArgs(config, lake, date, more);
  }

  /** Every file under the lake but the lease's, with its size: what "changed nothing" is checked against. */
  static Map<String, Long> files(Path lake) throws IOException {
    Map<String, Long> files = new TreeMap<>();
    try (Stream<Path> all = Files.walk(lake)) {
      for (Path file : all.filter(Files::isRegularFile).toList()) {
        String name = lake.relativize(file).toString();
        if (!name.startsWith(LakeLease.FOLDER)) {
          files.put(name, Files.size(file));
        }
      }
    }
    return files;
  }

  /** Each date published on the lake reads whole: a plain reader sees what the contract gives, for every table. */
  static void everyNightReadsWhole(Path lake, List<LocalDate> dates) {
    for (LocalDate date : dates) {
      for (TableSpec table : KillAnywhereIT.DATED) {
        List<String> contract = KillAnywhereIT.contractRows(lake, table, date);
        assertEquals(contract, FailureRecoveryTest.plainRows(lake, table, date), table.name() + "@" + date);
      }
      int customers = KillAnywhereIT.contractRows(lake, TableCatalog.CUSTOMER_SEGMENTS, date).size();
      assertTrue(customers > 700, date + ": " + customers + " customers");
    }
  }

  static void assertLakeBusy(ChildJob run, int status) {
    assertLakeBusy(status, run.summary(), run.output());
  }

  static void assertLakeBusy(int status, String summary, String output) {
    assertEquals(LAKE_BUSY, status, output);
    assertTrue(summary.startsWith("result=failed exit=75"), output);
    assertTrue(summary.contains("reason=lake_busy"), output);
    assertFalse(output.contains("stage=load_validate"), "a busy lake is left before any input is read:\n" + output);
  }

  @Test
  void aRunForAnotherDateStartedWhileOneWritesChangesNothingAndNoNightIsLost() throws Exception {
    Path lake = dir.resolve("two-dates");
    // X is the other process; the night before, Y and Y's retry run in this JVM (warm: a JVM each costs a minute)
    JobRunner before = JobRunner.run(args(lake, DATE.minusDays(1)));
    assertEquals(0, before.status(), before.toString());

    Path gate = dir.resolve("commit-gate");
    Files.writeString(gate, "closed");
    // X writes one table at a time, so that it stands still at its first commit and every file change while it
    // waits is Y's (side by side, X's other writes would go on committing)
    ChildJob x = ChildJob.start(line -> false, true, args(lake, DATE, "--set", "segments.run.parallel-table-writes=1",
        "--set", "segments.spark.conf.\"spark.delta.logStore.file.impl\"=\"" + PausingLogStore.class.getName() + "\"",
        "--set", "segments.spark.conf.\"spark.hadoop." + PausingLogStore.GATE + "\"=\"" + gate + "\""));
    Path waiting = Path.of(gate + ".waiting");
    long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(3);
    while (!Files.exists(waiting)) {
      assertTrue(System.nanoTime() < deadline, "run X never reached its first commit:\n" + x.output());
      Thread.sleep(100);
    }

    Map<String, Long> whileXWrites = files(lake);
    JobRunner y = JobRunner.run(args(lake, DATE.plusDays(1)));
    assertLakeBusy(y.status(), y.lastLine(), y.toString());
    assertTrue(y.toString().contains("in use by run " + DATE + "_"), "names the run that holds the lake:\n" + y);
    assertEquals(whileXWrites, files(lake), "the busy run changed nothing");

    Files.delete(gate); // X commits and publishes
    assertEquals(0, x.waitFor(), x.output());
    JobRunner yAgain = JobRunner.run(args(lake, DATE.plusDays(1))); // the orchestrator's retry
    assertEquals(0, yAgain.status(), yAgain.toString());
    assertTrue(yAgain.out().contains("stage=repair_tables restored=none"), yAgain.toString());

    everyNightReadsWhole(lake, List.of(DATE.minusDays(1), DATE, DATE.plusDays(1)));
    assertEquals(3, KillAnywhereIT.runLogRows(lake, "published"));
    assertEquals(0, KillAnywhereIT.runLogRows(lake, "failed"), "a busy run records no run of its own");
  }

  @Test
  @Tag(TestTier.FULL) // the busy exit is the first case's; this one is a race of two starts
  void ofTwoRunsOfOneDateStartedTogetherOnePublishesAndTheOtherIsTurnedAway() throws Exception {
    Path lake = dir.resolve("same-date");
    ChildJob first = ChildJob.start(args(lake, DATE));
    ChildJob second = ChildJob.start(args(lake, DATE));
    int firstStatus = first.waitFor();
    int secondStatus = second.waitFor();
    ChildJob busy = firstStatus == 0 ? second : first;
    assertEquals(List.of(0, LAKE_BUSY), List.of(Math.min(firstStatus, secondStatus),
        Math.max(firstStatus, secondStatus)), first.output() + "\n----\n" + second.output());
    assertLakeBusy(busy, LAKE_BUSY);

    everyNightReadsWhole(lake, List.of(DATE));
    assertEquals(1, KillAnywhereIT.runLogRows(lake, "published"));
    assertEquals(0, KillAnywhereIT.runLogRows(lake, "failed"));
  }

  @Test
  @Tag(TestTier.FULL)
  void aNightlyRunBesideABackfillIsTurnedAwayAndTheBackfillPublishesEveryDate() throws Exception {
    Path lake = dir.resolve("backfill");
    ChildJob backfill = ChildJob.start(new String[] {"--config", config.toString(),
        "--from", DATE.minusDays(1).toString(), "--to", DATE.toString(),
        "--set", "segments.lake.root=\"" + lake + "\""});
    long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(3);
    while (!backfill.output().contains("stage=load_validate ")) { // the range holds the lake from its start
      assertTrue(System.nanoTime() < deadline, "the backfill never read its input:\n" + backfill.output());
      Thread.sleep(100);
    }
    ChildJob nightly = ChildJob.start(args(lake, DATE.plusDays(1)));
    assertLakeBusy(nightly, nightly.waitFor());
    assertEquals(0, backfill.waitFor(), backfill.output());
    assertTrue(backfill.summary().startsWith("result=range_published exit=0"), backfill.output());
    everyNightReadsWhole(lake, List.of(DATE.minusDays(1), DATE));
    assertEquals(0, KillAnywhereIT.runLogRows(lake, "failed"));
  }

  @Test
  @Tag(TestTier.FULL) // the fast tier's KillAnywhereIT takes over a killed run's lease after each kill
  void aLeaseLeftByAKilledRunKeepsTheLakeUntilItExpiresThenTheNextRunTakesItOverAndPublishes() throws Exception {
    Path lake = dir.resolve("killed-holder");
    String[] expiry = {"--set", "segments.run.lease-expires-after=45s", "--set", "segments.run.lease-renew-every=3s"};
    ChildJob published = ChildJob.start(args(lake, DATE.minusDays(1), expiry));
    assertEquals(0, published.waitFor(), published.output());
    // killed after its first table write: it holds the lease and has left rows it never published
    ChildJob killed = ChildJob.start(line -> line.startsWith("stage=write_customer_segments "),
        args(lake, DATE, expiry));
    long killedAt;
    assertTrue(killed.waitFor() != 0, killed.output());
    killedAt = System.nanoTime();
    Map<String, Long> leftByTheKill = files(lake);

    ChildJob tooEarly = ChildJob.start(args(lake, DATE, expiry));
    assertLakeBusy(tooEarly, tooEarly.waitFor());
    assertTrue(TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - killedAt) < 45, "the check came too late");
    assertEquals(leftByTheKill, files(lake));

    long wait = TimeUnit.SECONDS.toMillis(46) - TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - killedAt);
    Thread.sleep(Math.max(0, wait));
    ChildJob next = ChildJob.start(args(lake, DATE, expiry));
    assertEquals(0, next.waitFor(), next.output());
    assertTrue(next.output().contains("lease=taken_over previous_holder=\"run " + DATE + "_"), next.output());
    assertTrue(next.output().contains("restored=customer_segments@" + DATE), "the killed run's leftovers:\n"
        + next.output());
    everyNightReadsWhole(lake, List.of(DATE.minusDays(1), DATE));
  }
}
