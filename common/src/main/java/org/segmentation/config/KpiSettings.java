package org.segmentation.config;

/**
 * The figures a team watches night by night per RFM segment, cluster and CLV tier (segment_kpis): customers, revenue,
 * conversion, mean predicted CLV, and satisfaction from the surveys input.
 *
 * @param enabled whether the night writes segment_kpis
 * @param conversionDays a customer converted when they have a counted order in the last this many days
 * @param surveyDays the answers counted: those of the last this many days, each customer's answers all counted
 * @param surveyScale how a score reads: CSAT (1-5) or NPS (0-10)
 */
public record KpiSettings(boolean enabled, int conversionDays, int surveyDays, SurveyScale surveyScale) {
  public static final String BLOCK = "kpis";

  /** The scale of the surveys' scores; a score outside it is quarantined (score_out_of_range). */
  public enum SurveyScale {
    /** 1 to 5; 4 and 5 are satisfied. */
    CSAT(1, 5),
    /** 0 to 10; 9 and 10 are promoters, 0 to 6 detractors. */
    NPS(0, 10);

    private final int lowest;
    private final int highest;

    SurveyScale(int lowest, int highest) {
      this.lowest = lowest;
      this.highest = highest;
    }

    public int lowest() {
      return lowest;
    }

    public int highest() {
      return highest;
    }
  }

  static KpiSettings read(ConfigReader in) {
    KpiSettings settings = new KpiSettings(in.bool("enabled"), in.intBetween("conversion-days", 1, 3660),
        in.intBetween("survey-days", 1, 3660), in.oneOf("survey-scale", SurveyScale.class));
    in.rejectUnknownKeys();
    return settings;
  }
}
