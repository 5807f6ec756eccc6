package org.segmentation.config;

import java.util.List;
import java.util.Map;

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
 * @param contactCosts the cost of one contact, by destination (a member sent to two destinations costs both)
 * @param campaignCosts a fixed cost per audience's campaign (creative, tooling), whatever its size
 */
public record ExperimentSettings(boolean enabled, int attributionWindowDays, int maxAgeDays, double confidence,
    List<String> breakdowns, Map<String, Double> contactCosts, Map<String, Double> campaignCosts) {
  public static final String BLOCK = "experiments";
  public static final String COSTS = "costs";
  public static final String PER_CONTACT = "per-contact";
  public static final String PER_CAMPAIGN = "per-campaign";

  public ExperimentSettings {
    breakdowns = List.copyOf(breakdowns);
    contactCosts = Map.copyOf(contactCosts);
    campaignCosts = Map.copyOf(campaignCosts);
  }

  /** Whether any cost is configured: then the revenue rows carry the campaign's cost and its ROI. */
  public boolean costed() {
    return !contactCosts.isEmpty() || !campaignCosts.isEmpty();
  }

  static ExperimentSettings read(ConfigReader in) {
    int window = in.intBetween("attribution-window-days", 1, 366);
    ConfigReader costs = in.child(COSTS);
    ExperimentSettings settings = new ExperimentSettings(in.bool("enabled"), window,
        in.intBetween("max-age-days", 1, 3660), in.doubleBetween("confidence", 0.5, 0.999), in.strings("breakdowns"),
        amounts(costs, PER_CONTACT), amounts(costs, PER_CAMPAIGN));
    costs.rejectUnknownKeys();
    if (settings.maxAgeDays() < window) {
      in.problem("max-age-days", "must be at least attribution-window-days (" + window + "), or no member's window "
          + "ever completes");
    }
    in.rejectUnknownKeys();
    return settings;
  }

  /** A block of money amounts by name ({@code per-contact { mail = 0.02 }}): numbers, zero or more. */
  private static Map<String, Double> amounts(ConfigReader in, String key) {
    Map<String, Double> amounts = new java.util.TreeMap<>();
    in.stringMap(key).forEach((name, text) -> {
      try {
        double amount = Double.parseDouble(text);
        if (amount >= 0 && Double.isFinite(amount)) {
          amounts.put(name, amount);
          return;
        }
      } catch (NumberFormatException e) {
        // reported below
      }
      in.problem(key + "." + name, "must be an amount of money, zero or more, got \"" + text + "\"");
    });
    return amounts;
  }
}
