package org.segmentation.config;

import java.util.List;

/**
 * Every audience with a holdout is measured as an experiment each night (README "Campaigns measured"): its arms from
 * audience_members, each member's outcome in the attribution window after the night they were first a member, the same
 * figures before it as the CUPED covariate, broken down by what the customer was at that night.
 *
 * @param enabled whether the nightly run measures its audiences (experiment_results)
 * @param attributionWindowDays the outcome window after a member's send, and the length of the pre-period before it
 * @param maxAgeDays members first sent more than this many days before the run date are no longer measured (their
 *     experiment's figures stay in the nights that measured them)
 * @param confidence the intervals' confidence level
 * @param breakdowns customer_segments columns whose values at the send are the cells (besides the whole experiment);
 *     a declared profile attribute as {@code profile_attributes.<name>}
 */
public record ExperimentSettings(boolean enabled, int attributionWindowDays, int maxAgeDays, double confidence,
    List<String> breakdowns) {
  public static final String BLOCK = "experiments";

  public ExperimentSettings {
    breakdowns = List.copyOf(breakdowns);
  }

  static ExperimentSettings read(ConfigReader in) {
    int window = in.intBetween("attribution-window-days", 1, 366);
    ExperimentSettings settings = new ExperimentSettings(in.bool("enabled"), window,
        in.intBetween("max-age-days", 1, 3660), in.doubleBetween("confidence", 0.5, 0.999), in.strings("breakdowns"));
    if (settings.maxAgeDays() < window) {
      in.problem("max-age-days", "must be at least attribution-window-days (" + window + "), or no member's window "
          + "ever completes");
    }
    in.rejectUnknownKeys();
    return settings;
  }
}
