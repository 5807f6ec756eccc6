package org.segmentation.run;

/** The input failed the quality gate (too many quarantined rows, an empty input): nothing was published. */
public final class DataQualityException extends SegmentationException {
  public DataQualityException(String message) {
    super(message);
  }

  @Override
  public String reasonCode() {
    return "data_quality";
  }
}
