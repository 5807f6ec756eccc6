package org.segmentation.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.math.BigDecimal;
import java.time.LocalDate;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.segmentation.input.ValidatedInput;
import org.segmentation.report.ReportFigures.AudienceArm;
import org.segmentation.report.ReportFigures.AudienceChange;
import org.segmentation.report.ReportFigures.ExperimentLift;
import org.segmentation.report.ReportFigures.ClusterProfile;
import org.segmentation.report.ReportFigures.ClvSpread;
import org.segmentation.report.ReportFigures.GridCell;
import org.segmentation.report.ReportFigures.Overview;
import org.segmentation.report.ReportFigures.ReasonCount;
import org.segmentation.report.ReportFigures.RecencyBand;
import org.segmentation.report.ReportFigures.SegmentShare;
import org.segmentation.report.ReportFigures.Transition;
import org.segmentation.report.ReportFigures.TrendPoint;

/** The page from hand-made figures, without Spark: escaping, exact values, determinism, empty sections. */
class ReportPageTest {
  static final LocalDate NIGHT = LocalDate.of(2026, 11, 21);
  /** A segment name a rule author could write, with every character HTML and SVG must escape. */
  static final String AWKWARD = "Can't <Lose> & \"Them\"";

  static ReportFigures figures(boolean withEverything) {
    Map<String, Double> z = new LinkedHashMap<>();
    z.put("monetary", 1.5);
    z.put("recency_days", -0.75);
    return new ReportFigures(
        new ReportNight(NIGHT, "2026-11-21_run", Map.of("customer_segments", 3L),
            List.of(new ValidatedInput.Counts("purchases", 1000, 990, 10, 0),
                new ValidatedInput.Counts("profiles", 100, 100, 0, 0))),
        Optional.of(NIGHT.minusDays(1)),
        new Overview(60, 50, new BigDecimal("12345.6700")),
        List.of(new ReasonCount("purchases", "missing_customer_id", 7),
            new ReasonCount("purchases", "amount_out_of_range", 3)),
        List.of(new SegmentShare("Champions", 40, 40 / 60.0, new BigDecimal("10000.0000"), 0.81, 250.0, 900.0, 0.97),
            new SegmentShare(AWKWARD, 20, 20 / 60.0, new BigDecimal("2345.6700"), 0.19, 117.28, null, null)),
        List.of(new GridCell(5, 5, 30, 300.0), new GridCell(1, 1, 20, 50.5)),
        List.of(new Transition("Champions", "Champions", 35), new Transition("new", AWKWARD, 5)),
        withEverything ? List.of(new ClusterProfile(0, "Big spenders", 30, 0.6, z),
            new ClusterProfile(1, "Quiet", 20, 0.4, Map.of("monetary", -1.0))) : List.of(),
        withEverything ? List.of(new ClvSpread("Champions", 40, 10, 20, 30, 40, 50, 31.5)) : List.of(),
        withEverything ? List.of(new RecencyBand(0, 30, 40, 0.9, 0.85, 0.95)) : List.of(),
        withEverything ? Map.of("status", "fitted", "r", "0.24") : Map.of(),
        withEverything ? List.of(new AudienceArm("win_back", "control", 2), new AudienceArm("win_back", "treatment", 18))
            : List.of(),
        withEverything ? List.of(new AudienceChange("win_back", 20, 0)) : List.of(),
        withEverything ? List.of(
            new ExperimentLift("win_back", "treatment", "converted", "all", "all", 2, 18, 0.0, 0.5, 0.5, 0.1, 0.9,
                null, 0.02, 0.02, 0.45, 0.15, 0.75, 0.3, 0.95, true, 0.9, false),
            new ExperimentLift("win_back", "treatment", "converted", "rfm_segment", AWKWARD, 1, 9, 0.0, 0.4, null,
                null, null, null, null, null, null, null, null, null, 0.95, true, 0.9, false)) : List.of(),
        List.of(new TrendPoint(NIGHT.minusDays(1), "Champions", 38, new BigDecimal("9000.0000")),
            new TrendPoint(NIGHT, "Champions", 40, new BigDecimal("10000.0000")),
            new TrendPoint(NIGHT, AWKWARD, 20, new BigDecimal("2345.6700"))),
        withEverything ? List.of(
            new ReportFigures.SatisfactionPoint(NIGHT.minusDays(1), "Champions", 12, "CSAT", 75.0),
            new ReportFigures.SatisfactionPoint(NIGHT, "Champions", 9, "CSAT", 77.77777777777777),
            new ReportFigures.SatisfactionPoint(NIGHT, AWKWARD, 4, "CSAT", 25.0)) : List.of(),
        withEverything ? List.of(new ReportFigures.PropensityModel("buy_30d", "a counted order in the next 30 days",
            "logistic_regression", 200, 40, 0.71, 0.64, 0.78, 0.018, List.of(
                new ReportFigures.PropensityDecile(1, 100, 30, 0.31, 0.30, 1.5, 0.75),
                new ReportFigures.PropensityDecile(2, 100, 10, 0.09, 0.10, 0.5, 1.0)),
            Map.of("frequency", 0.8, "recency_days", -1.2, "region=North", 0.1))) : List.of(),
        withEverything ? List.of(new ReportFigures.UpliftModel("win_back_uplift", "treatment", "audience win_back",
            "converted", "fitted", null, "two_models_logistic_regression", 600, 0.02, 0.004, -0.001, 0.009, 0.25,
            List.of(new ReportFigures.QiniPoint(0, 0), new ReportFigures.QiniPoint(0.5, 0.018),
                new ReportFigures.QiniPoint(1, 0.02)),
            List.of(new ReportFigures.QiniPoint(0, 0), new ReportFigures.QiniPoint(0.1, 0.1),
                new ReportFigures.QiniPoint(1, 0.02)),
            List.of(new ReportFigures.UpliftAtK(10, 60, 0.05, 0.01, 0.09, 0.017)), 0.3, 3000L, 1234.5))
            : List.of(),
        withEverything ? List.of(
            new ReportFigures.AffinityCell("rfm_segment", AWKWARD, "product_category", "garden", 1, 2.5, 6.25, 40),
            new ReportFigures.AffinityCell("rfm_segment", AWKWARD, "product_category", "toys", 2, 1.75, 3.5, 30))
            : List.of(),
        withEverything ? List.of(
            new ReportFigures.RecommenderTest("segment_popularity", 800, 0.04, 0.03, 0.05, 0.24, 0.21, 0.27, 0.03,
                0.2, true),
            new ReportFigures.RecommenderTest("als", 800, 0.035, 0.025, 0.045, 0.2, 0.17, 0.23, 0.025, 0.18, false))
            : List.of(),
        withEverything ? List.of(new ReportFigures.ProductRule(List.of("books-01", "music-02"), "home-03", 25, 0.5,
            3.25, 0.4)) : List.of());
  }

  static String render(ReportFigures figures) {
    return ReportPage.render(figures, ReportCharts.of(figures));
  }

  static List<String> chartIds(String html) {
    Matcher svg = Pattern.compile("<svg role=\"img\" aria-label=\"[^\"]*\" id='([^']+)'").matcher(html);
    List<String> ids = new java.util.ArrayList<>();
    while (svg.find()) {
      ids.add(svg.group(1));
    }
    return ids;
  }

  @Test
  void theSameFiguresGiveTheSameBytes() {
    assertEquals(render(figures(true)), render(figures(true)));
  }

  @Test
  void textIsEscapedInTablesAndCharts() {
    String html = render(figures(true));
    assertFalse(html.contains("<Lose>"), "a name reached the page unescaped");
    assertTrue(html.contains("Can't &lt;Lose&gt; &amp; &quot;Them&quot;"), "the table shows the name escaped");
    // JFreeSVG escapes chart text in its own way; whichever, the name is there as text of the segment chart
    String segmentChart = html.substring(html.indexOf("id='chart-segment-shares'"),
        html.indexOf("</svg>", html.indexOf("id='chart-segment-shares'")));
    assertTrue(segmentChart.contains("&lt;Lose&gt;"), "the segment chart does not name the segment");
  }

  @Test
  void numbersCarryTheirExactValues() {
    String html = render(figures(true));
    assertTrue(html.contains("id=\"card-revenue\" data-value=\"12345.6700\"><b>12,345.67</b>"), "revenue card");
    assertTrue(html.contains("<td class=\"n\" data-value=\"19.0\">19.00</td>"), "revenue share in percent");
    assertTrue(html.contains("data-from=\"new\" data-to=\"Can't &lt;Lose&gt; &amp; &quot;Them&quot;\" "
        + "data-value=\"5\">5</td>"), "a transition cell names its pair and value");
    assertTrue(html.contains("data-r=\"R=5\" data-f=\"F=5\" data-value=\"30\">30</td>"), "a grid cell");
    // the quality table's quarantined share: 10 of 1000 rows
    assertTrue(html.contains("data-value=\"1.0\">1.00</td>"), "quarantined percent");
  }

  @Test
  void everySectionWithFiguresHasItsCharts() {
    assertEquals(List.of("chart-segment-shares", "chart-rf-customers", "chart-rf-monetary", "chart-transitions",
            "chart-cluster-sizes", "chart-cluster-0", "chart-cluster-1", "chart-clv-by-segment",
            "chart-alive-by-recency", "chart-audience-arms", "chart-audience-changes", "chart-experiment-0",
            "chart-propensity-calibration-0", "chart-propensity-gain-0", "chart-uplift-qini-0", "chart-trend-customers",
            "chart-trend-revenue", "chart-trend-satisfaction"),
        chartIds(render(figures(true))));
  }

  /** The satisfaction trend: one row per night and segment with answers, each score exact. */
  @Test
  void theSatisfactionTrendListsEachNightsScore() {
    String html = render(figures(true));
    String table = html.substring(html.indexOf("<table id=\"satisfaction-table\">"));
    table = table.substring(0, table.indexOf("</table>"));
    assertEquals(3, table.split("<tr>").length - 2, table); // the header row and three rows
    assertTrue(table.contains("<td>2026-11-21</td><td>Champions</td><td class=\"n\" data-value=\"9\">9</td>"
        + "<td class=\"n\" data-value=\"77.77777777777777\">"), table);
    assertTrue(html.contains("CSAT of the answers in each night's window"), "the scale is named");
    assertFalse(render(figures(false)).contains("satisfaction-table"), "no surveys, no satisfaction trend");
  }

  @Test
  void aNightWithoutClustersLifetimeValuesOrAudiencesSaysSo() {
    String html = render(figures(false));
    assertEquals(List.of("chart-segment-shares", "chart-rf-customers", "chart-rf-monetary", "chart-transitions",
        "chart-trend-customers", "chart-trend-revenue"), chartIds(html));
    assertTrue(html.contains("No clusters tonight"));
    assertTrue(html.contains("No lifetime values tonight"));
    assertTrue(html.contains("No audiences configured"));
    assertTrue(html.contains("No propensity model tonight"));
    assertTrue(html.contains("No uplift model tonight"));
    assertTrue(html.contains("No product affinity tonight"));
  }

  /**
   * What to offer: each segment's top items with index and residual exact, the recommenders' test with the exported
   * one first and, when it is the baseline, the words that say the model did not beat it; the rules.
   */
  @Test
  void theAffinitySectionShowsTopItemsTheRecommenderTestAndRules() {
    String html = render(figures(true));
    String top = html.substring(html.indexOf("<table id=\"affinity-top\">"));
    top = top.substring(0, top.indexOf("</table>"));
    assertTrue(top.contains("<td>Can't &lt;Lose&gt; &amp; &quot;Them&quot;</td><td class=\"n\" data-value=\"1\">1"
        + "</td><td>garden</td><td class=\"n\" data-value=\"40\">40</td><td class=\"n\" data-value=\"2.5\">2.50"
        + "</td><td class=\"n\" data-value=\"6.25\">6.25</td>"), top);
    assertTrue(top.indexOf("garden") < top.indexOf("toys"), top);
    assertTrue(html.contains("Exported tonight: <b>segment_popularity</b> (the model did not beat the segment's "
        + "popularity)"), "the baseline exported, in words");
    String test = html.substring(html.indexOf("<table id=\"recommenders\">"));
    test = test.substring(0, test.indexOf("</table>"));
    assertTrue(test.indexOf("segment_popularity") < test.indexOf(">als<"), "the exported recommender first: " + test);
    assertTrue(test.contains("<td class=\"n\" data-value=\"0.24\">0.240</td>"), test);
    assertTrue(html.contains("<td>books-01 + music-02</td><td>home-03</td><td class=\"n\" data-value=\"25\">25</td>"),
        "a rule");
  }

  /** An uplift model: its Qini interval in words (one containing 0 says so), uplift at k, the budget. */
  @Test
  void anUpliftModelShowsItsQiniIntervalUpliftAtKAndBudget() {
    String html = render(figures(true));
    assertTrue(html.contains("Qini coefficient 0.00400 [-0.00100, 0.00900] (<b>no better than random</b>)"), html);
    assertTrue(html.contains("25.00 % of the best possible ranking's"), "normalised");
    assertTrue(html.contains("worth contacting: 3,000 customers (30.00 %), expected incremental profit 1,234.5"));
    String table = html.substring(html.indexOf("<table id=\"uplift-0-at-k\">"));
    table = table.substring(0, table.indexOf("</table>"));
    assertTrue(table.contains("<td class=\"n\" data-value=\"10\">10</td><td class=\"n\" data-value=\"60\">60</td>"
        + "<td class=\"n\" data-value=\"0.05\">0.0500</td>"), table);
  }

  /** A model's deciles exact in its table, its weights by size, its AUC interval in words. */
  @Test
  void aPropensityModelShowsItsDecilesWeightsAndInterval() {
    String html = render(figures(true));
    String deciles = html.substring(html.indexOf("<table id=\"propensity-0-deciles\">"));
    deciles = deciles.substring(0, deciles.indexOf("</table>"));
    assertTrue(deciles.contains("<td class=\"n\" data-value=\"1\">1</td><td class=\"n\" data-value=\"100\">100</td>"
        + "<td class=\"n\" data-value=\"30\">30</td><td class=\"n\" data-value=\"0.31\">0.310</td>"), deciles);
    String weights = html.substring(html.indexOf("<table id=\"propensity-0-weights\">"));
    weights = weights.substring(0, weights.indexOf("</table>"));
    assertTrue(weights.indexOf("recency_days") < weights.indexOf("frequency")
        && weights.indexOf("frequency") < weights.indexOf("region=North"), "largest |weight| first: " + weights);
    assertTrue(html.contains("AUC 0.710 [0.640, 0.780]"), "the interval");
    assertFalse(html.contains("no better than a coin"));
  }
}
