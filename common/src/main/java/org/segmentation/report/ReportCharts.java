package org.segmentation.report;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.Paint;
import java.awt.Rectangle;
import java.text.DecimalFormat;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.jfree.chart.ChartFactory;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.StandardChartTheme;
import org.jfree.chart.annotations.XYTextAnnotation;
import org.jfree.chart.axis.CategoryAxis;
import org.jfree.chart.axis.CategoryLabelPositions;
import org.jfree.chart.axis.NumberAxis;
import org.jfree.chart.axis.SymbolAxis;
import org.jfree.chart.plot.CategoryPlot;
import org.jfree.chart.plot.PlotOrientation;
import org.jfree.chart.plot.XYPlot;
import org.jfree.chart.renderer.PaintScale;
import org.jfree.chart.renderer.category.BarRenderer;
import org.jfree.chart.renderer.category.StandardBarPainter;
import org.jfree.chart.renderer.xy.DeviationRenderer;
import org.jfree.chart.renderer.xy.XYBlockRenderer;
import org.jfree.chart.title.PaintScaleLegend;
import org.jfree.chart.ui.RectangleEdge;
import org.jfree.chart.ui.RectangleInsets;
import org.jfree.data.category.DefaultCategoryDataset;
import org.jfree.data.statistics.BoxAndWhiskerItem;
import org.jfree.data.statistics.DefaultBoxAndWhiskerCategoryDataset;
import org.jfree.data.xy.DefaultXYZDataset;
import org.jfree.data.xy.YIntervalSeries;
import org.jfree.data.xy.YIntervalSeriesCollection;
import org.jfree.svg.SVGGraphics2D;
import org.jfree.svg.ViewBox;
import org.segmentation.experiments.AudienceOutcomes;
import org.segmentation.experiments.ExperimentSums;
import org.segmentation.report.ReportFigures.AudienceArm;
import org.segmentation.report.ReportFigures.AudienceChange;
import org.segmentation.report.ReportFigures.ClusterProfile;
import org.segmentation.report.ReportFigures.ClvSpread;
import org.segmentation.report.ReportFigures.ExperimentLift;
import org.segmentation.report.ReportFigures.GridCell;
import org.segmentation.report.ReportFigures.RecencyBand;
import org.segmentation.report.ReportFigures.SegmentShare;
import org.segmentation.report.ReportFigures.Transition;
import org.segmentation.report.ReportFigures.TrendPoint;
import org.segmentation.schema.BreakdownCells;

/**
 * The report's charts: JFreeChart draws each one, JFreeSVG records the drawing as an SVG element that the page
 * embeds. Every chart is a pure function of the figures, and its SVG ids are prefixed with the chart's id, so the same
 * night gives the same bytes and two charts of one page never share an id.
 */
final class ReportCharts {
  private ReportCharts() {}

  static {
    // Charts are drawn into SVG, never on a screen: a driver on a cluster node with a stray DISPLAY must not try one.
    if (System.getProperty("java.awt.headless") == null) {
      System.setProperty("java.awt.headless", "true");
    }
  }

  /** A chart: its element id, title (also the figure's caption) and SVG markup. */
  record Chart(String id, String title, String svg) {}

  static final int WIDTH = 900;
  /** The drawing width of a chart shown beside another. */
  static final int HALF_WIDTH = 540;
  private static final Color INK = new Color(0x33, 0x33, 0x33);
  private static final Color GRID = new Color(0xdd, 0xdd, 0xdd);
  /** A palette that stays distinct for the colour-blind (Okabe and Ito). */
  private static final Color[] SERIES = {new Color(0x00, 0x72, 0xB2), new Color(0xE6, 0x9F, 0x00),
      new Color(0x00, 0x9E, 0x73), new Color(0xCC, 0x79, 0xA7), new Color(0x56, 0xB4, 0xE9),
      new Color(0xD5, 0x5E, 0x00), new Color(0xF0, 0xE4, 0x42), new Color(0x00, 0x00, 0x00)};
  private static final DecimalFormat WHOLE = new DecimalFormat("#,##0");
  private static final DecimalFormat MONEY = new DecimalFormat("#,##0.00");

  static Chart segmentShares(List<SegmentShare> segments) {
    DefaultCategoryDataset data = new DefaultCategoryDataset();
    for (SegmentShare s : segments) {
      data.addValue(100 * s.shareOfCustomers(), "% of customers", s.segment());
      data.addValue(s.shareOfRevenue() == null ? 0 : 100 * s.shareOfRevenue(), "% of revenue", s.segment());
    }
    JFreeChart chart = ChartFactory.createBarChart("Customers and revenue by RFM segment", "RFM segment",
        "share of the night (%)", data, PlotOrientation.HORIZONTAL, true, false, false);
    return svg("chart-segment-shares", chart, Math.max(320, 60 + 34 * segments.size()));
  }

  /**
   * The R x F grid: recency score across, frequency score up, each cell coloured and labelled by its customers or by
   * their mean monetary value.
   */
  static Chart recencyFrequencyGrid(List<GridCell> cells, boolean byMonetary) {
    int n = cells.size();
    double[][] xyz = new double[3][n];
    for (int i = 0; i < n; i++) {
      xyz[0][i] = cells.get(i).recencyScore();
      xyz[1][i] = cells.get(i).frequencyScore();
      xyz[2][i] = byMonetary ? cells.get(i).meanMonetary() : cells.get(i).customers();
    }
    String what = byMonetary ? "mean monetary value" : "customers";
    XYPlot plot = heatmap(xyz, integerAxis("recency score R (5 = bought most recently)"),
        integerAxis("frequency score F (5 = buys most often)"), what, byMonetary ? MONEY : WHOLE);
    JFreeChart chart = new JFreeChart("R x F grid: " + what + " per cell", JFreeChart.DEFAULT_TITLE_FONT, plot,
        false);
    chart.addSubtitle(legend(plot, what));
    return svg(byMonetary ? "chart-rf-monetary" : "chart-rf-customers", chart, HALF_WIDTH, 440);
  }

  /** Customers who moved from a segment of the previous night (down) to a segment of this night (across). */
  static Chart transitionMatrix(List<Transition> transitions) {
    Set<String> from = new TreeSet<>();
    Set<String> to = new TreeSet<>();
    transitions.forEach(t -> {
      from.add(t.from());
      to.add(t.to());
    });
    List<String> fromNames = new ArrayList<>(from);
    List<String> toNames = new ArrayList<>(to);
    double[][] xyz = new double[3][transitions.size()];
    for (int i = 0; i < transitions.size(); i++) {
      xyz[0][i] = toNames.indexOf(transitions.get(i).to());
      xyz[1][i] = fromNames.indexOf(transitions.get(i).from());
      xyz[2][i] = transitions.get(i).customers();
    }
    SymbolAxis across = new SymbolAxis("segment tonight", toNames.toArray(String[]::new));
    across.setVerticalTickLabels(true);
    SymbolAxis down = new SymbolAxis("segment the previous night", fromNames.toArray(String[]::new));
    across.setGridBandsVisible(false);
    down.setGridBandsVisible(false);
    XYPlot plot = heatmap(xyz, across, down, "customers", WHOLE);
    JFreeChart chart = new JFreeChart("Movements between RFM segments since the previous night",
        JFreeChart.DEFAULT_TITLE_FONT, plot, false);
    chart.addSubtitle(legend(plot, "customers"));
    return svg("chart-transitions", chart, Math.max(480, 200 + 30 * fromNames.size()));
  }

  static Chart clusterSizes(List<ClusterProfile> clusters) {
    DefaultCategoryDataset data = new DefaultCategoryDataset();
    clusters.forEach(c -> data.addValue(c.customers(), "customers", c.id() + " " + c.name()));
    JFreeChart chart = ChartFactory.createBarChart("Customers per cluster", "cluster", "customers", data,
        PlotOrientation.HORIZONTAL, false, false, false);
    return svg("chart-cluster-sizes", chart, Math.max(260, 70 + 34 * clusters.size()));
  }

  /** The features that set one cluster apart: its standardised differences from the base, largest first. */
  static Chart clusterProfile(ClusterProfile cluster, int features) {
    DefaultCategoryDataset data = new DefaultCategoryDataset();
    cluster.zScores().entrySet().stream().limit(features).forEach(e -> {
      data.addValue(e.getValue() >= 0 ? e.getValue() : 0, "above the base", e.getKey());
      data.addValue(e.getValue() < 0 ? e.getValue() : 0, "below the base", e.getKey());
    });
    JFreeChart chart = ChartFactory.createStackedBarChart("Cluster " + cluster.id() + " " + cluster.name()
            + ": how it differs from all customers", "feature", "standardised difference (z)", data,
        PlotOrientation.HORIZONTAL, true, false, false);
    return svg("chart-cluster-" + cluster.id(), chart, HALF_WIDTH, Math.max(240, 100 + 28 * data.getColumnCount()));
  }

  /** Box and whiskers per segment: 5th, 25th, 50th, 75th and 95th percentile, and the mean. */
  static Chart clvBySegment(List<ClvSpread> spreads) {
    DefaultBoxAndWhiskerCategoryDataset data = new DefaultBoxAndWhiskerCategoryDataset();
    for (ClvSpread s : spreads) {
      data.add(new BoxAndWhiskerItem(s.mean(), s.median(), s.p25(), s.p75(), s.p05(), s.p95(), s.p05(), s.p95(),
          List.of()), "predicted CLV", s.segment());
    }
    JFreeChart chart = ChartFactory.createBoxAndWhiskerChart("Predicted CLV per RFM segment (box: 25th-75th "
        + "percentile, whiskers: 5th-95th)", "RFM segment", "predicted CLV (currency)", data, false);
    CategoryPlot plot = (CategoryPlot) chart.getPlot();
    plot.getDomainAxis().setCategoryLabelPositions(CategoryLabelPositions.UP_45);
    org.jfree.chart.renderer.category.BoxAndWhiskerRenderer boxes =
        (org.jfree.chart.renderer.category.BoxAndWhiskerRenderer) plot.getRenderer();
    boxes.setMeanVisible(false); // a dot as wide as the box hides the median; the table beside has the mean
    boxes.setMaximumBarWidth(0.06);
    boxes.setSeriesPaint(0, SERIES[4]);
    boxes.setSeriesOutlinePaint(0, SERIES[0]);
    boxes.setUseOutlinePaintForWhiskers(true);
    return svg("chart-clv-by-segment", chart, 460);
  }

  static Chart aliveByRecency(List<RecencyBand> bands) {
    YIntervalSeries series = new YIntervalSeries("mean P(alive), band: 25th-75th percentile");
    bands.forEach(b -> series.add((b.fromDays() + b.toDays()) / 2.0, b.meanPAlive(), b.p25(), b.p75()));
    YIntervalSeriesCollection data = new YIntervalSeriesCollection();
    data.addSeries(series);
    DeviationRenderer renderer = new DeviationRenderer(true, true);
    renderer.setSeriesPaint(0, SERIES[0]);
    renderer.setSeriesFillPaint(0, SERIES[4]);
    renderer.setSeriesStroke(0, new BasicStroke(2f));
    NumberAxis probability = new NumberAxis("P(alive)");
    probability.setRange(0, 1);
    XYPlot plot = new XYPlot(data, new NumberAxis("recency (days since the last purchase)"), probability, renderer);
    JFreeChart chart = new JFreeChart("P(alive) against recency", JFreeChart.DEFAULT_TITLE_FONT, plot, true);
    return svg("chart-alive-by-recency", chart, 380);
  }

  static Chart audienceArms(List<AudienceArm> arms) {
    DefaultCategoryDataset data = new DefaultCategoryDataset();
    arms.forEach(a -> data.addValue(a.members(), a.arm(), a.audience()));
    JFreeChart chart = ChartFactory.createStackedBarChart("Members per audience and arm", "audience", "members",
        data, PlotOrientation.HORIZONTAL, true, false, false);
    return svg("chart-audience-arms", chart, HALF_WIDTH, Math.max(220, 110 + 40 * data.getColumnCount()));
  }

  static Chart audienceChanges(List<AudienceChange> changes) {
    DefaultCategoryDataset data = new DefaultCategoryDataset();
    changes.forEach(c -> {
      data.addValue(c.added(), "added", c.audience());
      data.addValue(c.removed(), "removed", c.audience());
    });
    JFreeChart chart = ChartFactory.createBarChart("Adds and removes since the previous night", "audience",
        "customers", data, PlotOrientation.HORIZONTAL, true, false, false);
    return svg("chart-audience-changes", chart, HALF_WIDTH, Math.max(220, 110 + 50 * data.getColumnCount()));
  }

  /** The metric a forest plot shows: conversion, the first question asked of a campaign. */
  static final String FOREST_METRIC = AudienceOutcomes.CONVERTED;

  /**
   * A forest plot of one experiment's variant: the lift in conversion (points, in percentage points) with its interval
   * (whiskers) for the whole experiment and each cell of its breakdowns, against the line of no effect.
   */
  static Chart experimentForest(String id, String experiment, String variant, List<ExperimentLift> lifts) {
    org.jfree.data.statistics.DefaultStatisticalCategoryDataset data =
        new org.jfree.data.statistics.DefaultStatisticalCategoryDataset();
    for (ExperimentLift e : lifts) {
      if (e.lift() != null) { // a cell without a statistic has no point
        String row = e.breakdown().equals(BreakdownCells.WHOLE) ? "whole experiment"
            : e.breakdown() + " = " + e.cell();
        data.add(100 * e.lift(), 100 * (e.high() - e.low()) / 2, "lift", row);
      }
    }
    org.jfree.chart.renderer.category.StatisticalLineAndShapeRenderer renderer =
        new org.jfree.chart.renderer.category.StatisticalLineAndShapeRenderer(false, true);
    CategoryPlot plot = new CategoryPlot(data, new CategoryAxis(null),
        new NumberAxis("lift in conversion, percentage points (" + Math.round(100 * lifts.get(0).confidence())
            + " % interval)"), renderer);
    plot.setOrientation(PlotOrientation.HORIZONTAL);
    plot.addRangeMarker(new org.jfree.chart.plot.ValueMarker(0, INK, new java.awt.BasicStroke(1.2f)));
    JFreeChart chart = new JFreeChart(experiment + ": " + variant + " against control", JFreeChart.DEFAULT_TITLE_FONT,
        plot, false);
    return svg(id, chart, Math.max(220, 90 + 26 * data.getColumnCount()));
  }

  /** One line per segment: its customers on each published night. */
  static Chart trendCustomers(List<TrendPoint> points) {
    DefaultCategoryDataset data = new DefaultCategoryDataset();
    points.forEach(p -> data.addValue(p.customers(), p.segment(), p.runDate().toString()));
    fillGaps(data, points);
    JFreeChart chart = ChartFactory.createLineChart("Customers per RFM segment, night by night", "run date",
        "customers", data, PlotOrientation.VERTICAL, true, false, false);
    ((CategoryPlot) chart.getPlot()).getDomainAxis().setCategoryLabelPositions(CategoryLabelPositions.UP_45);
    return svg("chart-trend-customers", chart, 420);
  }

  /** Revenue per night, stacked by segment. */
  static Chart trendRevenue(List<TrendPoint> points) {
    DefaultCategoryDataset data = new DefaultCategoryDataset();
    points.forEach(p -> data.addValue(p.revenue(), p.segment(), p.runDate().toString()));
    fillGaps(data, points);
    JFreeChart chart = ChartFactory.createStackedBarChart("Revenue per night, by RFM segment", "run date",
        "net revenue (currency)", data, PlotOrientation.VERTICAL, true, false, false);
    ((CategoryPlot) chart.getPlot()).getDomainAxis().setCategoryLabelPositions(CategoryLabelPositions.UP_45);
    return svg("chart-trend-revenue", chart, 420);
  }

  /** One line per segment: its CSAT or NPS on each night with answers (a night without answers is a gap). */
  static Chart trendSatisfaction(List<ReportFigures.SatisfactionPoint> points) {
    DefaultCategoryDataset data = new DefaultCategoryDataset();
    points.forEach(p -> data.addValue(p.score(), p.segment(), p.runDate().toString()));
    String scale = points.get(0).scale();
    JFreeChart chart = ChartFactory.createLineChart(scale + " per RFM segment, night by night", "run date",
        scale.equals("NPS") ? "NPS (% promoters - % detractors)" : "CSAT (% satisfied)", data,
        PlotOrientation.VERTICAL, true, false, false);
    ((CategoryPlot) chart.getPlot()).getDomainAxis().setCategoryLabelPositions(CategoryLabelPositions.UP_45);
    return svg("chart-trend-satisfaction", chart, 420);
  }

  /** A segment absent on a night had no customers then: a zero, not a gap in its line. */
  private static void fillGaps(DefaultCategoryDataset data, List<TrendPoint> points) {
    Set<String> segments = new LinkedHashSet<>();
    Set<LocalDate> dates = new TreeSet<>();
    points.forEach(p -> {
      segments.add(p.segment());
      dates.add(p.runDate());
    });
    for (String segment : segments) {
      for (LocalDate date : dates) {
        if (data.getValue(segment, date.toString()) == null) {
          data.addValue(0, segment, date.toString());
        }
      }
    }
  }

  private static NumberAxis integerAxis(String label) {
    NumberAxis axis = new NumberAxis(label);
    axis.setStandardTickUnits(NumberAxis.createIntegerTickUnits());
    axis.setLowerMargin(0);
    axis.setUpperMargin(0);
    return axis;
  }

  /** Cells of width 1 centred on (x, y), coloured by z on a light-to-dark scale, each labelled with its value. */
  private static XYPlot heatmap(double[][] xyz, NumberAxis x, NumberAxis y, String what, DecimalFormat format) {
    DefaultXYZDataset data = new DefaultXYZDataset();
    data.addSeries(what, xyz);
    double top = 0;
    for (double z : xyz[2]) {
      top = Math.max(top, z);
    }
    Shades shades = new Shades(top == 0 ? 1 : top);
    XYBlockRenderer renderer = new XYBlockRenderer();
    renderer.setPaintScale(shades);
    XYPlot plot = new XYPlot(data, x, y, renderer);
    x.setRange(-0.5 + minimum(xyz[0]), 0.5 + maximum(xyz[0]));
    y.setRange(-0.5 + minimum(xyz[1]), 0.5 + maximum(xyz[1]));
    plot.setBackgroundPaint(Color.WHITE);
    plot.setDomainGridlinesVisible(false);
    plot.setRangeGridlinesVisible(false);
    for (int i = 0; i < xyz[0].length; i++) {
      XYTextAnnotation label = new XYTextAnnotation(format.format(xyz[2][i]), xyz[0][i], xyz[1][i]);
      label.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 11));
      label.setPaint(xyz[2][i] > 0.55 * shades.getUpperBound() ? Color.WHITE : INK);
      plot.addAnnotation(label);
    }
    return plot;
  }

  private static double minimum(double[] values) {
    return java.util.Arrays.stream(values).min().orElse(0);
  }

  private static double maximum(double[] values) {
    return java.util.Arrays.stream(values).max().orElse(0);
  }

  private static PaintScaleLegend legend(XYPlot plot, String what) {
    PaintScale scale = ((XYBlockRenderer) plot.getRenderer()).getPaintScale();
    NumberAxis axis = new NumberAxis(what);
    axis.setRange(scale.getLowerBound(), scale.getUpperBound());
    PaintScaleLegend legend = new PaintScaleLegend(scale, axis);
    legend.setPosition(RectangleEdge.RIGHT);
    legend.setMargin(new RectangleInsets(10, 10, 10, 10));
    legend.setStripWidth(12);
    legend.setSubdivisionCount(32); // the strip as 32 bands of colour, not one rectangle per pixel
    return legend;
  }

  /** From almost white (0) to a deep blue (the top value), linear. */
  private record Shades(double upper) implements PaintScale {
    private static final Color LOW = new Color(0xf1, 0xf6, 0xfb);
    private static final Color HIGH = new Color(0x08, 0x30, 0x6b);

    @Override
    public double getLowerBound() {
      return 0;
    }

    @Override
    public double getUpperBound() {
      return upper;
    }

    @Override
    public Paint getPaint(double value) {
      double t = Math.max(0, Math.min(1, value / upper));
      return new Color(mix(LOW.getRed(), HIGH.getRed(), t), mix(LOW.getGreen(), HIGH.getGreen(), t),
          mix(LOW.getBlue(), HIGH.getBlue(), t));
    }

    private static int mix(int from, int to, double t) {
      return (int) Math.round(from + (to - from) * t);
    }
  }

  /** The house style: white plot, light grid, flat bars, the palette above. */
  private static void style(JFreeChart chart) {
    StandardChartTheme theme = new StandardChartTheme("segments") {
      @Override
      protected void applyToXYAnnotation(org.jfree.chart.annotations.XYAnnotation annotation) {
        // keep the heatmaps' cell labels as drawn: white on dark cells, dark on light ones
      }
    };
    theme.setExtraLargeFont(new Font(Font.SANS_SERIF, Font.BOLD, 16));
    theme.setLargeFont(new Font(Font.SANS_SERIF, Font.BOLD, 13));
    theme.setRegularFont(new Font(Font.SANS_SERIF, Font.PLAIN, 12));
    theme.setSmallFont(new Font(Font.SANS_SERIF, Font.PLAIN, 11));
    theme.setPlotBackgroundPaint(Color.WHITE);
    theme.setDomainGridlinePaint(GRID);
    theme.setRangeGridlinePaint(GRID);
    theme.setBarPainter(new StandardBarPainter());
    theme.setShadowVisible(false);
    theme.setDrawingSupplier(new org.jfree.chart.plot.DefaultDrawingSupplier(SERIES,
        org.jfree.chart.plot.DefaultDrawingSupplier.DEFAULT_FILL_PAINT_SEQUENCE,
        org.jfree.chart.plot.DefaultDrawingSupplier.DEFAULT_OUTLINE_PAINT_SEQUENCE,
        org.jfree.chart.plot.DefaultDrawingSupplier.DEFAULT_STROKE_SEQUENCE,
        org.jfree.chart.plot.DefaultDrawingSupplier.DEFAULT_OUTLINE_STROKE_SEQUENCE,
        org.jfree.chart.plot.DefaultDrawingSupplier.DEFAULT_SHAPE_SEQUENCE));
    Paint keep = chart.getPlot() instanceof XYPlot xy && xy.getRenderer() instanceof DeviationRenderer d
        ? d.getSeriesFillPaint(0) : null;
    theme.apply(chart);
    if (chart.getPlot() instanceof CategoryPlot category) {
      if (category.getRenderer() instanceof BarRenderer bars) {
        bars.setItemMargin(0.05);
        bars.setDrawBarOutline(false);
      }
      CategoryAxis axis = category.getDomainAxis();
      axis.setMaximumCategoryLabelWidthRatio(0.45f);
    }
    if (keep != null) {
      ((DeviationRenderer) ((XYPlot) chart.getPlot()).getRenderer()).setSeriesFillPaint(0, keep);
      ((DeviationRenderer) ((XYPlot) chart.getPlot()).getRenderer()).setSeriesPaint(0, SERIES[0]);
    }
    chart.setBackgroundPaint(Color.WHITE);
    chart.setAntiAlias(true);
  }

  /** Draws the chart into an SVG element that scales to the page's width (a view box, no fixed size). */
  private static Chart svg(String id, JFreeChart chart, int height) {
    return svg(id, chart, WIDTH, height);
  }

  /** As above, drawn {@code width} wide: a chart shown at half the page's width is drawn narrower, so its text stays
   * readable when the page scales it down. */
  private static Chart svg(String id, JFreeChart chart, int width, int height) {
    style(chart);
    SVGGraphics2D g = new SVGGraphics2D(width, height);
    g.setDefsKeyPrefix(id + "-"); // the default is a clock reading: the same night would give other bytes
    chart.draw(g, new Rectangle(0, 0, width, height));
    String svg = g.getSVGElement(id, false, new ViewBox(0, 0, width, height), null, null);
    return new Chart(id, chart.getTitle() == null ? id : chart.getTitle().getText(), svg);
  }

  /** The night's experiment rows by (experiment, variant), in their order. */
  static Map<String, List<ExperimentLift>> byVariant(List<ExperimentLift> experiments) {
    Map<String, List<ExperimentLift>> byVariant = new java.util.LinkedHashMap<>();
    experiments.forEach(e -> byVariant.computeIfAbsent(e.experiment() + "\u0000" + e.variant(),
        k -> new ArrayList<>()).add(e));
    return byVariant;
  }

  /** The forest plot of the n-th (experiment, variant) of the night, from 0. */
  static String experimentChartId(int n) {
    return "chart-experiment-" + n;
  }

  /** The calibration chart of the n-th propensity model of the night (by name), from 0. */
  static String calibrationChartId(int n) {
    return "chart-propensity-calibration-" + n;
  }

  /** The gain chart of the n-th propensity model of the night. */
  static String gainChartId(int n) {
    return "chart-propensity-gain-" + n;
  }

  /**
   * Calibration: per decile of held-out customers, the observed rate against the mean predicted probability, with the
   * diagonal a perfectly calibrated model would follow.
   */
  static Chart propensityCalibration(String id, ReportFigures.PropensityModel model) {
    org.jfree.data.xy.XYSeries observed = new org.jfree.data.xy.XYSeries("deciles (held-out customers)");
    double top = 0;
    for (ReportFigures.PropensityDecile d : model.deciles()) {
      observed.add(d.meanPropensity(), d.observedRate());
      top = Math.max(top, Math.max(d.meanPropensity(), d.observedRate()));
    }
    org.jfree.data.xy.XYSeries perfect = new org.jfree.data.xy.XYSeries("perfectly calibrated");
    perfect.add(0, 0);
    perfect.add(top, top);
    org.jfree.data.xy.XYSeriesCollection data = new org.jfree.data.xy.XYSeriesCollection(observed);
    data.addSeries(perfect);
    JFreeChart chart = ChartFactory.createXYLineChart(model.model() + ": predicted against observed",
        "mean predicted probability", "observed rate", data, PlotOrientation.VERTICAL, true, false, false);
    org.jfree.chart.renderer.xy.XYLineAndShapeRenderer renderer =
        new org.jfree.chart.renderer.xy.XYLineAndShapeRenderer(true, true);
    renderer.setSeriesShapesVisible(1, false);
    renderer.setSeriesStroke(1, new BasicStroke(1f, BasicStroke.CAP_BUTT, BasicStroke.JOIN_MITER, 10f,
        new float[] {4f, 4f}, 0f));
    ((XYPlot) chart.getPlot()).setRenderer(renderer);
    return svg(id, chart, HALF_WIDTH, 380);
  }

  /**
   * Cumulative gain: the share of all positives found in the top deciles, against the diagonal of a random order.
   */
  static Chart propensityGain(String id, ReportFigures.PropensityModel model) {
    org.jfree.data.xy.XYSeries gain = new org.jfree.data.xy.XYSeries("model");
    org.jfree.data.xy.XYSeries random = new org.jfree.data.xy.XYSeries("random order");
    gain.add(0, 0);
    random.add(0, 0);
    long customers = model.deciles().stream().mapToLong(ReportFigures.PropensityDecile::customers).sum();
    long seen = 0;
    for (ReportFigures.PropensityDecile d : model.deciles()) {
      seen += d.customers();
      gain.add(100.0 * seen / customers, 100 * d.cumulativeGain());
    }
    random.add(100, 100);
    org.jfree.data.xy.XYSeriesCollection data = new org.jfree.data.xy.XYSeriesCollection(gain);
    data.addSeries(random);
    JFreeChart chart = ChartFactory.createXYLineChart(model.model() + ": cumulative gain",
        "% of held-out customers, highest scores first", "% of all positives found", data,
        PlotOrientation.VERTICAL, true, false, false);
    return svg(id, chart, HALF_WIDTH, 380);
  }

  /** The Qini chart of the n-th uplift model (and variant) of the night. */
  static String qiniChartId(int n) {
    return "chart-uplift-qini-" + n;
  }

  /**
   * The Qini curve of held-out members against the random ranking's straight line to the campaign's average effect,
   * and the best possible ranking's curve where it is known (conversions).
   */
  static Chart upliftQini(String id, ReportFigures.UpliftModel model) {
    org.jfree.data.xy.XYSeriesCollection data = new org.jfree.data.xy.XYSeriesCollection();
    org.jfree.data.xy.XYSeries curve = new org.jfree.data.xy.XYSeries("model");
    model.curve().forEach(p -> curve.add(100 * p.share(), p.qini()));
    data.addSeries(curve);
    org.jfree.data.xy.XYSeries random = new org.jfree.data.xy.XYSeries("random ranking");
    random.add(0, 0);
    random.add(100, model.curve().isEmpty() ? 0 : model.curve().get(model.curve().size() - 1).qini());
    data.addSeries(random);
    if (!model.perfectCurve().isEmpty()) {
      org.jfree.data.xy.XYSeries perfect = new org.jfree.data.xy.XYSeries("best possible ranking");
      model.perfectCurve().forEach(p -> perfect.add(100 * p.share(), p.qini()));
      data.addSeries(perfect);
    }
    JFreeChart chart = ChartFactory.createXYLineChart(model.model() + ": Qini curve (" + model.variant() + ")",
        "% of held-out members, highest scores first", "incremental " + model.outcome() + " per treated member",
        data, PlotOrientation.VERTICAL, true, false, false);
    org.jfree.chart.renderer.xy.XYLineAndShapeRenderer renderer =
        new org.jfree.chart.renderer.xy.XYLineAndShapeRenderer(true, false);
    for (int series = 1; series < data.getSeriesCount(); series++) {
      renderer.setSeriesStroke(series, new BasicStroke(1f, BasicStroke.CAP_BUTT, BasicStroke.JOIN_MITER, 10f,
          new float[] {4f, 4f}, 0f));
    }
    ((XYPlot) chart.getPlot()).setRenderer(renderer);
    return svg(id, chart, HALF_WIDTH, 380);
  }

  /** The top features of each cluster's profile chart. */
  static final int PROFILE_FEATURES = 8;

  /** Every chart of a night's figures, by section id, in page order (empty sections have none). */
  static Map<String, List<Chart>> of(ReportFigures f) {
    Map<String, List<Chart>> charts = new java.util.LinkedHashMap<>();
    List<Chart> rfm = new ArrayList<>();
    if (!f.segments().isEmpty()) {
      rfm.add(segmentShares(f.segments()));
    }
    if (!f.grid().isEmpty()) {
      rfm.add(recencyFrequencyGrid(f.grid(), false));
      rfm.add(recencyFrequencyGrid(f.grid(), true));
    }
    if (!f.transitions().isEmpty()) {
      rfm.add(transitionMatrix(f.transitions()));
    }
    charts.put("rfm", rfm);
    List<Chart> clusters = new ArrayList<>();
    if (!f.clusters().isEmpty()) {
      clusters.add(clusterSizes(f.clusters()));
      f.clusters().forEach(c -> clusters.add(clusterProfile(c, PROFILE_FEATURES)));
    }
    charts.put("clusters", clusters);
    List<Chart> clv = new ArrayList<>();
    if (!f.clvSpread().isEmpty()) {
      clv.add(clvBySegment(f.clvSpread()));
    }
    if (!f.aliveByRecency().isEmpty()) {
      clv.add(aliveByRecency(f.aliveByRecency()));
    }
    charts.put("clv", clv);
    List<Chart> audiences = new ArrayList<>();
    if (!f.audiences().isEmpty()) {
      audiences.add(audienceArms(f.audiences()));
      audiences.add(audienceChanges(f.audienceChanges()));
    }
    charts.put("audiences", audiences);
    List<Chart> experiments = new ArrayList<>();
    int n = 0;
    for (List<ExperimentLift> lifts : byVariant(f.experiments()).values()) {
      List<ExperimentLift> conversion = lifts.stream().filter(e -> e.metric().equals(FOREST_METRIC)).toList();
      if (!conversion.isEmpty()) {
        experiments.add(experimentForest(experimentChartId(n), lifts.get(0).experiment(), lifts.get(0).variant(),
            conversion));
      }
      n++;
    }
    charts.put("experiments", experiments);
    List<Chart> propensity = new ArrayList<>();
    for (int m = 0; m < f.propensity().size(); m++) {
      ReportFigures.PropensityModel model = f.propensity().get(m);
      if (!model.deciles().isEmpty()) {
        propensity.add(propensityCalibration(calibrationChartId(m), model));
        propensity.add(propensityGain(gainChartId(m), model));
      }
    }
    charts.put("propensity", propensity);
    List<Chart> uplift = new ArrayList<>();
    for (int m = 0; m < f.uplift().size(); m++) {
      if (!f.uplift().get(m).curve().isEmpty()) {
        uplift.add(upliftQini(qiniChartId(m), f.uplift().get(m)));
      }
    }
    charts.put("uplift", uplift);
    List<Chart> trend = new ArrayList<>();
    if (!f.trend().isEmpty()) {
      trend.add(trendCustomers(f.trend()));
      trend.add(trendRevenue(f.trend()));
    }
    if (!f.satisfaction().isEmpty()) {
      trend.add(trendSatisfaction(f.satisfaction()));
    }
    charts.put("trend", trend);
    return charts;
  }
}
