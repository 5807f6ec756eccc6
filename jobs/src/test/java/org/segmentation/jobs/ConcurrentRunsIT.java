package org.segmentation.jobs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.segmentation.io.TableCatalog;
import org.segmentation.io.TableSpec;

/**
 * Two runs of the same date at once, made to overlap for certain: run A is held inside its first commit (its Delta
 * transaction started, its files written) by {@link PausingLogStore} while run B runs from start to end; then A's
 * commit meets B's. A must lose with {@code concurrent_write} and one line of explanation, and the tables must be B's.
 */
class ConcurrentRunsIT {
  static final LocalDate DATE = LocalDate.of(2026, 11, 20);

  @TempDir
  static Path dir;
  static Path config;

  @BeforeAll
  static void sampleData() throws Exception {
    config = SampleLake.create(dir, 800, 6_000, 9, DATE, "clustering { k = 3, restarts = 1 }");
  }

  private static String[] args(Path lake, String... more) {
    List<String> all = new ArrayList<>(List.of("--config", config.toString(),
        "--run-date", DATE.toString(), "--set", "segments.lake.root=\"" + lake + "\""));
    all.addAll(List.of(more));
    return all.toArray(String[]::new);
  }

  @Test
  void twoOverlappingRunsOfADateLeaveOneWinnerAndItsTables() throws Exception {
    Path lake = dir.resolve("lake");
    Path gate = dir.resolve("commit-gate");
    Files.writeString(gate, "closed");
    ChildJob held = ChildJob.start(line -> false, true, args(lake,
        "--set", "segments.spark.conf.\"spark.delta.logStore.file.impl\"=\"" + PausingLogStore.class.getName() + "\"",
        "--set", "segments.spark.conf.\"spark.hadoop." + PausingLogStore.GATE + "\"=\"" + gate + "\""));
    Path waiting = Path.of(gate + ".waiting");
    long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(3);
    while (!Files.exists(waiting)) {
      assertTrue(System.nanoTime() < deadline, "run A never reached its first commit:\n" + held.output());
      Thread.sleep(100);
    }

    ChildJob winner = ChildJob.start(args(lake));
    assertEquals(0, winner.waitFor(), winner.output());
    Files.delete(gate); // A's commit goes on, and meets B's
    int status = held.waitFor();

    assertEquals(1, status, held.output());
    assertTrue(held.summary().startsWith("result=failed exit=1"), held.output());
    assertTrue(held.summary().contains("reason=concurrent_write"), held.output());
    assertFalse(held.output().contains("\tat "), "a conflict is explained in one line, no stack trace:\n"
        + held.output());
    // The tables are the winner's: a plain reader sees what the contract gives, one row per customer.
    for (TableSpec table : KillAnywhereIT.DATED) {
      assertEquals(KillAnywhereIT.contractRows(lake, table, DATE), FailureRecoveryTest.plainRows(lake, table, DATE),
          table.name());
    }
    List<String> customers = FailureRecoveryTest.plainRows(lake, TableCatalog.CUSTOMER_SEGMENTS, DATE);
    assertTrue(customers.size() > 700, "customers: " + customers.size());
    assertEquals(1, KillAnywhereIT.runLogRows(lake, "published"));
    assertEquals(1, KillAnywhereIT.runLogRows(lake, "failed"));
  }
}
