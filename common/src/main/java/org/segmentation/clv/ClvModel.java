package org.segmentation.clv;

import java.io.Serializable;
import java.time.LocalDate;
import org.segmentation.config.ClvSettings;

/**
 * The lifetime-value parameters a night scores with.
 *
 * @param purchases BG/NBD: how many purchases, and whether the customer is still alive
 * @param spend Gamma-Gamma: what a purchase is worth
 * @param timeUnit the unit of alpha (and of t_x and T when scoring)
 * @param fittedFor the run date of the fit these parameters come from
 */
public record ClvModel(BgNbd purchases, GammaGamma spend, ClvSettings.TimeUnit timeUnit, LocalDate fittedFor)
    implements Serializable {

  /** The parameters for a progress line. */
  public String describe() {
    return String.format(java.util.Locale.ROOT, "r=%.4f alpha=%.4f a=%.4f b=%.4f p=%.4f q=%.4f gamma=%.4f",
        purchases.r(), purchases.alpha(), purchases.a(), purchases.b(), spend.p(), spend.q(), spend.gamma());
  }
}
