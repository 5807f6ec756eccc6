package org.segmentation.experiments;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;
import org.apache.commons.math3.special.Erf;
import org.apache.commons.math3.stat.inference.TTest;
import org.junit.jupiter.api.Test;
import org.segmentation.experiments.LiftTest.Cuped;
import org.segmentation.experiments.LiftTest.Lift;

/**
 * The experiment statistics against published figures, an independent implementation, hand-computed cases, and what
 * they promise over seeded repetitions: coverage of the intervals, the false-positive rate on A/A data, CUPED's
 * variance reduction of 1 − ρ².
 */
class LiftTestTest {
  static final int REPETITIONS = 2_000;

  /** GrowthBook's documented frequentist test case. */
  @Test
  void growthBooksPublishedCaseComesOutToItsDigits() {
    Lift lift = LiftTest.welch(ArmSums.ofSummary(3407, 0.41, 3.9), ArmSums.ofSummary(3461, 0.70, 6.2), 0.95)
        .orElseThrow();
    assertEquals(0.29, lift.absoluteLift(), 1e-12);
    assertEquals(0.04538, lift.absoluteLow(), 0.000005);
    assertEquals(0.53462, lift.absoluteHigh(), 0.000005);
    assertEquals(0.02016, lift.pValue(), 0.000005);
  }

  @Test
  void welchMatchesCommonsMathsTTestAndTheHandComputedDegreesOfFreedom() {
    double[] control = {1, 2, 3, 4};
    double[] treatment = {2, 4, 6, 8};
    Lift lift = LiftTest.welch(ArmSums.of(control, null), ArmSums.of(treatment, null), 0.95).orElseThrow();
    assertEquals(2.5, lift.absoluteLift(), 1e-12);
    // variances 5/3 and 20/3, each over 4: se² = 25/12; df = (25/12)² / ((5/12)²/3 + (20/12)²/3) = 75/17
    assertEquals(Math.sqrt(25.0 / 12), lift.standardError(), 1e-12);
    assertEquals(75.0 / 17, lift.degreesOfFreedom(), 1e-12);
    assertEquals(new TTest().tTest(treatment, control), lift.pValue(), 1e-12);
    assertEquals(1.0, lift.relativeLift(), 1e-12);
    // delta method: Var(r) = (20/3)/4 / 2.5² + 5² (5/3)/4 / 2.5⁴ = 4/15 + 4/15
    double halfWidth = (lift.absoluteHigh() - lift.absoluteLow()) / 2 / lift.standardError();
    assertEquals(halfWidth * Math.sqrt(8.0 / 15), (lift.relativeHigh() - lift.relativeLow()) / 2, 1e-12);
  }

  @Test
  void noStatisticWithoutTwoMembersPerArmOrAnyVariation() {
    assertTrue(LiftTest.welch(ArmSums.EMPTY, ArmSums.of(new double[] {1, 2}, null), 0.95).isEmpty());
    assertTrue(LiftTest.welch(ArmSums.of(new double[] {1}, null), ArmSums.of(new double[] {1, 2}, null), 0.95)
        .isEmpty());
    assertTrue(LiftTest.welch(ArmSums.of(new double[] {1, 1}, null), ArmSums.of(new double[] {1, 1}, null), 0.95)
        .isEmpty());
    Lift zeroControl = LiftTest.welch(ArmSums.of(new double[] {0, 0, 0}, null), ArmSums.of(new double[] {0, 1, 1},
        null), 0.95).orElseThrow();
    assertTrue(Double.isNaN(zeroControl.relativeLift()), "no relative lift over a control mean of zero");
  }

  @Test
  void intervalsCoverThePlantedLiftNinetyFivePercentOfTheTime() {
    Random random = new Random(7);
    int normalCovered = 0;
    int binaryCovered = 0;
    for (int rep = 0; rep < REPETITIONS; rep++) {
      // unequal spreads and sizes, where a pooled-variance test would be wrong
      double[] control = normal(random, 120, 10, 1);
      double[] treatment = normal(random, 200, 10.3, 2);
      Lift lift = LiftTest.welch(ArmSums.of(control, null), ArmSums.of(treatment, null), 0.95).orElseThrow();
      normalCovered += lift.absoluteLow() <= 0.3 && 0.3 <= lift.absoluteHigh() ? 1 : 0;
      // conversions: 10 % against 13 %
      Lift conversions = LiftTest.welch(ArmSums.of(bernoulli(random, 800, 0.10), null),
          ArmSums.of(bernoulli(random, 800, 0.13), null), 0.95).orElseThrow();
      binaryCovered += conversions.absoluteLow() <= 0.03 && 0.03 <= conversions.absoluteHigh() ? 1 : 0;
    }
    assertCoverage(normalCovered, "normal metric");
    assertCoverage(binaryCovered, "conversion");
  }

  @Test
  void anAaTestRejectsFivePercentOfTheTime() {
    Random random = new Random(11);
    int rejected = 0;
    int rejectedCuped = 0;
    for (int rep = 0; rep < REPETITIONS; rep++) {
      ArmSums[] arms = correlatedArms(random, 300, 0, 0.7);
      rejected += LiftTest.welch(arms[0], arms[1], 0.95).orElseThrow().pValue() < 0.05 ? 1 : 0;
      rejectedCuped += LiftTest.cuped(arms[0], arms[1], 0.95).orElseThrow().lift().pValue() < 0.05 ? 1 : 0;
    }
    System.out.printf("LiftTestTest: A/A rejections at 5 %%: %.4f, with CUPED %.4f%n", rejected / (double) REPETITIONS,
        rejectedCuped / (double) REPETITIONS);
    assertEquals(0.05, rejected / (double) REPETITIONS, 0.01, "false-positive rate");
    assertEquals(0.05, rejectedCuped / (double) REPETITIONS, 0.01, "false-positive rate with CUPED");
  }

  @Test
  void cupedOnACovariateWithCorrelationPointSevenRemovesHalfTheVariance() {
    Random random = new Random(13);
    int covered = 0;
    double reductions = 0;
    for (int rep = 0; rep < REPETITIONS; rep++) {
      ArmSums[] arms = correlatedArms(random, 400, 0.1, 0.7);
      Cuped cuped = LiftTest.cuped(arms[0], arms[1], 0.95).orElseThrow();
      covered += cuped.lift().absoluteLow() <= 0.1 && 0.1 <= cuped.lift().absoluteHigh() ? 1 : 0;
      reductions += cuped.varianceReduction();
    }
    assertCoverage(covered, "CUPED-adjusted lift");
    System.out.printf("LiftTestTest: CUPED's mean variance reduction at rho 0.7: %.4f%n", reductions / REPETITIONS);
    assertEquals(1 - 0.7 * 0.7, reductions / REPETITIONS, 0.05, "mean variance reduction");
    // and one large experiment on its own
    ArmSums[] large = correlatedArms(random, 20_000, 0.1, 0.7);
    assertEquals(1 - 0.7 * 0.7, LiftTest.cuped(large[0], large[1], 0.95).orElseThrow().varianceReduction(), 0.05);
  }

  @Test
  void cupedFromTheSumsEqualsCupedComputedRowByRow() {
    Random random = new Random(17);
    double[][] control = correlated(random, 50, 0, 0.6);
    double[][] treatment = correlated(random, 70, 0.2, 0.6);
    Cuped fromSums = LiftTest.cuped(ArmSums.of(control[0], control[1]), ArmSums.of(treatment[0], treatment[1]), 0.9)
        .orElseThrow();

    // θ and the adjusted values by the definition, over the pooled rows
    double[] x = concat(control[1], treatment[1]);
    double[] y = concat(control[0], treatment[0]);
    double meanX = mean(x);
    double meanY = mean(y);
    double covariance = 0;
    double varianceX = 0;
    for (int i = 0; i < x.length; i++) {
      covariance += (x[i] - meanX) * (y[i] - meanY);
      varianceX += (x[i] - meanX) * (x[i] - meanX);
    }
    double theta = covariance / varianceX;
    Lift byRows = LiftTest.welch(ArmSums.of(adjusted(control, theta, meanX), null),
        ArmSums.of(adjusted(treatment, theta, meanX), null), 0.9).orElseThrow();
    assertEquals(theta, fromSums.theta(), 1e-12);
    assertEquals(byRows.absoluteLift(), fromSums.lift().absoluteLift(), 1e-9);
    assertEquals(byRows.absoluteLow(), fromSums.lift().absoluteLow(), 1e-9);
    assertEquals(byRows.pValue(), fromSums.lift().pValue(), 1e-9);
  }

  @Test
  void sampleRatioMismatchIsPearsonsChiSquared() {
    // 5,000 against 5,300 at 50/50: χ² = 2 × 150² / 5,150, one degree of freedom: p = erfc(√(χ²/2))
    double chiSquared = 2 * 150.0 * 150.0 / 5150;
    assertEquals(Erf.erfc(Math.sqrt(chiSquared / 2)), SampleRatio.pValue(new long[] {5000, 5300},
        new double[] {0.5, 0.5}), 1e-12);
    assertFalse(SampleRatio.flagged(SampleRatio.pValue(new long[] {5000, 5300}, new double[] {0.5, 0.5})));
    assertTrue(SampleRatio.flagged(SampleRatio.pValue(new long[] {5000, 5500}, new double[] {0.5, 0.5})));
    // a 20 % holdout: 2,000 control and 8,000 treatment is the configured split exactly
    assertEquals(1.0, SampleRatio.pValue(new long[] {2000, 8000}, new double[] {0.2, 0.8}), 1e-12);
  }

  @Test
  void benjaminiHochbergQValuesByHand() {
    // sorted: 0.005 (rank 1), 0.01 (2), 0.03 (3), 0.04 (4); m p / rank = 0.02, 0.02, 0.04, 0.04
    assertArrayEquals(new double[] {0.02, 0.04, 0.04, 0.02, Double.NaN},
        FalseDiscovery.qValues(new double[] {0.01, 0.04, 0.03, 0.005, Double.NaN}), 1e-12);
    // the largest p-value's m p / rank (0.02 × 3/3) caps the others' (0.015 × 3/2 = 0.0225, 0.01 × 3/1 = 0.03)
    assertArrayEquals(new double[] {0.02, 0.02, 0.02}, FalseDiscovery.qValues(new double[] {0.01, 0.015, 0.02}),
        1e-12);
    assertArrayEquals(new double[] {1.0}, FalseDiscovery.qValues(new double[] {1.0}), 1e-12);
  }

  static void assertCoverage(int covered, String what) {
    double coverage = covered / (double) REPETITIONS;
    System.out.printf("LiftTestTest: %s: 95 %% intervals covered the planted lift %.4f of %d times%n", what, coverage,
        REPETITIONS);
    assertTrue(coverage >= 0.94 && coverage <= 0.96, what + ": 95 % intervals covered the planted lift "
        + coverage + " of the time");
  }

  static double[] normal(Random random, int n, double mean, double sd) {
    double[] values = new double[n];
    for (int i = 0; i < n; i++) {
      values[i] = mean + sd * random.nextGaussian();
    }
    return values;
  }

  static double[] bernoulli(Random random, int n, double p) {
    double[] values = new double[n];
    for (int i = 0; i < n; i++) {
      values[i] = random.nextDouble() < p ? 1 : 0;
    }
    return values;
  }

  /** {y, x} of n members: x ~ N(0, 1) (the pre-period), y = lift + ρ x + √(1 − ρ²) e, so corr(y, x) = ρ. */
  static double[][] correlated(Random random, int n, double lift, double rho) {
    double[] y = new double[n];
    double[] x = new double[n];
    for (int i = 0; i < n; i++) {
      x[i] = random.nextGaussian();
      y[i] = lift + rho * x[i] + Math.sqrt(1 - rho * rho) * random.nextGaussian();
    }
    return new double[][] {y, x};
  }

  static ArmSums[] correlatedArms(Random random, int n, double lift, double rho) {
    double[][] control = correlated(random, n, 0, rho);
    double[][] treatment = correlated(random, n, lift, rho);
    return new ArmSums[] {ArmSums.of(control[0], control[1]), ArmSums.of(treatment[0], treatment[1])};
  }

  static double[] adjusted(double[][] arm, double theta, double centre) {
    double[] values = new double[arm[0].length];
    for (int i = 0; i < values.length; i++) {
      values[i] = arm[0][i] - theta * (arm[1][i] - centre);
    }
    return values;
  }

  static double[] concat(double[] a, double[] b) {
    double[] all = java.util.Arrays.copyOf(a, a.length + b.length);
    System.arraycopy(b, 0, all, a.length, b.length);
    return all;
  }

  static double mean(double[] values) {
    return java.util.Arrays.stream(values).average().orElseThrow();
  }
}
