package org.segmentation.pipeline;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.spark.SparkContext;
import org.apache.spark.sql.SparkSession;
import org.segmentation.config.JobSettings;
import org.segmentation.config.RunSettings;
import org.segmentation.run.Progress;
import org.segmentation.run.StepTimeoutException;

/**
 * Runs the steps of one run in the order the run book calls them. Each step runs under a Spark job group named
 * {@code segments: <step>} (so the Spark UI and the event log name every job after its step), and ends with its
 * progress line. The runner keeps the results it handed out, in order: a failed run's {@code run_log} row reports
 * what the steps before the failure found, and {@link #close()} releases every result's persisted data.
 *
 * <p><b>Guard and time limit.</b> Before each step the runner calls its guard (the lake lease's check: a run that lost
 * its lease writes nothing more). Each step runs in a thread of the runner's while the caller waits for at most the
 * step's time limit ({@link RunSettings#timeLimitOf}); past it, the step's Spark jobs are cancelled, its thread is
 * interrupted and the run fails with {@link StepTimeoutException}. The caller never waits on a step that does not
 * answer an interrupt (a native loop in a fit): the failure path goes on, and the process ends it.
 */
public class StepRunner implements AutoCloseable {
  /** Prefix of every Spark job group and description the job sets. */
  public static final String JOB_GROUP_PREFIX = "segments: ";

  private final RunContext context;
  private final Progress progress;
  private final Runnable guard;
  private final List<StepResult> results = new ArrayList<>();
  private final StepMetrics metrics = new StepMetrics();
  /** Job groups of steps past their limit: a job such a step submits after the cancellation is cancelled as it starts. */
  private final java.util.Set<String> cancelledGroups = java.util.concurrent.ConcurrentHashMap.newKeySet();
  private final org.apache.spark.scheduler.SparkListener lateJobs = new org.apache.spark.scheduler.SparkListener() {
    @Override
    public void onJobStart(org.apache.spark.scheduler.SparkListenerJobStart job) {
      String group = job.properties() == null ? null : job.properties().getProperty("spark.jobGroup.id");
      if (group != null && cancelledGroups.contains(group)) {
        context.spark().sparkContext().cancelJob(job.jobId(), "its step ran past its time limit");
      }
    }
  };
  private final ExecutorService stepThread = Executors.newSingleThreadExecutor(task -> {
    Thread thread = new Thread(task, "segments-step");
    thread.setDaemon(true); // a step stuck past its limit does not keep the process alive
    return thread;
  });

  /** A runner without a guard (a dry run, which writes nothing, and tools). */
  public StepRunner(RunContext context, Progress progress) {
    this(context, progress, () -> { });
  }

  /** @param guard called before each step; throws to stop the run (the lake lease's check) */
  public StepRunner(RunContext context, Progress progress, Runnable guard) {
    this.context = context;
    this.progress = progress;
    this.guard = guard;
    if (context != null) {
      context.spark().sparkContext().addSparkListener(metrics);
      context.spark().sparkContext().addSparkListener(lateJobs);
    }
  }

  public RunContext context() {
    return context;
  }

  /** Runs {@code step} and returns its result; the step's exception, if any, ends the run. */
  public <R extends StepResult> R run(Step<R> step) {
    guard.run();
    progress.begin(step.name());
    long started = System.nanoTime();
    Future<R> running = stepThread.submit(() -> execute(step));
    try {
      R result = waitFor(step.name(), running);
      results.add(result);
      progress.end(step.name(), result.progressDetails());
      return result;
    } catch (RuntimeException | Error e) {
      progress.abandon(step.name());
      throw e;
    } finally {
      metrics.stepEnded(step.name(), (System.nanoTime() - started) / 1e9);
    }
  }

  /**
   * Runs independent steps side by side, at most {@code segments.run.parallel-table-writes} at a time (the night's
   * table writes: each its own Delta transaction on its own table), each under its own job group, guard check, time
   * limit and progress line (printed as it ends). Returns their results in the order given, once every step has
   * ended. When one fails, the steps not yet started are skipped and those running finish or fail before its exception
   * is thrown, so that the failure path never meets a write in flight.
   */
  public <R extends StepResult> List<R> runSideBySide(List<? extends Step<R>> steps) {
    return runSideBySide(steps, context.settings().run().parallelTableWrites());
  }

  /** {@link #runSideBySide(List)} with at most {@code parallelism} steps at a time (1: one after the other). */
  public <R extends StepResult> List<R> runSideBySide(List<? extends Step<R>> steps, int parallelism) {
    if (steps.size() <= 1 || parallelism <= 1) {
      return steps.stream().map(this::run).toList();
    }
    ExecutorService pool = Executors.newFixedThreadPool(Math.min(parallelism, steps.size()), task -> {
      Thread thread = new Thread(task, "segments-step-side-by-side");
      thread.setDaemon(true);
      return thread;
    });
    try {
      List<Future<R>> running = new ArrayList<>();
      AtomicBoolean failed = new AtomicBoolean();
      for (Step<R> step : steps) {
        running.add(pool.submit(() -> {
          if (failed.get()) {
            return null; // skipped: the run fails anyway
          }
          guard.run();
          progress.begin(step.name());
          long started = System.nanoTime();
          try {
            R result = execute(step);
            progress.end(step.name(), result.progressDetails());
            return result;
          } catch (RuntimeException | Error e) {
            failed.set(true);
            progress.abandon(step.name());
            throw e;
          } finally {
            metrics.stepEnded(step.name(), (System.nanoTime() - started) / 1e9);
          }
        }));
      }
      List<R> done = new ArrayList<>();
      RuntimeException firstFailure = null;
      for (int i = 0; i < steps.size(); i++) {
        try {
          R result = waitFor(steps.get(i).name(), running.get(i));
          if (result != null) {
            done.add(result);
          }
        } catch (RuntimeException e) {
          if (firstFailure == null) {
            firstFailure = e;
          } else {
            firstFailure.addSuppressed(e);
          }
        }
      }
      results.addAll(done);
      if (firstFailure != null) {
        throw firstFailure;
      }
      return done;
    } finally {
      pool.shutdownNow();
    }
  }

  /** Runs the step in this thread under its job group (the caller's thread is one of the runner's). */
  private <R extends StepResult> R execute(Step<R> step) {
    SparkSession session = context.spark();
    SparkContext spark = session.sparkContext();
    String group = JOB_GROUP_PREFIX + step.name();
    SparkSession.setActiveSession(session);
    // interruptOnCancel: a cancelled step's tasks stop at once (only a time limit cancels a step)
    spark.setJobGroup(group, group + " run_date=" + context.runDate(), true);
    try {
      return step.execute(context);
    } finally {
      spark.clearJobGroup();
    }
  }

  private <R> R waitFor(String step, Future<R> running) {
    String group = JOB_GROUP_PREFIX + step;
    Duration limit = timeLimitOf(step);
    try {
      return running.get(limit.toMillis(), TimeUnit.MILLISECONDS);
    } catch (TimeoutException e) {
      cancel(group);
      running.cancel(true);
      throw new StepTimeoutException("Step " + step + " ran past its time limit of " + describe(limit)
          + " (segments.run.step-time-limit, or step-time-limits." + step + "): its Spark jobs were cancelled and "
          + "the run stopped; the previous night stays published. Look at the step in the Spark UI or event log "
          + "(job group '" + group + "'), then retry or raise the limit");
    } catch (InterruptedException e) {
      cancel(group);
      running.cancel(true);
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while step " + step + " ran", e);
    } catch (ExecutionException e) {
      Throwable cause = e.getCause();
      if (cause instanceof RuntimeException runtime) {
        throw runtime;
      }
      if (cause instanceof Error error) {
        throw error;
      }
      throw new IllegalStateException("Step " + step + " failed: " + cause, cause);
    }
  }

  /**
   * Cancels the step's jobs, those running now and any it still submits (a step on a busy driver may submit its job
   * after its limit has passed: a cancellation of the group alone would miss it).
   */
  private void cancel(String group) {
    cancelledGroups.add(group);
    context.spark().sparkContext().cancelJobGroup(group);
  }

  private Duration timeLimitOf(String step) {
    JobSettings settings = context.settings();
    return (settings == null || settings.run() == null ? RunSettings.DEFAULTS : settings.run()).timeLimitOf(step);
  }

  private static String describe(Duration limit) {
    return limit.toSeconds() % 60 == 0 ? limit.toMinutes() + " min" : limit.toMillis() / 1000.0 + " s";
  }

  /**
   * The run so far as one line of JSON: run id, run date, status, exit code, reason (when failed), seconds since the
   * start, the fields the steps' results add ({@link StepResult#summaryFields}), and per step its seconds and the totals
   * of its Spark tasks (records read and written, shuffle bytes, spill). Printed at the end of a run and stored in its run_log row.
   */
  public String summaryJson(String status, int exitCode, String reason) {
    java.util.Map<String, Object> fields = StepMetrics.fields();
    fields.put("run_id", context.runId());
    fields.put("run_date", context.runDate().toString());
    fields.put("status", status);
    fields.put("exit_code", exitCode);
    if (reason != null) {
      fields.put("reason", reason);
    }
    double seconds = java.time.Duration.between(context.startedAt(), java.time.Instant.now()).toMillis() / 1000.0;
    fields.put("seconds", Math.round(seconds * 10) / 10.0);
    fields.put("spark_job_seconds", Math.round(metrics.sparkJobSeconds() * 10) / 10.0);
    results.forEach(result -> fields.putAll(result.summaryFields()));
    return metrics.json(fields);
  }

  /**
   * Where the run's time went so far, for the summary line: {@code spark_job_seconds=} (at least one Spark job of a
   * step running) and {@code outside_spark_seconds=} (the rest: planning, commits, driver work, start-up).
   */
  public String timeSplit() {
    double seconds = java.time.Duration.between(context.startedAt(), java.time.Instant.now()).toMillis() / 1000.0;
    double spark = metrics.sparkJobSeconds();
    return String.format(java.util.Locale.ROOT, "spark_job_seconds=%.1f outside_spark_seconds=%.1f", spark,
        Math.max(0, seconds - spark));
  }

  /** The latest result of the given type, if a step has produced one. */
  public <R extends StepResult> Optional<R> latest(Class<R> type) {
    for (int i = results.size() - 1; i >= 0; i--) {
      if (type.isInstance(results.get(i))) {
        return Optional.of(type.cast(results.get(i)));
      }
    }
    return Optional.empty();
  }

  @Override
  public void close() {
    stepThread.shutdownNow();
    // A fatal error in a task (a StackOverflowError, say) stops the SparkContext mid-run: its cache went with it, and
    // unpersisting then fails with a NullPointerException that would hide the run's own failure.
    boolean stopped = context != null && context.spark().sparkContext().isStopped();
    if (context != null && !stopped) {
      context.spark().sparkContext().removeSparkListener(metrics);
      context.spark().sparkContext().removeSparkListener(lateJobs);
    }
    if (!stopped) {
      results.forEach(StepResult::release);
    }
    results.clear();
  }
}
