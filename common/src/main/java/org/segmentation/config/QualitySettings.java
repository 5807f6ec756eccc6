package org.segmentation.config;

import java.util.Set;

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
 */
public record QualitySettings(double maxQuarantinedShare, double maxAbsAmount, int minAge, int maxAge,
    int maxFutureHours, Handling duplicateLines, Handling purchasesWithoutProfile) {
  static final Set<String> KEYS = Set.of("max-quarantined-share", "max-abs-amount", "min-age", "max-age",
      "max-future-hours", "duplicate-lines", "purchases-without-profile");

  /** Keep a suspicious row (flagged where a column says so) or quarantine it. */
  public enum Handling { KEEP, QUARANTINE }

  static QualitySettings read(ConfigReader in) {
    in.rejectUnknownKeys(KEYS);
    QualitySettings settings = new QualitySettings(
        in.doubleBetween("max-quarantined-share", 0.0, 1.0),
        in.doubleBetween("max-abs-amount", 0.0, 1e15),
        in.intBetween("min-age", 0, 150),
        in.intBetween("max-age", 0, 150),
        in.intBetween("max-future-hours", 0, 24 * 366),
        in.oneOf("duplicate-lines", Handling.class),
        in.oneOf("purchases-without-profile", Handling.class));
    if (settings.minAge > settings.maxAge) {
      in.problem("min-age", "must not exceed max-age (" + settings.maxAge + "), got " + settings.minAge);
    }
    return settings;
  }
}
