package org.segmentation.run;

/**
 * Another writer committed to an output table while this run was publishing (typically a second run of the same
 * date). Delta rejected this run's commit, so no duplicate rows were written; retrying the run is safe.
 */
public final class PublishConflictException extends SegmentationException {
  public PublishConflictException(String message, Throwable cause) {
    super(message, cause);
  }

  @Override
  public String reasonCode() {
    return "concurrent_write";
  }
}
