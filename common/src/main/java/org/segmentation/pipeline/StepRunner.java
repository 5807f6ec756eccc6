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

  public StepRunner(RunContext context, Progress progress) {
    this.context = context;
    this.progress = progress;
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
    try {
      R result = step.execute(context);
      results.add(result);
      progress.end(step.name(), result.progressDetails());
      return result;
    } finally {
      spark.clearJobGroup();
    }
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
    for (StepResult result : results) {
      result.release();
    }
    results.clear();
  }
}
