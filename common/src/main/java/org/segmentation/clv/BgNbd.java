package org.segmentation.clv;

import static org.apache.commons.math3.special.Gamma.logGamma;

import java.io.Serializable;

/**
 * The BG/NBD model of repeat buying (Fader, Hardie and Lee 2005, "Counting your customers the easy way", Marketing
 * Science 24(2)): while alive, a customer buys at a rate λ (Gamma(r, α) across customers); after each purchase they
 * drop out with probability p (Beta(a, b) across customers).
 *
 * <p>A customer's history is (x, t_x, T): x repeat purchases, the last at time t_x after the first, observed for T
 * time units since the first. Times are in one unit throughout (days or weeks: α is in the same unit).
 *
 * @param r shape of the purchase-rate distribution
 * @param alpha scale of the purchase-rate distribution (time unit)
 * @param a first shape of the drop-out probability distribution
 * @param b second shape of the drop-out probability distribution
 */
public record BgNbd(double r, double alpha, double a, double b) implements Serializable {

  public BgNbd {
    for (double parameter : new double[] {r, alpha, a, b}) {
      if (!(parameter > 0) || Double.isInfinite(parameter)) {
        throw new IllegalArgumentException("BG/NBD parameters must be finite and positive: " + this);
      }
    }
  }

  /** The parameters as an array in the order r, alpha, a, b. */
  public double[] toArray() {
    return new double[] {r, alpha, a, b};
  }

  /** One customer's log-likelihood (FHL 2005, section 7). */
  public double logLikelihood(double x, double tx, double T) {
    return logLikelihood(x, tx, T, termsOfX(x));
  }

  /** The terms of the log-likelihood that depend on x alone (a fit computes them once per distinct x). */
  double termsOfX(double x) {
    return logGamma(r + x) - logGamma(r) + r * Math.log(alpha)
        + logGamma(a + b) + logGamma(b + x) - logGamma(b) - logGamma(a + b + x);
  }

  /** The log-likelihood with {@link #termsOfX} given. */
  double logLikelihood(double x, double tx, double T, double termsOfX) {
    double stillAlive = -(r + x) * Math.log(alpha + T);
    if (x <= 0) {
      return termsOfX + stillAlive;
    }
    double droppedOut = Math.log(a) - Math.log(b + x - 1) - (r + x) * Math.log(alpha + tx);
    double larger = Math.max(stillAlive, droppedOut);
    return termsOfX + larger + Math.log1p(Math.exp(Math.min(stillAlive, droppedOut) - larger));
  }

  /**
   * P(alive | x, t_x, T): the probability that the customer has not dropped out (Fader, Hardie and Lee, "Computing
   * P(alive) using the BG/NBD model", note 021). Exactly 1 without a repeat purchase: in BG/NBD a customer can only
   * drop out right after a purchase.
   */
  public double probabilityAlive(double x, double tx, double T) {
    if (x <= 0) {
      return 1.0;
    }
    return 1.0 / (1.0 + a / (b + x - 1) * Math.pow((alpha + T) / (alpha + tx), r + x));
  }

  /** E[X(t)]: expected repeat purchases in a period of length t of a randomly chosen customer (FHL 2005, eq. 9). */
  public double expectedPurchases(double t) {
    if (t <= 0) {
      return 0;
    }
    double log2F1 = Hypergeometric.log2F1(r, b, a + b - 1, t / (alpha + t));
    return (a + b - 1) / (a - 1) * (1 - Math.exp(log2F1 + r * Math.log(alpha / (alpha + t))));
  }

  /**
   * E[Y(t) | x, t_x, T]: expected repeat purchases in the next t time units of a customer with this history (FHL
   * 2005, eq. 10). NaN only when the hypergeometric series does not converge (t many times α + T).
   */
  public double conditionalExpectedPurchases(double t, double x, double tx, double T) {
    if (t <= 0) {
      return 0;
    }
    double log2F1 = Hypergeometric.log2F1(r + x, b + x, a + b + x - 1, t / (alpha + T + t));
    double ifAlive = (a + b + x - 1) / (a - 1)
        * (1 - Math.exp(log2F1 + (r + x) * Math.log((alpha + T) / (alpha + T + t))));
    double oddsDroppedOut = x > 0 ? a / (b + x - 1) * Math.pow((alpha + T) / (alpha + tx), r + x) : 0;
    return ifAlive / (1 + oddsDroppedOut);
  }

  /** P(X(t) = n): the probability of exactly n repeat purchases in a period of length t (FHL 2005, eq. 8). */
  public double probabilityOfPurchases(int n, double t) {
    double logBetaRatio = logBeta(a, b + n) - logBeta(a, b);
    double share = alpha / (alpha + t);
    double first = Math.exp(logBetaRatio + logGamma(r + n) - logGamma(r) - logGamma(n + 1.0)
        + r * Math.log(share) + n * Math.log(t / (alpha + t)));
    if (n == 0) {
      return first;
    }
    double sum = 0;
    for (int j = 0; j < n; j++) {
      sum += Math.exp(logGamma(r + j) - logGamma(r) - logGamma(j + 1.0) + j * Math.log(t / (alpha + t)));
    }
    double second = Math.exp(logBeta(a + 1, b + n - 1) - logBeta(a, b)) * (1 - Math.pow(share, r) * sum);
    return first + second;
  }

  private static double logBeta(double p, double q) {
    return logGamma(p) + logGamma(q) - logGamma(p + q);
  }
}
