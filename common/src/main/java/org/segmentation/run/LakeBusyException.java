package org.segmentation.run;

/**
 * Another run holds the lake's lease: this run stopped before reading or writing anything. Retrying later is safe
 * (the job exits with its own status, which orchestrators retry).
 */
public final class LakeBusyException extends SegmentationException {
  public LakeBusyException(String message) {
    super(message);
  }

  @Override
  public String reasonCode() {
    return "lake_busy";
  }
}
