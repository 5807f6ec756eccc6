package org.segmentation.experiments;

import java.util.Optional;
import org.apache.commons.math3.distribution.TDistribution;

/**
 * The frequentist comparison of a variant with control on one metric, from the two arms' sufficient statistics:
 * Welch's t for the absolute lift (unequal variances, Welch–Satterthwaite degrees of freedom, sample variances with
 * n − 1), the relative lift (lift / control mean) by the delta method with the same degrees of freedom, and the
 * two-sided p-value of the absolute lift's t statistic. Binary metrics are means of 0/1.
 *
 * <p>CUPED ({@link #cuped}): θ = cov(y, x) / var(x) over the pooled rows of the two arms, y' = y − θ (x − mean x), then
 * the same Welch figures on y'. Its variance reduction is 1 − Var(lift') / Var(lift).
 */
public final class LiftTest {
  private LiftTest() {}

  /** A comparison's figures; the interval bounds are at {@code confidence}. */
  public record Lift(double controlMean, double treatmentMean, double absoluteLift, double absoluteLow,
      double absoluteHigh, double relativeLift, double relativeLow, double relativeHigh, double pValue,
      double degreesOfFreedom, double standardError) {}

  /**
   * Welch's comparison of {@code treatment} with {@code control}; empty when it has no meaning: an arm with fewer
   * than two members, or no variation in either arm (a standard error of zero).
   */
  public static Optional<Lift> welch(ArmSums control, ArmSums treatment, double confidence) {
    if (control.n() < 2 || treatment.n() < 2) {
      return Optional.empty();
    }
    double controlTerm = control.variance() / control.n();
    double treatmentTerm = treatment.variance() / treatment.n();
    double variance = controlTerm + treatmentTerm;
    if (!(variance > 0)) {
      return Optional.empty();
    }
    double standardError = Math.sqrt(variance);
    double degrees = variance * variance / (controlTerm * controlTerm / (control.n() - 1)
        + treatmentTerm * treatmentTerm / (treatment.n() - 1));
    TDistribution t = new TDistribution(null, degrees);
    double critical = t.inverseCumulativeProbability(1 - (1 - confidence) / 2);
    double controlMean = control.mean();
    double treatmentMean = treatment.mean();
    double lift = treatmentMean - controlMean;
    double p = 2 * t.cumulativeProbability(-Math.abs(lift / standardError));

    // relative lift r = (mT − mC) / mC = mT / mC − 1; delta method:
    // Var(r) ≈ Var(mT) / mC² + mT² Var(mC) / mC⁴
    double relative = Double.NaN;
    double relativeHalfWidth = Double.NaN;
    if (controlMean != 0) {
      relative = lift / controlMean;
      double relativeVariance = treatmentTerm / (controlMean * controlMean)
          + treatmentMean * treatmentMean * controlTerm / Math.pow(controlMean, 4);
      relativeHalfWidth = critical * Math.sqrt(relativeVariance);
    }
    return Optional.of(new Lift(controlMean, treatmentMean, lift, lift - critical * standardError,
        lift + critical * standardError, relative, relative - relativeHalfWidth, relative + relativeHalfWidth, p,
        degrees, standardError));
  }

  /** The CUPED-adjusted comparison and the variance it removed from the absolute lift. */
  public record Cuped(Lift lift, double theta, double varianceReduction) {}

  /**
   * Welch's comparison of the CUPED-adjusted metric; empty when the unadjusted comparison is, or the covariate does
   * not vary over the pooled rows (θ undefined). The means reported are the adjusted ones.
   */
  public static Optional<Cuped> cuped(ArmSums control, ArmSums treatment, double confidence) {
    Optional<Lift> plain = welch(control, treatment, confidence);
    ArmSums pooled = control.plus(treatment);
    if (plain.isEmpty() || !(pooled.varianceX() > 0)) {
      return Optional.empty();
    }
    double theta = pooled.covariance() / pooled.varianceX();
    double centre = pooled.meanX();
    return welch(control.cupedAdjusted(theta, centre), treatment.cupedAdjusted(theta, centre), confidence)
        .map(adjusted -> new Cuped(adjusted, theta, 1 - Math.pow(adjusted.standardError()
            / plain.get().standardError(), 2)));
  }
}
