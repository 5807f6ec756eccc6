package org.segmentation.clustering;

import org.segmentation.run.SegmentationException;

/**
 * A clustering fit gave no usable model (a centre, weight or covariance that is not finite). The clustering step
 * keeps the last good model when it has one; otherwise the run fails with this reason.
 */
public final class ClusteringFitException extends SegmentationException {
  public ClusteringFitException(String message) {
    super(message);
  }

  @Override
  public String reasonCode() {
    return "model_not_finite";
  }
}
