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
}
