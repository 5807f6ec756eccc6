package org.segmentation.report;

import java.math.BigDecimal;
import java.text.DecimalFormat;
import java.text.DecimalFormatSymbols;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Collectors;
import org.apache.commons.text.StringEscapeUtils;
import org.segmentation.input.ValidatedInput;
import org.segmentation.report.ReportCharts.Chart;
import org.segmentation.experiments.AudienceOutcomes;
import org.segmentation.experiments.ExperimentSums;
import org.segmentation.report.ReportFigures.AudienceArm;
import org.segmentation.report.ReportFigures.AudienceChange;
import org.segmentation.report.ReportFigures.ExperimentLift;
import org.segmentation.report.ReportFigures.ClusterProfile;
import org.segmentation.report.ReportFigures.ClvSpread;
import org.segmentation.report.ReportFigures.GridCell;
import org.segmentation.report.ReportFigures.ReasonCount;
import org.segmentation.report.ReportFigures.RecencyBand;
import org.segmentation.report.ReportFigures.SegmentShare;
import org.segmentation.report.ReportFigures.Transition;
import org.segmentation.report.ReportFigures.TrendPoint;
import org.segmentation.schema.BreakdownCells;

/**
 * The report as one HTML page that opens offline: a style sheet in the head, the charts as inline SVG, no script and
 * nothing fetched. Every chart has a table of its figures beside it; each number cell carries its exact value in a
 * {@code data-value} attribute (the text is rounded for reading), so a test or a scraper reads the same numbers the
 * tables hold.
 */
final class ReportPage {
  private ReportPage() {}

  private static final String STYLE = """
      body{font-family:"DejaVu Sans",Helvetica,Arial,sans-serif;color:#222;margin:0;background:#f6f7f9}
      header{background:#08306b;color:#fff;padding:18px 32px}
      header h1{margin:0 0 4px;font-size:24px} header p{margin:0;opacity:.85}
      nav{padding:8px 32px;background:#e8edf4;font-size:14px} nav a{margin-right:16px;color:#08306b}
      main{max-width:1100px;margin:0 auto;padding:8px 24px 40px}
      section{background:#fff;border:1px solid #dde2ea;border-radius:6px;margin:18px 0;padding:8px 20px 16px}
      h2{color:#08306b;border-bottom:2px solid #e8edf4;padding-bottom:4px} h3{margin:18px 0 6px}
      .cards{display:flex;flex-wrap:wrap;gap:12px} .card{border:1px solid #dde2ea;border-radius:6px;padding:10px 16px;
      min-width:150px} .card b{display:block;font-size:22px;color:#08306b} .card span{font-size:13px;color:#555}
      figure{margin:12px 0} figure svg{width:100%;height:auto;display:block}
      table{border-collapse:collapse;margin:8px 0 12px;font-size:13px} th,td{padding:4px 8px;border-bottom:1px solid #eee}
      th{background:#f0f3f7;text-align:left} td.n{text-align:right;font-variant-numeric:tabular-nums}
      .note{color:#555;font-size:13px} .grid2{display:grid;grid-template-columns:1fr 1fr;gap:12px}
      @media (max-width:900px){.grid2{grid-template-columns:1fr}}
      """;

  static String render(ReportFigures f, Map<String, List<Chart>> charts) {
    StringBuilder page = new StringBuilder(256 * 1024);
    String date = f.night().runDate().toString();
    page.append("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n")
        .append("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n")
        .append("<meta name=\"run-date\" content=\"").append(date).append("\">\n")
        .append("<meta name=\"run-id\" content=\"").append(text(f.night().runId())).append("\">\n")
        .append("<title>Customer segments ").append(date).append("</title>\n<style>").append(STYLE)
        .append("</style>\n</head>\n<body>\n<header><h1>Customer segments, ").append(date).append("</h1><p>run ")
        .append(text(f.night().runId()))
        .append(f.previousRunDate().map(d -> ", compared with the night of " + d).orElse(", the first published night"))
        .append("</p></header>\n<nav>");
    for (String[] link : new String[][] {{"overview", "Overview"}, {"rfm", "RFM segments"}, {"clusters", "Clusters"},
        {"clv", "Lifetime value"}, {"audiences", "Audiences"}, {"experiments", "Experiments"}, {"propensity", "Propensity"},
        {"uplift", "Uplift"}, {"affinity", "What to offer"}, {"trend", "Trend"}}) {
      page.append("<a href=\"#").append(link[0]).append("\">").append(link[1]).append("</a>");
    }
    page.append("</nav>\n<main>\n");
    overview(page, f);
    rfm(page, f, charts.get("rfm"));
    clusters(page, f, charts.get("clusters"));
    clv(page, f, charts.get("clv"));
    audiences(page, f, charts.get("audiences"));
    experiments(page, f, charts.get("experiments"));
    propensity(page, f, charts.get("propensity"));
    uplift(page, f, charts.get("uplift"));
    affinity(page, f);
    trend(page, f, charts.get("trend"));
    page.append("</main>\n</body>\n</html>\n");
    return page.toString();
  }

  private static void overview(StringBuilder page, ReportFigures f) {
    open(page, "overview", "Overview");
    page.append("<div class=\"cards\">");
    card(page, "customers", "customers scored", whole(f.overview().customers()), f.overview().customers());
    card(page, "buyers", "with a counted order", whole(f.overview().buyers()), f.overview().buyers());
    card(page, "revenue", "net revenue", money(f.overview().revenue()), f.overview().revenue());
    card(page, "segments", "RFM segments", whole(f.segments().size()), f.segments().size());
    card(page, "clusters", "clusters", whole(f.clusters().size()), f.clusters().size());
    page.append("</div>\n<h3>Data quality</h3>\n<p class=\"note\">Every input row is accepted, quarantined with its "
        + "reasons (table <code>quarantine</code>), or skipped by configuration.</p>\n");
    Table quality = new Table("quality", "input", "rows read", "accepted", "quarantined", "skipped", "quarantined %");
    for (ValidatedInput.Counts c : f.night().inputs()) {
      quality.row(c.input(), c.read(), c.accepted(), c.quarantined(), c.skipped(), 100 * c.quarantinedShare());
    }
    quality.appendTo(page);
    if (f.reasons().isEmpty()) {
      page.append("<p class=\"note\">No row was quarantined.</p>\n");
    } else {
      Table reasons = new Table("quarantine-reasons", "input", "reason", "rows");
      for (ReasonCount r : f.reasons()) {
        reasons.row(r.input(), r.reason(), r.rows());
      }
      page.append("<h3>Top quarantine reasons</h3>\n");
      reasons.appendTo(page);
    }
    close(page);
  }

  private static void rfm(StringBuilder page, ReportFigures f, List<Chart> charts) {
    open(page, "rfm", "RFM segments");
    page.append("<p class=\"note\">Recency, frequency and monetary value scored 1 to 5 among the night's buyers; "
        + "segments named by the configured rules.</p>\n");
    figure(page, charts, "chart-segment-shares");
    Table segments = new Table("segments", "segment", "customers", "% of customers", "revenue", "% of revenue",
        "mean monetary", "mean predicted CLV", "mean P(alive)");
    for (SegmentShare s : f.segments()) {
      segments.row(s.segment(), s.customers(), 100 * s.shareOfCustomers(), s.revenue(),
          s.shareOfRevenue() == null ? null : 100 * s.shareOfRevenue(), s.meanMonetary(), s.meanPredictedClv(),
          s.meanPAlive());
    }
    segments.appendTo(page);
    page.append("<h3>The R &times; F grid</h3>\n<div class=\"grid2\">");
    figure(page, charts, "chart-rf-customers");
    figure(page, charts, "chart-rf-monetary");
    page.append("</div>\n");
    gridTables(page, f.grid());
    page.append("<h3>Movements since the previous night</h3>\n");
    if (f.transitions().isEmpty()) {
      page.append("<p class=\"note\">No movements: the night has no segment_transitions.</p>\n");
    } else {
      page.append("<p class=\"note\">").append(f.previousRunDate()
              .map(d -> "Customers per segment on " + d + " (rows) and tonight (columns). ")
              .orElse("The first published night: every customer is <i>new</i>. "))
          .append("<i>new</i>: absent the night before; <i>gone</i>: absent tonight.</p>\n");
      figure(page, charts, "chart-transitions");
      crossTable(page, f.transitions());
    }
    close(page);
  }

  /** The transition matrix as a table: previous segment down, tonight's across. */
  private static void crossTable(StringBuilder page, List<Transition> transitions) {
    Map<String, Map<String, Number>> cells = new TreeMap<>();
    Set<String> to = new java.util.TreeSet<>();
    for (Transition t : transitions) {
      to.add(t.to());
      cells.computeIfAbsent(t.from(), k -> new TreeMap<>()).put(t.to(), t.customers());
    }
    crossTable(page, "transitions", "previous \\ tonight", "from", "to", cells, to);
  }

  /**
   * A table of one value per (row, column) pair; each cell names its pair in {@code data-<rowName>} and
   * {@code data-<columnName>}, and an absent pair is an empty cell.
   */
  private static void crossTable(StringBuilder page, String id, String corner, String rowName, String columnName,
      Map<String, Map<String, Number>> cells, Set<String> columns) {
    page.append("<table id=\"").append(id).append("\"><thead><tr><th>").append(text(corner)).append("</th>");
    columns.forEach(name -> page.append("<th>").append(text(name)).append("</th>"));
    page.append("</tr></thead><tbody>\n");
    cells.forEach((row, values) -> {
      page.append("<tr><th>").append(text(row)).append("</th>");
      for (String column : columns) {
        Number value = values.get(column);
        page.append("<td class=\"n\" data-").append(rowName).append("=\"").append(text(row)).append("\" data-")
            .append(columnName).append("=\"").append(text(column)).append('"');
        if (value != null) {
          page.append(" data-value=\"").append(exact(value)).append("\">").append(shown(value));
        } else {
          page.append('>');
        }
        page.append("</td>");
      }
      page.append("</tr>\n");
    });
    page.append("</tbody></table>\n");
  }

  /** The R x F grid as two tables, customers and mean monetary value: R down (5 first), F across. */
  private static void gridTables(StringBuilder page, List<GridCell> grid) {
    Map<String, Map<String, Number>> customers = new TreeMap<>(java.util.Comparator.reverseOrder());
    Map<String, Map<String, Number>> monetary = new TreeMap<>(java.util.Comparator.reverseOrder());
    Set<String> frequencies = new java.util.TreeSet<>();
    for (GridCell c : grid) {
      String r = "R=" + c.recencyScore();
      String f = "F=" + c.frequencyScore();
      frequencies.add(f);
      customers.computeIfAbsent(r, k -> new TreeMap<>()).put(f, c.customers());
      monetary.computeIfAbsent(r, k -> new TreeMap<>()).put(f, c.meanMonetary());
    }
    page.append("<div class=\"grid2\"><div><p class=\"note\">customers</p>");
    crossTable(page, "rf-grid-customers", "R \\ F", "r", "f", customers, frequencies);
    page.append("</div><div><p class=\"note\">mean monetary value</p>");
    crossTable(page, "rf-grid-monetary", "R \\ F", "r", "f", monetary, frequencies);
    page.append("</div></div>\n");
  }

  private static void clusters(StringBuilder page, ReportFigures f, List<Chart> charts) {
    open(page, "clusters", "Clusters");
    if (f.clusters().isEmpty()) {
      page.append("<p class=\"note\">No clusters tonight (clustering.enabled = false, or no buyer).</p>\n");
      close(page);
      return;
    }
    page.append("<p class=\"note\">MLlib clusters of the buyers on their behaviour and profile. Each profile chart "
        + "shows the features that set a cluster apart: its mean minus all buyers' mean, in standard deviations.</p>\n");
    figure(page, charts, "chart-cluster-sizes");
    Table table = new Table("clusters-table", "cluster", "name", "customers", "% of clustered",
        "most distinguishing features (z)");
    for (ClusterProfile c : f.clusters()) {
      table.row(c.id(), c.name(), c.customers(), 100 * c.shareOfCustomers(),
          c.zScores().entrySet().stream().limit(3)
              .map(e -> e.getKey() + " " + String.format(Locale.ROOT, "%+.2f", e.getValue()))
              .collect(Collectors.joining(", ")));
    }
    table.appendTo(page);
    page.append("<div class=\"grid2\">");
    f.clusters().forEach(c -> figure(page, charts, "chart-cluster-" + c.id()));
    page.append("</div>\n");
    close(page);
  }

  private static void clv(StringBuilder page, ReportFigures f, List<Chart> charts) {
    open(page, "clv", "Lifetime value");
    if (f.clvSpread().isEmpty()) {
      page.append("<p class=\"note\">No lifetime values tonight")
          .append(f.clvModel().containsKey("message") ? ": " + text(f.clvModel().get("message")) : "")
          .append(".</p>\n");
    } else {
      page.append("<p class=\"note\">BG/NBD (future purchases, P(alive)) and Gamma-Gamma (their value), fitted on "
          + "the customers' histories.</p>\n");
      figure(page, charts, "chart-clv-by-segment");
      Table spread = new Table("clv-spread", "segment", "customers", "5th pct", "25th pct", "median", "75th pct",
          "95th pct", "mean");
      for (ClvSpread s : f.clvSpread()) {
        spread.row(s.segment(), s.customers(), s.p05(), s.p25(), s.median(), s.p75(), s.p95(), s.mean());
      }
      spread.appendTo(page);
      figure(page, charts, "chart-alive-by-recency");
      Table alive = new Table("alive-by-recency", "recency from (days)", "to (days)", "customers",
          "mean P(alive)", "25th pct", "75th pct");
      for (RecencyBand b : f.aliveByRecency()) {
        alive.row(b.fromDays(), b.toDays(), b.customers(), b.meanPAlive(), b.p25(), b.p75());
      }
      alive.appendTo(page);
    }
    if (!f.clvModel().isEmpty()) {
      page.append("<h3>The fitted model</h3>\n");
      Table model = new Table("clv-model", "parameter", "value");
      f.clvModel().forEach((name, value) -> model.row(name, parsedOrText(value)));
      model.appendTo(page);
    }
    close(page);
  }

  private static void audiences(StringBuilder page, ReportFigures f, List<Chart> charts) {
    open(page, "audiences", "Audiences");
    if (f.audiences().isEmpty()) {
      page.append("<p class=\"note\">No audiences configured (audiences.lists).</p>\n");
      close(page);
      return;
    }
    page.append("<p class=\"note\">Members by arm (the control arm is held out of every export) and who joined or "
        + "left since the previous published night.</p>\n<div class=\"grid2\">");
    figure(page, charts, "chart-audience-arms");
    figure(page, charts, "chart-audience-changes");
    page.append("</div>\n");
    Map<String, Map<String, Long>> arms = new LinkedHashMap<>();
    for (AudienceArm a : f.audiences()) {
      arms.computeIfAbsent(a.audience(), k -> new TreeMap<>()).put(a.arm(), a.members());
    }
    Map<String, AudienceChange> changes = f.audienceChanges().stream()
        .collect(Collectors.toMap(AudienceChange::audience, c -> c));
    Table table = new Table("audiences-table", "audience", "treatment", "control", "added", "removed");
    arms.forEach((audience, byArm) -> {
      AudienceChange change = changes.getOrDefault(audience, new AudienceChange(audience, 0, 0));
      table.row(audience, byArm.getOrDefault("treatment", 0L), byArm.getOrDefault("control", 0L), change.added(),
          change.removed());
    });
    table.appendTo(page);
    close(page);
  }

  /**
   * Per experiment and variant: its figures on every metric, its forest plot, and the cells of its breakdowns on
   * conversion and revenue, where a cell is marked significant only by its q-value.
   */
  private static void experiments(StringBuilder page, ReportFigures f, List<Chart> charts) {
    open(page, "experiments", "Experiments");
    if (f.experiments().isEmpty()) {
      page.append("<p class=\"note\">No audience with a holdout has members sent before this night yet "
          + "(experiments).</p>\n");
      close(page);
      return;
    }
    page.append("<p class=\"note\">Each audience with a holdout, its treatment arm against the holdout over the "
        + "attribution window after each member's first send (intention to treat). Lift = treatment − control; the "
        + "interval is Welch's; CUPED adjusts for each member's own figures before the send; a cell counts as a "
        + "difference only when its q-value (Benjamini–Hochberg across the breakdown's cells) is below 1 − the "
        + "confidence.</p>\n");
    int chart = 0;
    for (List<ExperimentLift> lifts : ReportCharts.byVariant(f.experiments()).values()) {
      ExperimentLift first = lifts.get(0);
      page.append("<h3>").append(text(first.experiment())).append(": ").append(text(first.variant()))
          .append(" against control</h3>\n<p class=\"note\">")
          .append(first.windowComplete() ? "Every member's window has ended." : "Some members' windows are still "
              + "open: these figures still move.")
          .append(first.srmFlag() ? " <b>Sample-ratio mismatch</b> (p = " + exact(first.srmPValue())
              + "): the arms do not have the configured sizes; do not trust these figures." : "")
          .append("</p>\n");
      Table whole = new Table("experiment-" + chart + "-table", "metric", "control n", "control mean",
          "treatment n", "treatment mean", "lift", "low", "high", "relative lift", "p", "CUPED lift", "CUPED low",
          "CUPED high", "variance reduction");
      lifts.stream().filter(e -> e.breakdown().equals(BreakdownCells.WHOLE)).forEach(e -> whole.row(e.metric(),
          e.controlN(), e.controlMean(), e.variantN(), e.variantMean(), e.lift(), e.low(), e.high(), e.relativeLift(),
          e.pValue(), e.cupedLift(), e.cupedLow(), e.cupedHigh(), e.varianceReduction()));
      whole.appendTo(page);
      if (lifts.stream().anyMatch(e -> e.metric().equals(ReportCharts.FOREST_METRIC))) {
        figure(page, charts, ReportCharts.experimentChartId(chart));
      }
      Table cells = new Table("experiment-" + chart + "-cells", "metric", "breakdown", "cell", "control n",
          "treatment n", "lift", "low", "high", "q", "difference");
      double alpha = 1 - first.confidence();
      lifts.stream().filter(e -> !e.breakdown().equals(BreakdownCells.WHOLE)
          && (e.metric().equals(AudienceOutcomes.CONVERTED) || e.metric().equals(AudienceOutcomes.REVENUE)))
          .forEach(e -> cells.row(e.metric(), e.breakdown(), e.cell(), e.controlN(), e.variantN(), e.lift(),
              e.low(), e.high(), e.qValue(),
              e.qValue() == null ? "no statistic" : e.qValue() < alpha ? (e.lift() > 0 ? "higher" : "lower") : ""));
      cells.appendTo(page);
      chart++;
    }
    close(page);
  }

  /** Features listed per propensity model: the largest weights by size. */
  static final int TOP_WEIGHTS = 8;

  private static void propensity(StringBuilder page, ReportFigures f, List<Chart> charts) {
    open(page, "propensity", "Propensity");
    if (f.propensity().isEmpty()) {
      page.append("<p class=\"note\">No propensity model tonight (propensity.models).</p>\n");
      close(page);
      return;
    }
    page.append("<p class=\"note\">Each model's calibrated probability, measured on held-out customers it was never "
        + "fitted on. AUC: the chance that a customer with the label scores above one without (0.5 is a coin). "
        + "Calibration: in each tenth of customers by score, the mean predicted probability against the rate "
        + "observed; lift: that rate over the base rate; gain: the share of all positives found down to that "
        + "tenth.</p>\n");
    for (int m = 0; m < f.propensity().size(); m++) {
      ReportFigures.PropensityModel model = f.propensity().get(m);
      page.append("<h3>").append(text(model.model())).append("</h3>\n<p class=\"note\">")
          .append(text(model.label())).append("; ").append(text(model.learner())).append("; ")
          .append(whole(model.evaluationCustomers())).append(" held-out customers, ")
          .append(whole(model.evaluationPositives())).append(" with the label; AUC ")
          .append(model.auc() == null ? "n/a" : shown(model.auc()) + " [" + shown(model.aucLow()) + ", "
              + shown(model.aucHigh()) + "]")
          .append(model.aucLow() != null && model.aucLow() <= 0.5 ? " (<b>no better than a coin</b>)" : "")
          .append("; expected calibration error ")
          .append(model.expectedCalibrationError() == null ? "n/a" : shown(model.expectedCalibrationError()))
          .append(".</p>\n");
      Table deciles = new Table("propensity-" + m + "-deciles", "decile", "customers", "with the label",
          "mean predicted", "observed rate", "lift", "cumulative gain");
      model.deciles().forEach(d -> deciles.row(d.decile(), d.customers(), d.positives(), d.meanPropensity(),
          d.observedRate(), d.lift(), d.cumulativeGain()));
      deciles.appendTo(page);
      page.append("<div class=\"grid2\">");
      figure(page, charts, ReportCharts.calibrationChartId(m));
      figure(page, charts, ReportCharts.gainChartId(m));
      page.append("</div>\n");
      Table weights = new Table("propensity-" + m + "-weights", "feature", "weight");
      model.featureWeights().entrySet().stream()
          .sorted(Comparator.comparing((Map.Entry<String, Double> e) -> -Math.abs(e.getValue()))
              .thenComparing(Map.Entry::getKey))
          .limit(TOP_WEIGHTS).forEach(e -> weights.row(e.getKey(), e.getValue()));
      weights.appendTo(page);
    }
    close(page);
  }

  private static void uplift(StringBuilder page, ReportFigures f, List<Chart> charts) {
    open(page, "uplift", "Uplift");
    if (f.uplift().isEmpty()) {
      page.append("<p class=\"note\">No uplift model tonight (uplift.models).</p>\n");
      close(page);
      return;
    }
    page.append("<p class=\"note\">Each model learns from an audience's experiment what contacting a customer "
        + "changes, and is measured on held-out members it never learned from. Qini curve: contacting members in "
        + "order of score, the incremental outcomes found per treated member; a ranking that knows nothing follows the "
        + "straight line. Qini coefficient: the area between the two (an interval containing 0: the model has "
        + "learned nothing). Uplift at k: the lift measured among the top k % by score.</p>\n");
    for (int m = 0; m < f.uplift().size(); m++) {
      ReportFigures.UpliftModel model = f.uplift().get(m);
      page.append("<h3>").append(text(model.model()))
          .append(model.variant() == null ? "" : " (" + text(model.variant()) + ")")
          .append("</h3>\n<p class=\"note\">").append(text(model.outcome())).append(" in the ")
          .append(text(model.source())).append("; ").append(text(model.status()));
      if (model.message() != null) {
        page.append(": ").append(text(model.message()));
      }
      if (model.learner() != null) {
        page.append("; ").append(text(model.learner()));
      }
      page.append("; ").append(whole(model.evaluationMembers())).append(" held-out members");
      if (model.qini() != null) {
        page.append("; Qini coefficient ").append(shown(model.qini())).append(" [").append(shown(model.qiniLow()))
            .append(", ").append(shown(model.qiniHigh())).append("]")
            .append(model.qiniLow() != null && model.qiniLow() <= 0 ? " (<b>no better than random</b>)" : "");
      }
      if (model.normalisedQini() != null) {
        page.append(", ").append(shown(100 * model.normalisedQini())).append(" % of the best possible ranking's");
      }
      if (model.averageEffect() != null) {
        page.append("; average effect ").append(shown(model.averageEffect()));
      }
      if (model.contactShare() != null) {
        page.append("; worth contacting: ").append(whole(model.contactCustomers())).append(" customers (")
            .append(shown(100 * model.contactShare())).append(" %), expected incremental profit ")
            .append(shown(model.expectedProfit()));
      }
      page.append(".</p>\n");
      Table upliftAt = new Table("uplift-" + m + "-at-k", "top k %", "members", "lift in the top", "low", "high",
          "lift in the rest");
      model.upliftAt().forEach(k -> upliftAt.row(k.percent(), k.members(), k.top(), k.topLow(), k.topHigh(),
          k.rest()));
      upliftAt.appendTo(page);
      figure(page, charts, ReportCharts.qiniChartId(m));
    }
    close(page);
  }

  private static void affinity(StringBuilder page, ReportFigures f) {
    open(page, "affinity", "What to offer");
    if (f.affinity().isEmpty() && f.recommenders().isEmpty() && f.rules().isEmpty()) {
      page.append("<p class=\"note\">No product affinity tonight (affinity.enabled).</p>\n");
      close(page);
      return;
    }
    if (!f.affinity().isEmpty()) {
      ReportFigures.AffinityCell first = f.affinity().get(0);
      page.append("<h3>What each segment buys more than everyone</h3>\n<p class=\"note\">Per ")
          .append(text(first.dimension())).append(", the ").append(ReportFigures.TOP_ITEMS).append(" items (")
          .append(text(first.itemColumn())).append(") with the highest index among those bought beyond chance: "
              + "index = the share of the segment's buyers who bought the item over the same share in the whole base "
              + "(2 = twice as often); residual = the Pearson residual of the segment x item table (above 2: "
              + "unlikely to be chance).</p>\n");
      Table top = new Table("affinity-top", "segment", "rank", "item", "buyers", "index", "residual");
      f.affinity().stream().filter(c -> c.dimension().equals(first.dimension())
              && c.itemColumn().equals(first.itemColumn()))
          .forEach(c -> top.row(c.segment(), c.rank(), c.item(), c.buyers(), c.index(), c.residual()));
      top.appendTo(page);
    }
    if (!f.recommenders().isEmpty()) {
      ReportFigures.RecommenderTest exported = f.recommenders().get(0);
      page.append("<h3>Next-best products: the model against the baselines</h3>\n<p class=\"note\">Fitted on the "
          + "purchases before the last days of the night, measured on the items customers then bought for the first "
          + "time (").append(whole(exported.customers())).append(" customers), with bootstrap intervals. Exported "
          + "tonight: <b>").append(text(exported.recommender())).append("</b>")
          .append(exported.recommender().equals("als") ? "" : " (the model did not beat the segment's popularity)")
          .append(".</p>\n");
      Table test = new Table("recommenders", "recommender", "MAP@k", "low", "high", "hit rate@k", "low", "high",
          "precision@k", "recall@k", "exported");
      f.recommenders().forEach(r -> test.row(r.recommender(), r.map(), r.mapLow(), r.mapHigh(), r.hitRate(),
          r.hitRateLow(), r.hitRateHigh(), r.precision(), r.recall(), r.exported() ? "yes" : ""));
      test.appendTo(page);
    }
    if (!f.rules().isEmpty()) {
      page.append("<h3>Bought together</h3>\n<p class=\"note\">The rules with the highest lift: confidence = the "
          + "share of baskets with the left side that also hold the right; lift = confidence over the right side's "
          + "share of all baskets (1 = independent).</p>\n");
      Table rules = new Table("product-rules", "who buys", "also buys", "baskets", "confidence", "lift",
          "standardised lift");
      f.rules().forEach(r -> rules.row(String.join(" + ", r.antecedent()), r.consequent(), r.baskets(),
          r.confidence(), r.lift(), r.standardisedLift()));
      rules.appendTo(page);
    }
    close(page);
  }

  private static void trend(StringBuilder page, ReportFigures f, List<Chart> charts) {
    open(page, "trend", "Trend");
    Set<LocalDate> dates = new java.util.TreeSet<>();
    Set<String> segments = new LinkedHashSet<>();
    f.segments().forEach(s -> segments.add(s.segment()));
    f.trend().forEach(p -> {
      dates.add(p.runDate());
      segments.add(p.segment());
    });
    page.append("<p class=\"note\">The last ").append(dates.size())
        .append(" published nights, as run_log names them.</p>\n");
    figure(page, charts, "chart-trend-customers");
    figure(page, charts, "chart-trend-revenue");
    List<String> headers = new ArrayList<>(List.of("run date"));
    headers.addAll(segments);
    headers.add("revenue");
    Table table = new Table("trend-table", headers.toArray(String[]::new));
    for (LocalDate date : dates) {
      List<Object> row = new ArrayList<>(List.of(date.toString()));
      Map<String, TrendPoint> ofDate = f.trend().stream().filter(p -> p.runDate().equals(date))
          .collect(Collectors.toMap(TrendPoint::segment, p -> p));
      BigDecimal revenue = BigDecimal.ZERO;
      for (String segment : segments) {
        TrendPoint p = ofDate.get(segment);
        row.add(p == null ? 0L : p.customers());
        revenue = p == null ? revenue : revenue.add(p.revenue());
      }
      row.add(revenue);
      table.row(row.toArray());
    }
    table.appendTo(page);
    if (!f.satisfaction().isEmpty()) {
      page.append("<p class=\"note\">Satisfaction from the surveys input (segment_kpis): ")
          .append(f.satisfaction().get(0).scale()).append(" of the answers in each night's window.</p>\n");
      figure(page, charts, "chart-trend-satisfaction");
      Table answers = new Table("satisfaction-table", "run date", "segment", "answers",
          f.satisfaction().get(0).scale());
      f.satisfaction().forEach(p -> answers.row(p.runDate().toString(), p.segment(), p.answers(), p.score()));
      answers.appendTo(page);
    }
    close(page);
  }

  private static void open(StringBuilder page, String id, String title) {
    page.append("<section id=\"").append(id).append("\">\n<h2>").append(title).append("</h2>\n");
  }

  private static void close(StringBuilder page) {
    page.append("</section>\n");
  }

  private static void card(StringBuilder page, String id, String label, String shown, Object value) {
    page.append("<div class=\"card\" id=\"card-").append(id).append("\" data-value=\"").append(exact(value))
        .append("\"><b>").append(shown).append("</b><span>").append(label).append("</span></div>");
  }

  private static void figure(StringBuilder page, List<Chart> charts, String id) {
    charts.stream().filter(c -> c.id().equals(id)).findFirst().ifPresent(c -> page
        .append("<figure id=\"figure-").append(id).append("\">")
        .append(c.svg().replaceFirst("<svg ", "<svg role=\"img\" aria-label=\"" + text(c.title()) + "\" "))
        .append("</figure>\n"));
  }

  /** A table of figures; numbers right-aligned and rounded, their exact value in data-value. */
  private static final class Table {
    private final String id;
    private final String[] headers;
    private final List<Object[]> rows = new ArrayList<>();

    Table(String id, String... headers) {
      this.id = id;
      this.headers = headers;
    }

    void row(Object... cells) {
      rows.add(cells);
    }

    void appendTo(StringBuilder page) {
      page.append("<table id=\"").append(id).append("\"><thead><tr>");
      for (String header : headers) {
        page.append("<th>").append(text(header)).append("</th>");
      }
      page.append("</tr></thead><tbody>\n");
      for (Object[] row : rows) {
        page.append("<tr>");
        for (Object cell : row) {
          if (cell instanceof Number number) {
            page.append("<td class=\"n\" data-value=\"").append(exact(number)).append("\">").append(shown(number))
                .append("</td>");
          } else {
            page.append("<td>").append(cell == null ? "" : text(cell.toString())).append("</td>");
          }
        }
        page.append("</tr>\n");
      }
      page.append("</tbody></table>\n");
    }
  }

  /** A clv_model value: a number when it reads as one (shown rounded), otherwise the text. */
  private static Object parsedOrText(String value) {
    try {
      return value.matches("-?[0-9]+") ? (Object) Long.valueOf(value)
          : value.matches("-?[0-9.Ee+-]+") ? (Object) Double.valueOf(value) : value;
    } catch (NumberFormatException e) {
      return value;
    }
  }

  private static String exact(Object value) {
    if (value instanceof BigDecimal decimal) {
      return decimal.toPlainString();
    }
    return String.valueOf(value);
  }

  private static String shown(Number number) {
    if (number instanceof Long || number instanceof Integer) {
      return whole(number.longValue());
    }
    if (number instanceof BigDecimal decimal) {
      return money(decimal);
    }
    double value = number.doubleValue();
    if (Math.abs(value) >= 100) {
      return format("#,##0.0", value);
    }
    if (Math.abs(value) >= 1 || value == 0 || !Double.isFinite(value)) {
      return format("#,##0.00", value);
    }
    // below one: three significant digits (a share 0.123, a scale 0.000412)
    return new BigDecimal(value).round(new java.math.MathContext(3)).toPlainString();
  }

  private static String whole(long value) {
    return format("#,##0", value);
  }

  private static String money(BigDecimal value) {
    return format("#,##0.00", value);
  }

  private static String format(String pattern, Object value) {
    return new DecimalFormat(pattern, DecimalFormatSymbols.getInstance(Locale.ROOT)).format(value);
  }

  private static String text(String value) {
    return StringEscapeUtils.escapeHtml4(value);
  }
}
