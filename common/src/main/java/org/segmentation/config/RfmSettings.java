package org.segmentation.config;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * How recency, frequency and monetary value are measured, scored and named.
 *
 * @param lookbackDays days of history counted back from the run date (inclusive of the run date); 0 = all history
 * @param scoreBins number of score levels for each of R, F and M (5 = quintiles)
 * @param scoring quantile bins computed from the data, or fixed thresholds from configuration
 * @param thresholds the ascending cut points per measure when {@code scoring = thresholds}
 * @param monetary total net revenue or average net order value
 * @param noPurchaseSegment the segment of customers with a profile but no purchase in the window
 * @param segments named segments, first match wins
 */
public record RfmSettings(
    int lookbackDays,
    int scoreBins,
    Scoring scoring,
    Thresholds thresholds,
    Monetary monetary,
    String noPurchaseSegment,
    List<SegmentRule> segments) {

  public static final String BLOCK = "rfm";
  /** The segment rules (named in the messages of the rule check). */
  public static final String SEGMENTS = "segments";

  public enum Scoring { QUANTILE, THRESHOLDS }

  public enum Monetary { TOTAL, AVERAGE_ORDER_VALUE }

  /**
   * Fixed cut points: a value scores 1 + the number of cut points it reaches (value &gt;= cut). For recency the scale
   * is reversed: fewer days is better, so a recency scores 1 + the number of cut points it is strictly below.
   */
  public record Thresholds(List<Double> recencyDays, List<Double> frequency, List<Double> monetary) {
    public Thresholds {
      recencyDays = List.copyOf(recencyDays);
      frequency = List.copyOf(frequency);
      monetary = List.copyOf(monetary);
    }
  }

  /** A named segment: a Spark SQL condition over {@code r_score}, {@code f_score} and {@code m_score}. */
  public record SegmentRule(String name, String condition) {}

  public RfmSettings {
    segments = List.copyOf(segments);
  }

  static RfmSettings read(ConfigReader in) {
    int lookbackDays = in.intBetween("lookback-days", 0, 100_000);
    int bins = in.intBetween("score-bins", 2, 10);
    Scoring scoring = in.oneOf("scoring", Scoring.class);
    ConfigReader t = in.child("thresholds");
    Thresholds thresholds = new Thresholds(
        t.doubles("recency-days"), t.doubles("frequency"), t.doubles("monetary"));
    t.rejectUnknownKeys();
    if (scoring == Scoring.THRESHOLDS) {
      checkThresholds(t, "recency-days", thresholds.recencyDays(), bins);
      checkThresholds(t, "frequency", thresholds.frequency(), bins);
      checkThresholds(t, "monetary", thresholds.monetary(), bins);
    }
    List<SegmentRule> rules = new ArrayList<>();
    Set<String> names = new HashSet<>();
    for (ConfigReader rule : in.children(SEGMENTS)) {
      String name = rule.nonBlankString("name");
      String condition = rule.nonBlankString("rule");
      rule.rejectUnknownKeys();
      if (!name.isBlank() && !names.add(name)) {
        rule.problem("name", "segment \"" + name + "\" is defined twice");
      }
      rules.add(new SegmentRule(name, condition));
    }
    if (rules.isEmpty() && in.has(SEGMENTS)) {
      in.problem(SEGMENTS, "must define at least one segment");
    }
    RfmSettings settings = new RfmSettings(lookbackDays, bins, scoring, thresholds,
        in.oneOf("monetary", Monetary.class), in.nonBlankString("no-purchase-segment"), rules);
    in.rejectUnknownKeys();
    return settings;
  }

  private static void checkThresholds(ConfigReader in, String key, List<Double> cuts, int bins) {
    if (cuts.size() != bins - 1) {
      in.problem(key, "scoring = thresholds with score-bins = " + bins + " needs " + (bins - 1)
          + " ascending cut points, got " + cuts.size());
    }
    for (int i = 1; i < cuts.size(); i++) {
      if (cuts.get(i) <= cuts.get(i - 1)) {
        in.problem(key, "cut points must be strictly ascending, got " + cuts);
        return;
      }
    }
  }
}
