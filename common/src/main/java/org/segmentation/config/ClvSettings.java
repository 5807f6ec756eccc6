package org.segmentation.config;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Customer lifetime value: BG/NBD for the number of future purchases, Gamma-Gamma for their value.
 *
 * @param enabled false to leave the lifetime-value columns NULL (no fit, no clv_model row)
 * @param timeUnit the unit of t_x, T and the BG/NBD alpha
 * @param horizonsDays the horizons of customer_segments.expected_purchases, in days
 * @param clvMonths the horizon of predicted_clv, in months (a month is 365.25 / 12 days)
 * @param monthlyDiscountRate the discount rate per month of predicted_clv (0.01 = 1 %)
 * @param margin the share of revenue that is profit, applied to predicted_clv (1 = revenue)
 * @param penalizer L2 penalty coefficient on the (scaled) parameters, as lifetimes' penalizer_coef; 0 = plain MLE
 * @param minCustomers fewer customers with a purchase and the models are not fitted
 * @param minRepeatCustomers fewer customers with a repeat purchase and the models are not fitted
 * @param maxFitPoints the fit reads at most this many distinct histories (else a sample of customers)
 * @param maxEvaluations the optimiser's likelihood-evaluation budget per model
 * @param refitEveryDays reuse the latest parameters younger than this many days; 0 = refit every run
 * @param onFailedFit what a run does when a fit fails or the data are too few
 * @param tiers clv_tier names, by the lowest clv_decile of each, from the top tier down
 */
public record ClvSettings(boolean enabled, TimeUnit timeUnit, List<Integer> horizonsDays, int clvMonths,
    double monthlyDiscountRate, double margin, double penalizer, int minCustomers, int minRepeatCustomers,
    int maxFitPoints, int maxEvaluations, int refitEveryDays, OnFailedFit onFailedFit, List<Tier> tiers) {

  public static final String BLOCK = "clv";
  /** Days in a month, for predicted_clv's monthly steps and discounting. */
  public static final double DAYS_PER_MONTH = 365.25 / 12;

  /** The time unit of the model. */
  public enum TimeUnit {
    DAYS(1), WEEKS(7);

    private final int days;

    TimeUnit(int days) {
      this.days = days;
    }

    /** How many days one unit is. */
    public int days() {
      return days;
    }
  }

  /** What a run does when the fit does not converge or the data are too few. */
  public enum OnFailedFit {
    /** score with the latest parameters a published run fitted with the same settings, if any; else skip */
    KEEP_LAST_GOOD,
    /** leave the lifetime-value columns NULL for the night */
    SKIP
  }

  /** A named CLV tier: customers whose clv_decile is at least {@code minDecile} (and below the tier above). */
  public record Tier(String name, int minDecile) {}

  public ClvSettings {
    horizonsDays = List.copyOf(horizonsDays);
    tiers = List.copyOf(tiers);
  }

  /** The tier names, top tier first. */
  public List<String> tierNames() {
    return tiers.stream().map(Tier::name).toList();
  }

  /**
   * A SHA-256 prefix of what fitted parameters depend on besides the data: the time unit, the penalty, the sampling
   * bound and the evaluation budget. Parameters are reused only under the same fingerprint.
   */
  public String fingerprint() {
    String fitted = String.join("|", timeUnit.name(), "penalizer=" + penalizer, "max-fit-points=" + maxFitPoints,
        "max-evaluations=" + maxEvaluations);
    return SettingsLoader.fingerprintOf(fitted);
  }

  static ClvSettings read(ConfigReader in) {
    List<Integer> horizons = new ArrayList<>();
    for (double horizon : in.doubles("horizons-days")) {
      if (horizon < 1 || horizon > 3650 || horizon != Math.rint(horizon)) {
        in.problem("horizons-days", "each horizon is a whole number of days in 1..3650, got " + horizon);
      } else if (!horizons.contains((int) horizon)) {
        horizons.add((int) horizon);
      }
    }
    if (horizons.isEmpty() && in.has("horizons-days")) {
      in.problem("horizons-days", "must list at least one horizon, for example [90, 365]");
    }
    List<Tier> tiers = new ArrayList<>();
    Set<String> names = new HashSet<>();
    int previous = 11;
    for (ConfigReader tier : in.children("tiers")) {
      String name = tier.nonBlankString("name");
      int minDecile = tier.intBetween("min-decile", 1, 10);
      tier.rejectUnknownKeys();
      if (!names.add(name)) {
        tier.problem("name", "tier \"" + name + "\" is defined twice");
      }
      if (minDecile >= previous) {
        tier.problem("min-decile", "tiers go from the top down: each min-decile below the one before, got "
            + minDecile + " after " + previous);
      }
      previous = minDecile;
      tiers.add(new Tier(name, minDecile));
    }
    if (!tiers.isEmpty() && tiers.get(tiers.size() - 1).minDecile() != 1) {
      in.problem("tiers", "the last tier must start at min-decile = 1, so that every decile has a tier");
    }
    ClvSettings settings = new ClvSettings(in.bool("enabled"), in.oneOf("time-unit", TimeUnit.class), horizons,
        in.intBetween("clv-months", 1, 120), in.doubleBetween("monthly-discount-rate", 0, 1),
        in.doubleBetween("margin", 0, 1), in.doubleBetween("penalizer", 0, 1000),
        in.intBetween("min-customers", 10, Integer.MAX_VALUE), in.intBetween("min-repeat-customers", 5,
            Integer.MAX_VALUE), in.intBetween("max-fit-points", 1000, 50_000_000),
        in.intBetween("max-evaluations", 100, 1_000_000), in.intBetween("refit-every-days", 0, 3650),
        in.oneOf("on-failed-fit", OnFailedFit.class), tiers);
    if (settings.enabled() && tiers.isEmpty()) {
      in.problem("tiers", "must name at least one tier, for example [{ name = \"All\", min-decile = 1 }]");
    }
    in.rejectUnknownKeys();
    return settings;
  }
}
