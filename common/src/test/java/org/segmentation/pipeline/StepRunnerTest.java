package org.segmentation.pipeline;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.ConfigFactory;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.LocalDate;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.segmentation.TestSpark;
import org.segmentation.config.JobSettings;
import org.segmentation.config.SettingsLoader;
import org.segmentation.run.LeaseLostException;
import org.segmentation.run.Progress;
import org.segmentation.run.StepTimeoutException;

/**
 * The step runner's time limit and guard: a step past its limit fails the run with {@code step_timeout} on time,
 * whether it waits in Spark tasks (cancelled) or loops on the driver without ever looking at an interrupt (the
 * GaussianMixture fit that looped in LAPACK); a guard that throws stops the run before the step starts.
 */
class StepRunnerTest {
  /** A step that runs {@code body} and returns nothing of note. */
  record Blocking(String name, Runnable body) implements Step<Done> {
    @Override
    public Done execute(RunContext run) {
      body.run();
      return new Done();
    }
  }

  record Done() implements StepResult {
    @Override
    public String progressDetails() {
      return "done";
    }
  }

  static RunContext context(String limits) {
    JobSettings settings = JobSettings.read(SettingsLoader.layer(ConfigFactory.parseString("""
        segments.inputs.purchases { path = "unused", columns { customer_id = "c", order_id = "o", amount = "a" } }
        segments.inputs.profiles.enabled = false
        segments.run {
        """ + limits + "\n}"), Map.of()));
    return new RunContext(TestSpark.get(), settings, LocalDate.of(2026, 12, 3), "2026-12-03_test", Instant.now(), "");
  }

  static StepRunner runner(RunContext run, Runnable guard) {
    return new StepRunner(run, new Progress(new PrintStream(new ByteArrayOutputStream(), true,
        StandardCharsets.UTF_8), 0), guard);
  }

  @Test
  @Timeout(value = 2, unit = TimeUnit.MINUTES, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
  void aStepWaitingInSparkTasksIsCancelledAtItsLimit() {
    RunContext run = context("step-time-limits { slow_job = 3s }");
    try (StepRunner steps = runner(run, () -> { })) {
      long started = System.nanoTime();
      StepTimeoutException timeout = assertThrows(StepTimeoutException.class, () -> steps.run(new Blocking("slow_job",
          () -> run.spark().range(0, 2, 1, 2).foreach(
              (org.apache.spark.api.java.function.ForeachFunction<Long>) i -> Thread.sleep(600_000)))));
      double seconds = (System.nanoTime() - started) / 1e9;
      assertEquals("step_timeout", timeout.reasonCode());
      assertTrue(timeout.getMessage().startsWith("Step slow_job ran past its time limit of 3.0 s"),
          timeout.getMessage());
      assertTrue(seconds >= 3 && seconds < 30, seconds + " s");
      // the tasks were cancelled: the session runs the next job at once
      assertEquals(10, run.spark().range(10).count());
    }
  }

  @Test
  @Timeout(value = 2, unit = TimeUnit.MINUTES, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
  void aStepLoopingOnTheDriverDeafToInterruptsStillFailsOnTime() {
    AtomicBoolean testOver = new AtomicBoolean();
    try (StepRunner steps = runner(context("step-time-limit = 2s"), () -> { })) {
      long started = System.nanoTime();
      assertThrows(StepTimeoutException.class, () -> steps.run(new Blocking("native_loop", () -> {
        while (!testOver.get()) {
          Thread.onSpinWait(); // never looks at its interrupt, like a LAPACK loop
        }
      })));
      assertTrue((System.nanoTime() - started) / 1e9 < 20);
    } finally {
      testOver.set(true);
    }
  }

  @Test
  void aStepWithinItsLimitReturnsItsResultAndItsFailureIsTheRunsFailure() {
    try (StepRunner steps = runner(context("step-time-limit = 1m"), () -> { })) {
      assertEquals(new Done(), steps.run(new Blocking("quick", () -> { })));
      IllegalStateException failure = assertThrows(IllegalStateException.class,
          () -> steps.run(new Blocking("failing", () -> {
            throw new IllegalStateException("the step's own failure");
          })));
      assertEquals("the step's own failure", failure.getMessage());
    }
  }

  @Test
  void aGuardThatThrowsStopsTheRunBeforeTheStep() {
    AtomicBoolean ran = new AtomicBoolean();
    try (StepRunner steps = runner(context(""), () -> {
      throw new LeaseLostException("lost");
    })) {
      assertThrows(LeaseLostException.class, () -> steps.run(new Blocking("write", () -> ran.set(true))));
      assertTrue(!ran.get());
    }
  }

  /** A step that records itself and returns its name, for the side-by-side runs. */
  record Named(String name, Runnable body) implements Step<Ran> {
    @Override
    public Ran execute(RunContext run) {
      body.run();
      return new Ran(name);
    }
  }

  record Ran(String name) implements StepResult {
    @Override
    public String progressDetails() {
      return "ran=" + name;
    }
  }

  static void await(java.util.concurrent.CountDownLatch latch) {
    try {
      assertTrue(latch.await(30, TimeUnit.SECONDS), "the other steps never ran at the same time");
    } catch (InterruptedException e) {
      throw new IllegalStateException(e);
    }
  }

  @Test
  @Timeout(value = 2, unit = TimeUnit.MINUTES, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
  void sideBySideStepsOverlapEachPrintsItsLineAndTheResultsKeepTheirOrder() {
    // each of three steps waits until all three have started: one by one, they would never finish
    java.util.concurrent.CountDownLatch allStarted = new java.util.concurrent.CountDownLatch(3);
    Runnable meet = () -> {
      allStarted.countDown();
      await(allStarted);
    };
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (StepRunner steps = new StepRunner(context(""), new Progress(new PrintStream(out, true,
        StandardCharsets.UTF_8), 0))) {
      java.util.List<Ran> results = steps.runSideBySide(java.util.List.of(new Named("write_a", meet),
          new Named("write_b", meet), new Named("write_c", meet)), 4);
      assertEquals(java.util.List.of(new Ran("write_a"), new Ran("write_b"), new Ran("write_c")), results);
      assertEquals(new Ran("write_c"), steps.latest(Ran.class).orElseThrow());
    }
    java.util.List<String> lines = out.toString(StandardCharsets.UTF_8).lines().sorted().toList();
    assertEquals(3, lines.size(), lines.toString());
    for (String step : java.util.List.of("a", "b", "c")) {
      assertTrue(lines.stream().anyMatch(line -> line.startsWith("stage=write_" + step + " ran=write_" + step
          + " seconds=")), lines.toString());
    }
  }

  @Test
  @Timeout(value = 2, unit = TimeUnit.MINUTES, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
  void whenOneSideBySideStepFailsTheOthersEndBeforeItsFailureIsThrownAndNoNewOneStarts() {
    AtomicBoolean slowEnded = new AtomicBoolean();
    AtomicBoolean laterRan = new AtomicBoolean();
    java.util.concurrent.CountDownLatch slowStarted = new java.util.concurrent.CountDownLatch(1);
    try (StepRunner steps = runner(context(""), () -> { })) {
      IllegalStateException failure = assertThrows(IllegalStateException.class, () -> steps.runSideBySide(
          java.util.List.of(new Named("write_failing", () -> {
            await(slowStarted); // fails while the other is in flight
            throw new IllegalStateException("the write's own failure");
          }), new Named("write_slow", () -> {
            slowStarted.countDown();
            sleep(1_500);
            slowEnded.set(true);
          }), new Named("write_later", () -> laterRan.set(true))), 2));
      assertEquals("the write's own failure", failure.getMessage());
      assertTrue(slowEnded.get(), "the failure path must never meet a write in flight");
      assertTrue(!laterRan.get(), "a write not yet started when one failed is skipped");
    }
  }

  @Test
  void withParallelismOneTheStepsRunOneByOneInOrder() {
    java.util.List<String> order = java.util.Collections.synchronizedList(new java.util.ArrayList<>());
    try (StepRunner steps = runner(context(""), () -> { })) {
      steps.runSideBySide(java.util.List.of(new Named("write_a", () -> {
        sleep(300);
        order.add("a");
      }), new Named("write_b", () -> order.add("b"))), 1);
    }
    assertEquals(java.util.List.of("a", "b"), order);
  }

  static void sleep(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      throw new IllegalStateException(e);
    }
  }
}
