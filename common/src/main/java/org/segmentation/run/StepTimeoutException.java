package org.segmentation.run;

/** A step ran past its time limit: its Spark jobs were cancelled and the run failed. Retrying is safe. */
public final class StepTimeoutException extends SegmentationException {
  public StepTimeoutException(String message) {
    super(message);
  }

  @Override
  public String reasonCode() {
    return "step_timeout";
  }
}
