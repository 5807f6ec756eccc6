package org.segmentation.clv;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.function.ToDoubleFunction;
import org.junit.jupiter.api.Test;

/**
 * The optimiser's promise: it does not stop on the first optimum it meets. First on a planted surface in
 * log-parameter space: a shallow bowl with a shallow dip next to the reference start (every parameter 1) and a
 * deeper one further out; a single start from the reference stops in the shallow dip, the several starts find the
 * deep one and say how many starts ran and how far the second best was. Then on the BG/NBD likelihood itself, on
 * histories simulated from the model with almost no drop-out (a and b barely identified, the ridge of the UCI
 * Online Retail fit): a single start stops on the ridge short of the maximum the several starts reach.
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

  /**
   * BG/NBD histories simulated from the model: λ ~ Gamma(r, α) per customer, p ~ Beta(a, b), first purchase at 0,
   * observed for T uniform in [30, 365] days; after each purchase the customer drops out with probability p, else
   * buys again after an exponential time of rate λ.
   */
  static ClvFit.Histories simulate(long seed, int customers, double r, double alpha, double a, double b) {
    org.apache.commons.math3.random.JDKRandomGenerator generator = new org.apache.commons.math3.random.JDKRandomGenerator();
    generator.setSeed(seed);
    org.apache.commons.math3.distribution.GammaDistribution lambdas =
        new org.apache.commons.math3.distribution.GammaDistribution(generator, r, 1 / alpha);
    org.apache.commons.math3.distribution.BetaDistribution dropouts =
        new org.apache.commons.math3.distribution.BetaDistribution(generator, a, b);
    java.util.Random random = new java.util.Random(seed);
    double[] x = new double[customers];
    double[] tx = new double[customers];
    double[] observed = new double[customers];
    double[] ones = new double[customers];
    for (int i = 0; i < customers; i++) {
      double lambda = lambdas.sample();
      double p = dropouts.sample();
      observed[i] = 30 + random.nextInt(336);
      double now = 0;
      while (random.nextDouble() >= p) {
        now += -Math.log(1 - random.nextDouble()) / lambda;
        if (now > observed[i]) {
          break;
        }
        x[i]++;
        tx[i] = now;
      }
      ones[i] = 1;
    }
    return new ClvFit.Histories(x, tx, observed, ones);
  }

  @Test
  void onABgNbdRidgeASingleStartStopsShortAndTheSeveralStartsGoOn() {
    int customers = 3000;
    ClvFit.Histories histories = simulate(2, customers, 0.3, 30, 0.001, 10);
    double longest = java.util.Arrays.stream(histories.T()).max().orElseThrow();
    ClvFit.ScaledHistories scaled = new ClvFit.ScaledHistories(histories, ClvFit.LONGEST_T / longest);
    MaximumLikelihood.Result single = MaximumLikelihood.minimise(scaled::meanNegativeLogLikelihood, 4, 0, 5000,
        List.of(new double[4]));
    MaximumLikelihood.Result several = MaximumLikelihood.minimise(scaled::meanNegativeLogLikelihood, 4, 0, 5000);
    double shortBy = (single.meanNegativeLogLikelihood() - several.meanNegativeLogLikelihood()) * customers;
    assertTrue(shortBy > 1.0, "the single start stopped " + shortBy + " log-likelihood units short");
    assertTrue(several.converged(), several.problem().toString());
    assertEquals(MaximumLikelihood.starts(4).size(), several.starts());
    // through the public fit: the same maximum, the starts and the gap on the result
    ModelFit<BgNbd> fit = ClvFit.bgNbd(histories, 0, 5000);
    assertEquals(ClvFit.logLikelihood(fit.model().orElseThrow(), histories),
        -several.meanNegativeLogLikelihood() * customers + logTermsOfTheScale(histories, longest), 1e-6);
    assertEquals(MaximumLikelihood.starts(4).size(), fit.starts());
    assertTrue(fit.logLikelihoodGap() >= 0, "gap " + fit.logLikelihoodGap());
  }

  /**
   * The fit runs on times scaled by s; a customer's likelihood is a density in its x repeat purchase times, so the
   * log-likelihood on the days scale is the scaled one plus x log s per customer.
   */
  static double logTermsOfTheScale(ClvFit.Histories histories, double longest) {
    double scale = ClvFit.LONGEST_T / longest;
    double total = 0;
    for (int i = 0; i < histories.size(); i++) {
      total += histories.customers()[i] * histories.x()[i] * Math.log(scale);
    }
    return total;
  }
}
