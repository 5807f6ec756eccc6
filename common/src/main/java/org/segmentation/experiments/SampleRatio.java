package org.segmentation.experiments;

import java.util.Arrays;
import org.apache.commons.math3.stat.inference.ChiSquareTest;

/**
 * The sample-ratio mismatch check: Pearson's χ² goodness of fit of the members counted in each variant against the
 * shares the assignment was configured with. A small p-value means the split is not what was configured (a broken
 * assignment, members lost in one arm): every figure of the experiment is suspect.
 */
public final class SampleRatio {
  /** The p-value below which an experiment is flagged, as the experimentation platforms do. */
  public static final double FLAG_BELOW = 0.001;

  private SampleRatio() {}

  /**
   * The p-value of the observed {@code counts} under the expected {@code shares} (same order; shares need not add to
   * one); NaN when fewer than two variants or no member at all.
   */
  public static double pValue(long[] counts, double[] shares) {
    if (counts.length != shares.length) {
      throw new IllegalArgumentException(counts.length + " counts for " + shares.length + " shares");
    }
    if (counts.length < 2 || Arrays.stream(counts).sum() == 0) {
      return Double.NaN;
    }
    return new ChiSquareTest().chiSquareTest(shares, counts); // rescales the shares to the observed total
  }

  public static boolean flagged(double pValue) {
    return pValue < FLAG_BELOW;
  }
}
