package org.segmentation.pipeline;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.apache.spark.SparkContext;
import org.segmentation.run.Progress;

/**
 * Runs the steps of one run in the order the run book calls them. Each step runs under a Spark job group named
 * {@code segments: <step>} (so the Spark UI and the event log name every job after its step), and ends with its
 * progress line. The runner keeps the results it handed out, in order: a failed run's {@code run_log} row reports
 * what the steps before the failure found, and {@link #close()} releases every result's persisted data.
 */
public class StepRunner implements AutoCloseable {
  /** Prefix of every Spark job group and description the job sets. */
  public static final String JOB_GROUP_PREFIX = "segments: ";

  private final RunContext context;
  private final Progress progress;
  private final List<StepResult> results = new ArrayList<>();
  private final StepMetrics metrics = new StepMetrics();

  public StepRunner(RunContext context, Progress progress) {
    this.context = context;
    this.progress = progress;
    if (context != null) {
      context.spark().sparkContext().addSparkListener(metrics);
    }
  }

  public RunContext context() {
    return context;
  }

  /** Runs {@code step} and returns its result; the step's exception, if any, ends the run. */
  public <R extends StepResult> R run(Step<R> step) {
    progress.begin(step.name());
    SparkContext spark = context.spark().sparkContext();
    spark.setJobGroup(JOB_GROUP_PREFIX + step.name(),
        JOB_GROUP_PREFIX + step.name() + " run_date=" + context.runDate(), false);
    long started = System.nanoTime();
    try {
      R result = step.execute(context);
      results.add(result);
      progress.end(step.name(), result.progressDetails());
      return result;
    } finally {
      metrics.stepEnded(step.name(), (System.nanoTime() - started) / 1e9);
      spark.clearJobGroup();
    }
  }

  /**
   * The run so far as one line of JSON: run id, run date, status, exit code, reason (when failed), seconds since the
   * start, and per step its seconds and the totals of its Spark tasks (records read and written, shuffle bytes,
   * spill). Printed at the end of a run and stored in its run_log row.
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
    fields.put("seconds", Math.round(java.time.Duration.between(context.startedAt(), java.time.Instant.now())
        .toMillis() / 100.0) / 10.0);
    return metrics.json(fields);
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
    if (context != null) {
      context.spark().sparkContext().removeSparkListener(metrics);
    }
    for (StepResult result : results) {
      result.release();
    }
    results.clear();
  }
}
