package org.segmentation.clv;

import static org.apache.commons.math3.special.Gamma.logGamma;

import java.io.Serializable;

/**
 * The Gamma-Gamma model of spend per purchase (Fader, Hardie and Lee 2005, "RFM and CLV: using iso-value curves for
 * customer base analysis", Journal of Marketing Research 42(4)): a customer's purchase values are Gamma(p, ν) around
 * their own mean, and ν is Gamma(q, γ) across customers. It assumes the value of a purchase does not depend on how
 * often the customer buys; it is fitted on the customers with at least one repeat purchase (x > 0) from x and the mean
 * value m of their repeat purchases.
 *
 * @param p shape of the per-purchase value distribution
 * @param q shape of the distribution of customers' scale
 * @param gamma scale of the distribution of customers' scale (currency)
 */
public record GammaGamma(double p, double q, double gamma) implements Serializable {

  public GammaGamma {
    for (double parameter : new double[] {p, q, gamma}) {
      if (!(parameter > 0) || Double.isInfinite(parameter)) {
        throw new IllegalArgumentException("Gamma-Gamma parameters must be finite and positive: " + this);
      }
    }
  }

  /** The parameters as an array in the order p, q, gamma. */
  public double[] toArray() {
    return new double[] {p, q, gamma};
  }

  /** One repeat buyer's log-likelihood of their mean repeat-purchase value m over x repeat purchases. */
  public double logLikelihood(double x, double m) {
    double px = p * x;
    return logGamma(px + q) - logGamma(px) - logGamma(q) + q * Math.log(gamma) + (px - 1) * Math.log(m)
        + px * Math.log(x) - (px + q) * Math.log(x * m + gamma);
  }

  /** The mean purchase value across customers, p γ / (q - 1); infinite when q <= 1. */
  public double populationMeanValue() {
    return q > 1 ? p * gamma / (q - 1) : Double.POSITIVE_INFINITY;
  }

  /**
   * E[M | x, m]: the expected value of this customer's future purchases: a weighted mean of the population mean and
   * the customer's own mean, the customer's weight growing with x. The population mean for x = 0.
   */
  public double conditionalExpectedValue(double x, double m) {
    double ownWeight = p * x / (p * x + q - 1);
    return (1 - ownWeight) * populationMeanValue() + ownWeight * (x > 0 ? m : 0);
  }
}
