package org.segmentation.pipeline;

/** What a step produced: immutable, and able to describe itself in one progress line. */
public interface StepResult {
  /** The step's figures as {@code key=value} pairs separated by spaces (no customer data); empty for none. */
  String progressDetails();

  /**
   * Frees what the result holds beyond the run (persisted Datasets). {@link StepRunner#close()} calls it for every
   * result once the run is over, so no step has to know who reads its output last.
   */
  default void release() {}

  /** Fields the run's one-line JSON summary (run_log.summary_json) carries for this result; none by default. */
  default java.util.Map<String, Object> summaryFields() {
    return java.util.Map.of();
  }
}
