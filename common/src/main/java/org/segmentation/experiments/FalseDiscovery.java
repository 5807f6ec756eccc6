package org.segmentation.experiments;

import java.util.Arrays;
import java.util.Comparator;
import java.util.stream.IntStream;

/**
 * Benjamini–Hochberg q-values across a family of tests (the cells of one breakdown, for one experiment, variant and
 * metric): q(i) = min over j with p(j) ≥ p(i) of m p(j) / rank(j), at most 1. A cell is significant at level α when its
 * q-value is below α, which keeps the expected share of false discoveries among the significant cells at most α.
 */
public final class FalseDiscovery {
  private FalseDiscovery() {}

  /** The q-value of each p-value, in the order given; a NaN p-value (no test) gets NaN and is not counted. */
  public static double[] qValues(double[] pValues) {
    double[] q = new double[pValues.length];
    Arrays.fill(q, Double.NaN);
    Integer[] tested = IntStream.range(0, pValues.length).filter(i -> !Double.isNaN(pValues[i])).boxed()
        .sorted(Comparator.comparingDouble(i -> pValues[i])).toArray(Integer[]::new);
    int m = tested.length;
    double running = 1;
    for (int rank = m; rank >= 1; rank--) { // from the largest p-value down, the running minimum
      int i = tested[rank - 1];
      running = Math.min(running, pValues[i] * m / rank);
      q[i] = running;
    }
    return q;
  }
}
