package org.segmentation.run;

/**
 * Base of the errors a run reports to its operator. Each subclass maps to one exit status in the job's main, so a
 * stage only has to throw the right kind; it never decides how the process ends.
 */
public abstract class SegmentationException extends RuntimeException {
  protected SegmentationException(String message) {
    super(message);
  }

  protected SegmentationException(String message, Throwable cause) {
    super(message, cause);
  }

  /** The short reason written to the run summary line and to {@code run_log}. */
  public abstract String reasonCode();

  /** One line for the run summary and {@code run_log}: the message's first line unless a subclass knows better. */
  public String summary() {
    return Messages.firstLine(getMessage());
  }
}
