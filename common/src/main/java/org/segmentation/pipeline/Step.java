package org.segmentation.pipeline;

/**
 * One named step of a run, in the manner of Iceberg's Spark actions: a small class with one job whose
 * {@link #execute} takes the run's immutable {@link RunContext} (plus whatever earlier steps produced, passed to its
 * constructor) and returns an immutable result. A step may read, write and run Spark actions; the computations it
 * composes are pure {@link Stage}s.
 *
 * <p>{@link StepRunner} runs each step under a Spark job group named after it ({@code segments: rfm_scoring}) and
 * prints its progress line ({@code stage=rfm_scoring ... seconds=2.0}), so a step never deals with either.
 *
 * @param <R> the step's result
 */
public interface Step<R extends StepResult> {
  /** The step's name in snake_case: the progress line's {@code stage=} and the Spark job group. */
  String name();

  /** Does the step's one job. Throws a {@link org.segmentation.run.SegmentationException} to stop the run. */
  R execute(RunContext run);
}
