package org.segmentation.io;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.apache.hadoop.conf.Configuration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.segmentation.run.LakeBusyException;
import org.segmentation.run.LeaseLostException;

/** The lake lease on a local disk: one holder at a time, release, expiry and take-over, a race of many takers. */
class LakeLeaseTest {
  private static final Duration EXPIRY = Duration.ofMinutes(5);
  private static final Duration NEVER = Duration.ofDays(1); // no renewal during a test that moves the clock by hand

  @TempDir
  Path lake;

  /** A clock the test moves. */
  static final class ManualClock extends Clock {
    private volatile Instant now = Instant.parse("2026-12-04T02:00:00Z");

    void advance(Duration by) {
      now = now.plus(by);
    }

    @Override
    public Instant instant() {
      return now;
    }

    @Override
    public java.time.ZoneId getZone() {
      return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(java.time.ZoneId zone) {
      return this;
    }
  }

  private LakeLease lease(Clock clock) {
    return new LakeLease(new Configuration(), lake.toString(), clock);
  }

  @Test
  void aSecondRunIsTurnedAwayUntilTheFirstReleases() {
    ManualClock clock = new ManualClock();
    LakeLease.Held first = lease(clock).take("2026-12-03_run-a", EXPIRY, NEVER);
    LakeBusyException busy = assertThrows(LakeBusyException.class,
        () -> lease(clock).take("2026-12-04_run-b", EXPIRY, NEVER));
    assertEquals("lake_busy", busy.reasonCode());
    assertTrue(busy.getMessage().contains("run 2026-12-03_run-a"), busy.getMessage());
    assertTrue(busy.getMessage().contains("300 s from now"), busy.getMessage());
    assertDoesNotThrow(first::check);
    first.close();

    LakeLease.Held second = lease(clock).take("2026-12-04_run-b", EXPIRY, NEVER);
    assertTrue(second.tookOverFrom().isEmpty(), "a released lease is taken, not taken over");
    assertEquals(2, second.sequence(), "records: taken by a, released by a, taken by b");
    second.close();
  }

  @Test
  void aLeaseNotRenewedIsTakenOverAfterItsExpiryAndItsHolderStops() {
    ManualClock clock = new ManualClock();
    LakeLease.Held killed = lease(clock).take("2026-12-03_killed", EXPIRY, NEVER);
    clock.advance(EXPIRY.minusSeconds(1));
    assertThrows(LakeBusyException.class, () -> lease(clock).take("2026-12-03_too-early", EXPIRY, NEVER));
    clock.advance(Duration.ofSeconds(1));

    LakeLease.Held next = lease(clock).take("2026-12-03_next", EXPIRY, NEVER);
    assertEquals("2026-12-03_killed", next.tookOverFrom().orElseThrow().runId());
    // the old holder, were it alive after all, stops at its next check and does not release the new holder's lease
    LeaseLostException lost = assertThrows(LeaseLostException.class, killed::check);
    assertEquals("lease_lost", lost.reasonCode());
    killed.close();
    assertThrows(LakeBusyException.class, () -> lease(clock).take("2026-12-03_third", EXPIRY, NEVER));
    next.close();
  }

  @Test
  void aHolderThatCouldNotRenewInTimeStopsBeforeItsNextWrite() {
    ManualClock clock = new ManualClock();
    LakeLease.Held held = lease(clock).take("2026-12-03_paused", EXPIRY, NEVER);
    clock.advance(EXPIRY);
    assertThrows(LeaseLostException.class, held::check);
    held.close();
  }

  @Test
  void renewalKeepsALiveRunsLeaseBeyondItsExpiry() throws Exception {
    Duration expiry = Duration.ofSeconds(2);
    LakeLease.Held held = lease(Clock.systemUTC()).take("2026-12-03_alive", expiry, Duration.ofMillis(200));
    Thread.sleep(3_000);
    assertThrows(LakeBusyException.class,
        () -> lease(Clock.systemUTC()).take("2026-12-03_other", expiry, Duration.ofMillis(200)));
    assertDoesNotThrow(held::check);
    held.close();
  }

  @Test
  void ofManyRunsRacingForTheLeaseExactlyOneGetsIt() throws Exception {
    int runs = 8;
    ExecutorService pool = Executors.newFixedThreadPool(runs);
    CountDownLatch start = new CountDownLatch(1);
    List<Future<LakeLease.Held>> takes = new ArrayList<>();
    for (int i = 0; i < runs; i++) {
      String runId = "2026-12-03_racer-" + i;
      Callable<LakeLease.Held> take = () -> {
        start.await();
        try {
          return lease(Clock.systemUTC()).take(runId, EXPIRY, NEVER);
        } catch (LakeBusyException e) {
          return null;
        }
      };
      takes.add(pool.submit(take));
    }
    start.countDown();
    List<LakeLease.Held> winners = new ArrayList<>();
    for (Future<LakeLease.Held> take : takes) {
      LakeLease.Held held = take.get();
      if (held != null) {
        winners.add(held);
      }
    }
    pool.shutdown();
    assertEquals(1, winners.size());
    assertEquals(0, winners.get(0).sequence());
    winners.get(0).close();
  }

  @Test
  void aHolderKilledWhileRewritingItsRenewalLeavesALeaseThatStillExpires() throws Exception {
    ManualClock clock = new ManualClock();
    lease(clock).take("2026-12-03_killed-mid-renewal", Duration.ofSeconds(3), NEVER);
    // the renewal file truncated by a rewrite that a SIGKILL cut short, ten seconds ago
    Path renewed = lake.resolve(LakeLease.FOLDER).resolve(String.format("%020d.renewed", 0));
    java.nio.file.Files.writeString(renewed, "");
    java.nio.file.Files.setLastModifiedTime(renewed, java.nio.file.attribute.FileTime.from(
        Instant.now().minusSeconds(10)));
    LakeLease.Held next = lease(Clock.systemUTC()).take("2026-12-03_next", EXPIRY, NEVER);
    assertEquals("2026-12-03_killed-mid-renewal", next.tookOverFrom().orElseThrow().runId());
    next.close();
  }
}
