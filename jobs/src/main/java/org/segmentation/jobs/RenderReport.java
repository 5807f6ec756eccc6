package org.segmentation.jobs;

import java.io.PrintStream;
import java.time.LocalDate;
import java.util.Optional;
import java.util.Set;
import org.apache.spark.sql.SparkSession;
import org.segmentation.config.JobSettings;
import org.segmentation.io.LakeTables;
import org.segmentation.io.RunLog;
import org.segmentation.io.SparkSessions;
import org.segmentation.report.ReportNight;
import org.segmentation.report.SegmentReport;
import org.segmentation.run.ConfigurationException;
import org.segmentation.run.Messages;

/**
 * The HTML report of any published night, from the lake alone (no rerun): {@code RenderReport --config FILE
 * --run-date D [--output FILE]}. It reads the night through the publishing contract (run_log's published row of the
 * date and the table versions it names), exactly as the nightly run's {@code write_report} step does, so the page is
 * the one the night wrote (or would have, with the report turned off). Spark is set up as for the nightly job (the
 * configuration's master and settings, unless spark-submit gave them).
 */
public final class RenderReport {
  static final String USAGE = """
      Usage: spark-submit --class org.segmentation.jobs.RenderReport segmentation-jobs.jar \\
               --config FILE --run-date YYYY-MM-DD [--output FILE] [--set key=value ...]
      Writes the report of a published night to --output (default: report.root/<run date>.html) and prints its path.
      Exit status: 0 written; 3 the date is not published; 2 bad arguments; 1 anything else.
      """;

  private RenderReport() {}

  public static void main(String[] args) {
    System.exit(run(args, System.out, System.err));
  }

  static int run(String[] args, PrintStream out, PrintStream err) {
    JobSettings settings;
    LocalDate runDate;
    Optional<String> output;
    try {
      CommandLine line = CommandLine.parse(args, Set.of("--help"), Set.of("--config", "--run-date", "--output",
          "--set"));
      if (line.flag("--help")) {
        out.print(USAGE);
        return ExitCode.SUCCESS.status();
      }
      runDate = line.value("--run-date", LocalDate::parse, "YYYY-MM-DD")
          .orElseThrow(() -> new ConfigurationException("--run-date: required"));
      output = line.value("--output");
      settings = line.settings();
    } catch (ConfigurationException e) {
      err.println(e.getMessage());
      out.println("result=report_failed exit=2 message=\"" + e.summary().replace('"', '\'') + "\"");
      return ExitCode.USAGE.status();
    }
    SparkSession spark = SparkSessions.start(settings); // the night's session: its lake settings and time zone
    try {
      LakeTables lake = new LakeTables(spark, settings.lake());
      RunLog runLog = new RunLog(spark, lake);
      Optional<RunLog.PublishedRun> published = runLog.publishedRunOf(runDate);
      if (published.isEmpty()) {
        out.println("result=not_published exit=3 run_date=" + runDate + " message=\"run_log has no published run of "
            + "this date: run the night first (or pick a published date)\"");
        return ExitCode.DATA_QUALITY.status();
      }
      String html = SegmentReport.render(lake, runLog, ReportNight.of(published.get()),
          settings.report().trendNights());
      String path = SegmentReport.write(spark, output
          .orElseGet(() -> SegmentReport.pathOf(settings, runDate)), html, published.get().runId());
      out.println("result=report_written exit=0 run_date=" + runDate + " run_id=" + published.get().runId()
          + " report=" + path);
      return ExitCode.SUCCESS.status();
    } catch (RuntimeException e) {
      err.println("ERROR " + Messages.summaryOf(e));
      out.println("result=report_failed exit=1 run_date=" + runDate + " message=\""
          + Messages.summaryOf(e).replace('"', '\'') + "\"");
      return ExitCode.FAILURE.status();
    } finally {
      spark.stop();
    }
  }
}
