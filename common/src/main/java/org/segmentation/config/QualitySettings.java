package org.segmentation.config;


/**
 * Validation rules and the quality gate.
 *
 * @param maxQuarantinedShare the run fails (exit 3, nothing published) when more than this share of an input's rows
 *     is quarantined
 * @param maxAbsAmount order-line amounts whose absolute value exceeds this are quarantined as out of range
 * @param minAge profile ages below this are quarantined as out of range
 * @param maxAge profile ages above this are quarantined as out of range
 * @param maxFutureHours purchases stamped more than this many hours after the job started are quarantined
 * @param duplicateLines what to do with exact duplicate purchase lines
 * @param purchasesWithoutProfile what to do with purchases of customers who have no profile
 * @param minProfileMatchShare with a profiles input, the run fails (exit 3) when fewer than this share of the buyers
 *     have a profile
 * @param purchasesWithoutCustomer purchase lines without a customer id (guest sales): quarantined, or skipped
 */
public record QualitySettings(double maxQuarantinedShare, double maxAbsAmount, int minAge, int maxAge,
    int maxFutureHours, Handling duplicateLines, Handling purchasesWithoutProfile, double minProfileMatchShare,
    GuestHandling purchasesWithoutCustomer) {
  public static final String BLOCK = "quality";
  /** The quality gate's limit (named in the gate's message). */
  public static final String MAX_QUARANTINED_SHARE = "max-quarantined-share";
  /** The profile-match gate's limit (named in its message). */
  public static final String MIN_PROFILE_MATCH_SHARE = "min-profile-match-share";

  /** Keep a suspicious row (flagged where a column says so) or quarantine it. */
  public enum Handling { KEEP, QUARANTINE }

  /**
   * A purchase line without a customer: an error to quarantine (it counts against the gate), or an anonymous sale to
   * skip (counted apart: read = accepted + quarantined + skipped).
   */
  public enum GuestHandling { QUARANTINE, SKIP }

  static QualitySettings read(ConfigReader in) {
    QualitySettings settings = new QualitySettings(
        in.doubleBetween(MAX_QUARANTINED_SHARE, 0.0, 1.0),
        in.doubleBetween("max-abs-amount", 0.0, 1e15),
        in.intBetween("min-age", 0, 150),
        in.intBetween("max-age", 0, 150),
        in.intBetween("max-future-hours", 0, 24 * 366),
        in.oneOf("duplicate-lines", Handling.class),
        in.oneOf("purchases-without-profile", Handling.class),
        in.doubleBetween(MIN_PROFILE_MATCH_SHARE, 0.0, 1.0),
        in.oneOf("purchases-without-customer", GuestHandling.class));
    if (settings.minAge > settings.maxAge) {
      in.problem("min-age", "must not exceed max-age (" + settings.maxAge + "), got " + settings.minAge);
    }
    in.rejectUnknownKeys();
    return settings;
  }
}
