package org.segmentation.clv;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.function.ToDoubleFunction;
import org.junit.jupiter.api.Test;

/**
 * The optimiser's promise: it does not stop on the first optimum it meets. Planted surface in log-parameter space: a
 * shallow bowl with a shallow dip next to the reference start (every parameter 1) and a deeper one further out. A
 * single start from the reference stops in the shallow dip; the several starts find the deep one, and say how many
 * starts ran and how far the second best was.
 */
class MaximumLikelihoodTest {
  static final double[] SHALLOW = {0.4, 0.3};
  static final double[] DEEP = {2.4, 2.2};

  /** Over the parameters (not their logarithms), as the likelihoods are. */
  static final ToDoubleFunction<double[]> SURFACE = parameters -> {
    double u = Math.log(parameters[0]);
    double v = Math.log(parameters[1]);
    return 0.02 * (u * u + v * v) - 0.6 * dip(u, v, SHALLOW) - 1.2 * dip(u, v, DEEP);
  };

  static double dip(double u, double v, double[] centre) {
    double du = u - centre[0];
    double dv = v - centre[1];
    return Math.exp(-(du * du + dv * dv) / 0.3);
  }

  @Test
  void aSingleStartStopsInTheNearDipSeveralStartsFindTheDeepOne() {
    MaximumLikelihood.Result single = MaximumLikelihood.minimise(SURFACE, 2, 0, 2000, List.of(new double[2]));
    assertEquals(1, single.starts());
    assertEquals(SHALLOW[0], Math.log(single.parameters()[0]), 0.05, "a single start stops short");
    assertTrue(Double.isNaN(single.gapToSecondBest()));

    MaximumLikelihood.Result several = MaximumLikelihood.minimise(SURFACE, 2, 0, 2000);
    assertEquals(MaximumLikelihood.starts(2).size(), several.starts());
    assertEquals(DEEP[0], Math.log(several.parameters()[0]), 0.05);
    assertEquals(DEEP[1], Math.log(several.parameters()[1]), 0.05);
    assertTrue(several.meanNegativeLogLikelihood() < single.meanNegativeLogLikelihood() - 0.3,
        several.meanNegativeLogLikelihood() + " vs " + single.meanNegativeLogLikelihood());
    assertTrue(several.converged());
    // the deep dip is found from more than one start (so the gap to the second best is about 0), or the second best
    // is the shallow one (a gap of about 0.4, the bowl included)
    double gap = several.gapToSecondBest();
    assertTrue(gap < 1e-6 || Math.abs(gap - 0.4) < 0.1, "gap " + gap);
  }

  @Test
  void theStartsAreTheReferenceTheSpreadOnesAndSeededRandomOnesTheSameEachTime() {
    List<double[]> starts = MaximumLikelihood.starts(4);
    assertEquals(3 + MaximumLikelihood.RANDOM_STARTS, starts.size());
    assertEquals(0.0, starts.get(0)[3]);
    for (int i = 0; i < starts.size(); i++) {
      assertEquals(java.util.Arrays.toString(starts.get(i)), java.util.Arrays.toString(MaximumLikelihood.starts(4)
          .get(i)));
    }
  }
}
