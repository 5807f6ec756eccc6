package org.segmentation.report;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.time.LocalDate;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
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
    ReportFigures figures = ReportFigures.read(lake, night,
        runLog.publishedDatesBefore(night.runDate(), trendNights - 1));
    return ReportPage.render(figures, ReportCharts.of(figures));
  }

  /** Where the report of a run date goes. */
  public static String pathOf(JobSettings settings, LocalDate runDate) {
    return settings.report().rootUnder(settings.lake().root()) + "/" + runDate + ".html";
  }

  /**
   * Writes the page to {@code targetPath} whole or not at all: into a hidden file beside it ({@code _tmp_...}), then
   * renamed over the old report.
   *
   * @return the report's qualified path
   */
  public static String write(SparkSession spark, String targetPath, String html, String runId) {
    Path target = new Path(targetPath);
    // an instance of our own: the setting below must not reach the cached one Spark and Delta share
    try (FileSystem fs = FileSystem.newInstance(target.toUri(), spark.sessionState().newHadoopConf())) {
      fs.setWriteChecksum(false); // no .crc file beside the page on a local disk
      Path qualified = fs.makeQualified(target);
      Path temporary = new Path(qualified.getParent(), "_tmp_" + qualified.getName() + "_" + runId);
      try (OutputStream out = fs.create(temporary, true)) {
        out.write(html.getBytes(StandardCharsets.UTF_8));
      }
      // A local rename replaces the old page atomically; HDFS and object stores refuse to rename over a file, so
      // there the old page is deleted first (a reader may find no page for a moment, never half of one).
      if (!fs.rename(temporary, qualified)) {
        fs.delete(qualified, false);
        if (!fs.rename(temporary, qualified)) {
          throw new IOException("cannot rename " + temporary + " to " + qualified);
        }
      }
      return qualified.toString();
    } catch (IOException e) {
      throw new java.io.UncheckedIOException("Cannot write the report " + target + ": " + e.getMessage(), e);
    }
  }

}
