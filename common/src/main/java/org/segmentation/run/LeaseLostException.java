package org.segmentation.run;

/**
 * This run no longer holds the lake's lease (it could not renew it in time, and another run may have taken it over):
 * it stops before writing anything more, and its own writes are put back. Retrying is safe.
 */
public final class LeaseLostException extends SegmentationException {
  public LeaseLostException(String message) {
    super(message);
  }

  @Override
  public String reasonCode() {
    return "lease_lost";
  }
}
