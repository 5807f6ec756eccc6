package org.segmentation.report;

import java.io.IOException;
import java.time.LocalDate;
import org.apache.spark.sql.SparkSession;
import org.segmentation.config.JobSettings;
import org.segmentation.io.LakeTables;
import org.segmentation.io.RunLog;

/**
 * A night's report: its figures read from the lake ({@link ReportFigures}), drawn ({@link ReportCharts}), laid out
 * ({@link ReportPage}) and written to {@code <report root>/<run_date>.html}. The nightly run and {@code RenderReport}
 * both come here, so a night rendered again from the lake is the page the night wrote.
 */
public final class SegmentReport {
  private SegmentReport() {}

  /** The page of {@code night}, with the trend of the published nights before it (from run_log) and itself. */
  public static String render(LakeTables lake, RunLog runLog, ReportNight night, int trendNights) {
    return render(lake, runLog.publishedDatesBefore(night.runDate(), trendNights - 1), night);
  }

  /** The page of {@code night}, with the trend of the given published dates before it and itself. */
  public static String render(LakeTables lake, java.util.List<LocalDate> trendDatesBefore, ReportNight night) {
    ReportFigures figures = ReportFigures.read(lake, night, trendDatesBefore);
    return ReportPage.render(figures, ReportCharts.of(figures));
  }

  /** Where the report of a run date goes. */
  public static String pathOf(JobSettings settings, LocalDate runDate) {
    return settings.report().rootUnder(settings.lake().root()) + "/" + runDate + ".html";
  }

  /**
   * Writes the page to {@code targetPath} whole or not at all: staged beside it, then put into place
   * ({@link StagedPage}).
   *
   * @return the report's qualified path
   */
  public static String write(SparkSession spark, String targetPath, String html, String runId) {
    StagedPage page = StagedPage.stage(spark, targetPath, html, runId);
    try {
      page.publish();
    } catch (IOException e) {
      throw new java.io.UncheckedIOException("Cannot write the report " + targetPath + ": " + e.getMessage(), e);
    }
    return page.location();
  }

  /** Where the nightly run stages its pages: settled by the next run's start when a kill left one. */
  public static org.segmentation.io.StagingArea stagingArea(SparkSession spark, JobSettings settings) {
    return StagedPage.stagingArea(spark, settings.report().rootUnder(settings.lake().root()));
  }
}
