package org.segmentation.clv;

/**
 * Gauss's hypergeometric function 2F1(a, b; c; z) for 0 <= z < 1, the one special function of the BG/NBD expectations
 * that neither the JDK nor Commons Math has. Summed as its power series; when c - a - b < 0 the function grows like
 * (1 - z)^(c-a-b) and the series' terms first grow, so Euler's transformation
 * 2F1(a, b; c; z) = (1 - z)^(c-a-b) 2F1(c-a, c-b; c; z) is summed instead (its terms shrink from the start).
 */
final class Hypergeometric {
  /** Terms at most: z = 0.999 needs about 40,000; beyond this the result is NaN, never a truncated sum. */
  static final int MAX_TERMS = 1_000_000;
  private static final double RELATIVE_TOLERANCE = 1e-15;

  private Hypergeometric() {}

  /** ln 2F1(a, b; c; z), NaN when the series does not converge (z outside [0, 1), or too slowly). */
  static double log2F1(double a, double b, double c, double z) {
    if (!(z >= 0 && z < 1)) {
      return Double.NaN;
    }
    if (c - a - b < 0) {
      return (c - a - b) * Math.log1p(-z) + Math.log(series(c - a, c - b, c, z));
    }
    return Math.log(series(a, b, c, z));
  }

  private static double series(double a, double b, double c, double z) {
    double term = 1;
    double sum = 1;
    for (int n = 0; n < MAX_TERMS; n++) {
      term *= (a + n) * (b + n) / ((c + n) * (n + 1)) * z;
      sum += term;
      // past the largest term (the ratio of successive terms is below 1 from there on), stop when they no longer count
      if (Math.abs(term) <= RELATIVE_TOLERANCE * Math.abs(sum) && Math.abs((a + n) * (b + n) * z) < Math.abs(
          (c + n) * (n + 1))) {
        return sum;
      }
    }
    return Double.NaN;
  }
}
