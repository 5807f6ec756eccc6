package org.segmentation.jobs;

import static org.apache.spark.sql.functions.avg;
import static org.apache.spark.sql.functions.coalesce;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.count;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.sum;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.jsoup.Jsoup;
import org.jsoup.nodes.Document;
import org.jsoup.nodes.Element;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.segmentation.TestSpark;

/**
 * The HTML report of two published nights of the sample data, read with a real HTML parser and checked against what
 * the tables say, computed here with Spark SQL from customer_segments and the other tables of the lake (not from the
 * report's own queries): every section and chart is present, every figure table matches, the page for a night
 * rendered again from the lake ({@code RenderReport}) is byte for byte the page the night wrote, and the page renders
 * in headless Chromium.
 */
class ReportTest {
  static final LocalDate END = LocalDate.of(2026, 11, 21);
  static final LocalDate FIRST = END.minusDays(7);

  @TempDir
  static Path dir;
  static Path config;
  static Path lake;
  static final Map<LocalDate, JobRunner> NIGHTS = new HashMap<>();

  @BeforeAll
  static void twoNights() throws Exception {
    lake = dir.resolve("lake");
    config = SampleLake.create(dir, 1200, 10000, 17, END, """
        lake.root = "%s"
        report.enabled = true
        clustering.k = 3
        audiences {
          destinations { mail { format = "csv", allow-raw-email = true } }
          lists {
            lapsing { filter = "rfm_segment in ('At Risk', 'Hibernating', 'About To Sleep')", holdout-share = 0.2,
              destinations = ["mail"] }
            everyone { filter = "frequency > 0", destinations = ["mail"] }
          }
        }
        """.formatted(lake));
    for (LocalDate night : List.of(FIRST, END)) {
      JobRunner run = JobRunner.night(config, night);
      assertEquals(0, run.status(), run::toString);
      NIGHTS.put(night, run);
    }
  }

  static SparkSession spark() {
    return TestSpark.get();
  }

  static Dataset<Row> table(String name, LocalDate date) {
    return spark().read().format("delta").load(lake.resolve(name).toString())
        .where(col("run_date").equalTo(lit(java.sql.Date.valueOf(date))));
  }

  static Path reportOf(LocalDate date) {
    return lake.resolve("reports/" + date + ".html");
  }

  static Document page(LocalDate date) throws IOException {
    return Jsoup.parse(reportOf(date).toFile(), "UTF-8");
  }

  /** A table's rows as first cell -> the data-value of the cell under {@code header}. */
  static Map<String, String> column(Document page, String tableId, String header) {
    Element table = page.getElementById(tableId);
    assertTrue(table != null, "no table " + tableId);
    List<String> headers = table.select("thead th").eachText();
    int index = headers.indexOf(header);
    assertTrue(index >= 0, tableId + " has no column " + header + ": " + headers);
    Map<String, String> values = new HashMap<>();
    for (Element row : table.select("tbody tr")) {
      Element cell = row.child(index);
      values.put(row.child(0).text(), cell.hasAttr("data-value") ? cell.attr("data-value") : cell.text());
    }
    return values;
  }

  /** The cells of a cross table: "row|column" -> data-value. */
  static Map<String, Long> crossCells(Document page, String tableId, String rowAttribute, String columnAttribute) {
    Map<String, Long> cells = new HashMap<>();
    for (Element cell : page.select("#" + tableId + " td[data-value]")) {
      cells.put(cell.attr("data-" + rowAttribute) + "|" + cell.attr("data-" + columnAttribute),
          Long.parseLong(cell.attr("data-value")));
    }
    return cells;
  }

  static Map<String, Long> counts(Dataset<Row> rows, String... keys) {
    return rows.groupBy(keys[0], java.util.Arrays.copyOfRange(keys, 1, keys.length)).count().collectAsList().stream()
        .collect(Collectors.toMap(r -> {
          StringBuilder key = new StringBuilder();
          for (int i = 0; i < keys.length; i++) {
            key.append(i == 0 ? "" : "|").append(r.get(i));
          }
          return key.toString();
        }, r -> r.getLong(keys.length)));
  }

  @Test
  void eachNightWritesItsReportAndRecordsItsPath() {
    for (LocalDate night : List.of(FIRST, END)) {
      assertTrue(Files.isRegularFile(reportOf(night)), "no report for " + night);
      String line = NIGHTS.get(night).out().lines().filter(l -> l.startsWith("stage=write_report ")).findFirst()
          .orElseThrow();
      String printed = line.replaceAll(".*report=(\\S+).*", "$1");
      assertEquals(reportOf(night).toUri().getPath(), java.net.URI.create(printed).getPath(), line);
      Row logged = spark().read().format("delta").load(lake.resolve("run_log").toString())
          .where(col("run_date").equalTo(lit(java.sql.Date.valueOf(night))).and(col("status").equalTo("published")))
          .select("report_path").first();
      assertEquals(printed, logged.getString(0));
    }
    try (var files = Files.list(lake.resolve("reports"))) {
      assertEquals(Set.of(FIRST + ".html", END + ".html"),
          files.map(p -> p.getFileName().toString()).collect(Collectors.toSet()),
          "only the pages: no temporary file, no checksum file");
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  @Test
  void everySectionHasItsChartsWithTheirLabels() throws IOException {
    Document page = page(END);
    for (String section : List.of("overview", "rfm", "clusters", "clv", "audiences", "experiments", "trend")) {
      assertTrue(page.getElementById(section) != null, "no section " + section);
    }
    List<Integer> clusterIds = table("cluster_profiles", END).select("cluster_id").collectAsList().stream()
        .map(r -> r.getInt(0)).toList();
    assertEquals(3, clusterIds.size());
    Set<String> expected = new HashSet<>(List.of("chart-segment-shares", "chart-rf-customers", "chart-rf-monetary",
        "chart-transitions", "chart-cluster-sizes", "chart-clv-by-segment", "chart-alive-by-recency",
        "chart-audience-arms", "chart-audience-changes", "chart-trend-customers", "chart-trend-revenue"));
    clusterIds.forEach(id -> expected.add("chart-cluster-" + id));
    // a forest plot per experiment and variant measured that night (both audiences have a holdout)
    long experiments = table("experiment_results", END).select("experiment", "variant").distinct().count();
    assertEquals(2, experiments);
    for (int i = 0; i < experiments; i++) {
      expected.add("chart-experiment-" + i);
    }
    Set<String> charts = page.select("figure > svg").stream().map(Element::id).collect(Collectors.toSet());
    assertEquals(expected, charts);
    // every chart is a drawing with a title and axis labels as text, not an image
    for (Element svg : page.select("figure > svg")) {
      assertFalse(svg.select("text").isEmpty(), svg.id() + " has no text");
      assertFalse(svg.attr("aria-label").isBlank(), svg.id() + " has no accessible name");
      assertTrue(svg.select("image").isEmpty(), svg.id() + " embeds a bitmap");
    }
    // the segment chart names every segment of the night; the cluster chart every cluster
    Set<String> shareLabels = new HashSet<>(page.getElementById("chart-segment-shares").select("text").eachText());
    for (Row segment : table("segment_summary", END).select("rfm_segment").collectAsList()) {
      assertTrue(shareLabels.contains(segment.getString(0)), segment.getString(0) + " not in " + shareLabels);
    }
    String sizeLabels = String.join(" ", page.getElementById("chart-cluster-sizes").select("text").eachText());
    for (Row cluster : table("cluster_profiles", END).select("cluster_name").collectAsList()) {
      assertTrue(sizeLabels.contains(cluster.getString(0)), cluster.getString(0) + " not in " + sizeLabels);
    }
    // ids inside the SVGs (clip paths, gradients) are unique on the page
    List<String> ids = page.select("svg [id]").eachAttr("id");
    assertEquals(ids.size(), new HashSet<>(ids).size(), "duplicate ids inside the charts");
  }

  @Test
  void theOverviewAndDataQualityMatchTheTables() throws IOException {
    Document page = page(END);
    Dataset<Row> customers = table("customer_segments", END);
    Row totals = customers.agg(count(lit(1)), count(org.apache.spark.sql.functions.when(col("frequency").gt(0), 1)),
        sum("net_revenue")).first();
    assertEquals(totals.getLong(0), Long.parseLong(page.getElementById("card-customers").attr("data-value")));
    assertEquals(totals.getLong(1), Long.parseLong(page.getElementById("card-buyers").attr("data-value")));
    assertEquals(0, totals.getDecimal(2).compareTo(new BigDecimal(page.getElementById("card-revenue")
        .attr("data-value"))));
    Row logged = spark().read().format("delta").load(lake.resolve("run_log").toString())
        .where(col("run_date").equalTo(lit(java.sql.Date.valueOf(END))).and(col("status").equalTo("published")))
        .select("rows_read", "rows_accepted", "rows_quarantined").first();
    Map<String, Long> quarantined = counts(table("quarantine", END), "source");
    for (String input : List.of("purchases", "profiles")) {
      assertEquals(String.valueOf(logged.<String, Long>getJavaMap(0).get(input)),
          column(page, "quality", "rows read").get(input));
      assertEquals(String.valueOf(logged.<String, Long>getJavaMap(1).get(input)),
          column(page, "quality", "accepted").get(input));
      assertEquals(String.valueOf(quarantined.getOrDefault(input, 0L)),
          column(page, "quality", "quarantined").get(input));
    }
  }

  @Test
  void theRfmSectionMatchesCustomerSegments() throws IOException {
    Document page = page(END);
    Dataset<Row> customers = table("customer_segments", END);
    Map<String, String> shown = column(page, "segments", "customers");
    Map<String, String> revenue = column(page, "segments", "revenue");
    List<Row> bySegment = customers.groupBy("rfm_segment").agg(count(lit(1)), sum("net_revenue")).collectAsList();
    assertEquals(bySegment.size(), shown.size());
    for (Row segment : bySegment) {
      assertEquals(String.valueOf(segment.getLong(1)), shown.get(segment.getString(0)), segment.getString(0));
      assertEquals(0, segment.getDecimal(2).compareTo(new BigDecimal(revenue.get(segment.getString(0)))));
    }
    Map<String, Long> grid = counts(customers.where(col("r_score").isNotNull()), "r_score", "f_score");
    Map<String, Long> gridShown = new HashMap<>();
    crossCells(page, "rf-grid-customers", "r", "f").forEach((cell, n) ->
        gridShown.put(cell.replace("R=", "").replace("F=", ""), n));
    assertEquals(grid, gridShown);
    // movements: each customer's segment on the previous night (or "new") against tonight's (or "gone")
    Dataset<Row> before = table("customer_segments", FIRST).select(col("customer_id"), col("rfm_segment").as("from"));
    Dataset<Row> tonight = customers.select(col("customer_id"), col("rfm_segment").as("to"));
    Dataset<Row> moves = before.join(tonight, before.col("customer_id").equalTo(tonight.col("customer_id")),
            "full_outer")
        .select(coalesce(col("from"), lit("new")).as("from"), coalesce(col("to"), lit("gone")).as("to"));
    assertEquals(counts(moves, "from", "to"), crossCells(page, "transitions", "from", "to"));
  }

  @Test
  void theClusterLifetimeValueAndAudienceSectionsMatchTheirTables() throws IOException {
    Document page = page(END);
    Dataset<Row> customers = table("customer_segments", END);
    Map<String, Long> byCluster = counts(customers.where(col("cluster_id").isNotNull()), "cluster_id");
    Map<String, String> shown = column(page, "clusters-table", "customers");
    assertEquals(byCluster.keySet(), shown.keySet());
    byCluster.forEach((id, n) -> assertEquals(String.valueOf(n), shown.get(id), "cluster " + id));

    Row model = table("clv_model", END).select("r", "alpha", "a", "b", "p", "q", "gamma").first();
    Map<String, String> parameters = column(page, "clv-model", "value");
    List<String> names = List.of("r", "alpha", "a", "b", "p", "q", "gamma");
    for (int i = 0; i < names.size(); i++) {
      assertEquals(model.getDouble(i), Double.parseDouble(parameters.get(names.get(i))), 0.0, names.get(i));
    }
    Dataset<Row> valued = customers.where(col("predicted_clv").isNotNull());
    Map<String, String> valuedShown = column(page, "clv-spread", "customers");
    Map<String, String> meanShown = column(page, "clv-spread", "mean");
    for (Row segment : valued.groupBy("rfm_segment").agg(count(lit(1)), avg("predicted_clv")).collectAsList()) {
      assertEquals(String.valueOf(segment.getLong(1)), valuedShown.get(segment.getString(0)));
      assertEquals(segment.getDouble(2), Double.parseDouble(meanShown.get(segment.getString(0))), 1e-9);
    }
    long withAlive = customers.where(col("p_alive").isNotNull().and(col("recency_days").isNotNull())).count();
    long inBands = column(page, "alive-by-recency", "customers").values().stream().mapToLong(Long::parseLong).sum();
    assertEquals(withAlive, inBands);

    Map<String, Long> arms = counts(table("audience_members", END), "audience", "arm");
    Map<String, Long> changes = counts(table("audience_changes", END), "audience", "change");
    for (String audience : List.of("lapsing", "everyone")) {
      assertEquals(String.valueOf(arms.getOrDefault(audience + "|treatment", 0L)),
          column(page, "audiences-table", "treatment").get(audience));
      assertEquals(String.valueOf(arms.getOrDefault(audience + "|control", 0L)),
          column(page, "audiences-table", "control").get(audience));
      assertEquals(String.valueOf(changes.getOrDefault(audience + "|added", 0L)),
          column(page, "audiences-table", "added").get(audience));
      assertEquals(String.valueOf(changes.getOrDefault(audience + "|removed", 0L)),
          column(page, "audiences-table", "removed").get(audience));
    }
    assertTrue(arms.getOrDefault("lapsing|control", 0L) > 0, "the test audience should have a control arm");

    // experiments, in name order: each metric's whole-experiment figures as experiment_results holds them
    int n = 0;
    for (String experiment : List.of("everyone", "lapsing")) {
      for (Row row : table("experiment_results", END).where(col("experiment").equalTo(experiment)
          .and(col("breakdown").equalTo("all"))).collectAsList()) {
        String metric = row.getAs("metric");
        assertEquals(String.valueOf((long) row.getAs("control_n")),
            column(page, "experiment-" + n + "-table", "control n").get(metric), experiment + " " + metric);
        Object lift = row.getAs("absolute_lift");
        assertEquals(lift == null ? "" : String.valueOf(lift),
            column(page, "experiment-" + n + "-table", "lift").get(metric), experiment + " " + metric);
      }
      n++;
    }
  }

  @Test
  void theTrendShowsBothPublishedNights() throws IOException {
    Document page = page(END);
    Element trend = page.getElementById("trend-table");
    assertEquals(List.of(FIRST.toString(), END.toString()), trend.select("tbody tr > td:first-child").eachText());
    List<String> headers = trend.select("thead th").eachText();
    for (LocalDate night : List.of(FIRST, END)) {
      Map<String, Long> bySegment = counts(table("customer_segments", night), "rfm_segment");
      Element row = trend.select("tbody tr").stream().filter(r -> r.child(0).text().equals(night.toString()))
          .findFirst().orElseThrow();
      for (int i = 1; i < headers.size() - 1; i++) {
        assertEquals(bySegment.getOrDefault(headers.get(i), 0L), Long.parseLong(row.child(i).attr("data-value")),
            night + " " + headers.get(i));
      }
      BigDecimal revenue = table("customer_segments", night).agg(sum("net_revenue")).first().getDecimal(0);
      assertEquals(0, revenue.compareTo(new BigDecimal(row.child(headers.size() - 1).attr("data-value"))));
    }
    // the first night's page knows only itself
    assertEquals(List.of(FIRST.toString()), page(FIRST).getElementById("trend-table")
        .select("tbody tr > td:first-child").eachText());
  }

  @Test
  void renderReportRebuildsAPublishedNightFromTheLakeAlone() throws IOException {
    Path again = dir.resolve("again/" + FIRST + ".html");
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    int status = RenderReport.run(new String[] {"--config", config.toString(), "--run-date", FIRST.toString(),
        "--output", again.toString()}, new PrintStream(out, true, StandardCharsets.UTF_8), System.err);
    assertEquals(0, status, out.toString(StandardCharsets.UTF_8));
    assertTrue(out.toString(StandardCharsets.UTF_8).contains("report=file:" + again), out.toString());
    assertArrayEquals(Files.readAllBytes(reportOf(FIRST)), Files.readAllBytes(again),
        "the page rendered from the lake differs from the page the night wrote");

    ByteArrayOutputStream none = new ByteArrayOutputStream();
    assertEquals(3, RenderReport.run(new String[] {"--config", config.toString(), "--run-date",
        END.plusDays(1).toString()}, new PrintStream(none, true, StandardCharsets.UTF_8), System.err));
    assertTrue(none.toString(StandardCharsets.UTF_8).startsWith("result=not_published exit=3"), none.toString());
  }

  /**
   * Headless Chromium loads the page and draws it: a screenshot that is not blank, and a DOM with every chart. Skipped
   * only where no chromium is installed and this is not CI (.ci/run installs it).
   */
  @Test
  void theReportRendersInHeadlessChromium() throws Exception {
    boolean browser = new ProcessBuilder("sh", "-c", "command -v chromium").start().waitFor() == 0;
    assumeTrue(browser || System.getenv("CI") != null, "chromium is not installed (apt-get install chromium)");
    Path png = dir.resolve("report.png");
    Process shot = new ProcessBuilder("scripts/report-screenshot.sh", reportOf(END).toString(), png.toString(),
        "1280", "2400").directory(repositoryRoot().toFile()).redirectErrorStream(true).start();
    String said = new String(shot.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertTrue(shot.waitFor(120, TimeUnit.SECONDS), "chromium took too long");
    assertEquals(0, shot.exitValue(), said);
    java.awt.image.BufferedImage image = javax.imageio.ImageIO.read(png.toFile());
    assertEquals(1280, image.getWidth());
    Set<Integer> colours = new HashSet<>();
    for (int y = 0; y < image.getHeight(); y += 7) {
      for (int x = 0; x < image.getWidth(); x += 7) {
        colours.add(image.getRGB(x, y));
      }
    }
    assertTrue(colours.size() > 50, "the screenshot is almost blank: " + colours.size() + " colours");

    Process dump = new ProcessBuilder("chromium", "--headless", "--no-sandbox", "--disable-gpu", "--dump-dom",
        "file://" + reportOf(END)).redirectError(ProcessBuilder.Redirect.DISCARD).start();
    String dom = new String(dump.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertTrue(dump.waitFor(120, TimeUnit.SECONDS));
    assertEquals(page(END).select("figure > svg").size(), Jsoup.parse(dom).select("figure > svg").size(),
        "the browser's DOM lost charts");
  }

  static Path repositoryRoot() {
    Path here = Path.of("").toAbsolutePath();
    return Files.isDirectory(here.resolve("scripts")) ? here : here.getParent();
  }
}
