package org.segmentation.experiments;

/**
 * The sufficient statistics of one arm for one metric: the number of members with a value, Σy and Σy², and, for a
 * metric with a pre-period covariate x, Σx, Σx² and Σxy. Spark aggregates them once per (experiment, variant, cell,
 * metric); every test is computed from them on the driver, and arms and cells add up ({@link #plus}).
 *
 * <p>Sums of squares in doubles lose digits only when a metric's mean is many orders of magnitude above its spread
 * (not so for conversions, orders or revenue of a campaign's window).
 */
public record ArmSums(long n, double sumY, double sumY2, double sumX, double sumX2, double sumXY) {
  public static final ArmSums EMPTY = new ArmSums(0, 0, 0, 0, 0, 0);

  /** An arm described by its mean, sample standard deviation and size (a published test case, a summary). */
  public static ArmSums ofSummary(long n, double mean, double standardDeviation) {
    return new ArmSums(n, n * mean, (n - 1) * standardDeviation * standardDeviation + n * mean * mean, 0, 0, 0);
  }

  /** The sums of a list of observations {@code y}, covariate {@code x} (same length, or null for none). */
  public static ArmSums of(double[] y, double[] x) {
    ArmSums sums = EMPTY;
    for (int i = 0; i < y.length; i++) {
      double xi = x == null ? 0 : x[i];
      sums = sums.plus(new ArmSums(1, y[i], y[i] * y[i], xi, xi * xi, xi * y[i]));
    }
    return sums;
  }

  public ArmSums plus(ArmSums other) {
    return new ArmSums(n + other.n, sumY + other.sumY, sumY2 + other.sumY2, sumX + other.sumX,
        sumX2 + other.sumX2, sumXY + other.sumXY);
  }

  public double mean() {
    return sumY / n;
  }

  /** The sample variance of y (n − 1 in the denominator). */
  public double variance() {
    return Math.max(0, (sumY2 - sumY * sumY / n) / (n - 1));
  }

  public double meanX() {
    return sumX / n;
  }

  public double varianceX() {
    return Math.max(0, (sumX2 - sumX * sumX / n) / (n - 1));
  }

  /** The sample covariance of y and x. */
  public double covariance() {
    return (sumXY - sumX * sumY / n) / (n - 1);
  }

  /**
   * The sums of the CUPED-adjusted metric y' = y − θ (x − centre), from these sums alone:
   * Σy' = Σy − θ (Σx − n c) and Σy'² = Σy² − 2θ Σxy + θ² Σx² + 2θc Σy − 2θ²c Σx + nθ²c².
   */
  public ArmSums cupedAdjusted(double theta, double centre) {
    double adjustedSum = sumY - theta * (sumX - n * centre);
    double adjustedSquares = sumY2 - 2 * theta * sumXY + theta * theta * sumX2 + 2 * theta * centre * sumY
        - 2 * theta * theta * centre * sumX + n * theta * theta * centre * centre;
    return new ArmSums(n, adjustedSum, adjustedSquares, sumX, sumX2, sumXY);
  }
}
