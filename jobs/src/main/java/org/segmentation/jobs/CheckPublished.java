package org.segmentation.jobs;

import java.io.PrintStream;
import java.time.LocalDate;
import java.util.Optional;
import java.util.Set;
import org.apache.spark.SparkConf;
import org.apache.spark.sql.SparkSession;
import org.segmentation.config.JobSettings;
import org.segmentation.io.LakeTables;
import org.segmentation.io.RunLog;
import org.segmentation.io.SparkSessions;
import org.segmentation.run.ConfigurationException;
import org.segmentation.run.Messages;

/**
 * Whether a run date is published, from the lake alone: {@code CheckPublished --config FILE --run-date D}. In cluster
 * deploy mode the exit status of spark-submit may not be the job's, so an orchestrator's last task asks the lake.
 *
 * <p>Prints one line and exits 0 when run_log's latest row for the date is {@code published}; otherwise prints the
 * latest row's status, reason and message and exits with that run's exit code (2 or 3: a person must look; 1: retry),
 * or 1 when no run of the date recorded anything (it died before it could). Runs Spark locally ({@code local[1]})
 * unless spark-submit gave a master: it reads one small table.
 */
public final class CheckPublished {
  static final String USAGE = """
      Usage: spark-submit --class org.segmentation.jobs.CheckPublished segmentation-jobs.jar \\
               --config FILE --run-date YYYY-MM-DD [--set key=value ...]
      Exit status: 0 the date is published; otherwise the exit code of its latest run (1, 2 or 3), 1 when none
      recorded a row; 2 bad arguments.
      """;

  private CheckPublished() {}

  public static void main(String[] args) {
    System.exit(run(args, System.out, System.err));
  }

  static int run(String[] args, PrintStream out, PrintStream err) {
    JobSettings settings;
    LocalDate runDate;
    try {
      CommandLine line = CommandLine.parse(args, Set.of("--help"), Set.of("--config", "--run-date", "--set"));
      if (line.flag("--help")) {
        out.print(USAGE);
        return ExitCode.SUCCESS.status();
      }
      runDate = line.value("--run-date", LocalDate::parse, "YYYY-MM-DD")
          .orElseThrow(() -> new ConfigurationException("--run-date: required"));
      settings = line.settings();
    } catch (ConfigurationException e) {
      err.println(e.getMessage());
      out.println("result=check_failed exit=2 message=\"" + e.summary().replace('"', '\'') + "\"");
      return ExitCode.USAGE.status();
    }
    SparkSession.Builder builder = SparkSessions.withDelta(SparkSession.builder()).appName("check-published")
        .config("spark.ui.enabled", "false");
    if (!new SparkConf().contains("spark.master")) {
      builder.master("local[1]");
    }
    settings.spark().conf().forEach(builder::config); // the lake's credentials and file system settings
    SparkSession spark = builder.getOrCreate();
    try {
      Optional<RunLog.Outcome> latest = new RunLog(spark, new LakeTables(spark, settings.lake()))
          .latestOutcomeOf(runDate);
      if (latest.isEmpty()) {
        out.println("result=not_published exit=1 run_date=" + runDate + " message=\"no run of this date recorded a "
            + "row in run_log (it has not run, or died before it could): rerun it\"");
        return ExitCode.FAILURE.status();
      }
      RunLog.Outcome outcome = latest.get();
      if (RunLog.PUBLISHED.equals(outcome.status())) {
        out.println("result=published exit=0 run_date=" + runDate + " run_id=" + outcome.runId() + " ended_at="
            + outcome.endedAt() + " table_versions=" + new java.util.TreeMap<>(outcome.tableVersions()));
        return ExitCode.SUCCESS.status();
      }
      int exit = outcome.exitCode() == 0 ? ExitCode.FAILURE.status() : outcome.exitCode();
      out.println("result=not_published exit=" + exit + " run_date=" + runDate + " run_id=" + outcome.runId()
          + " status=" + outcome.status() + " reason=" + outcome.reason() + " message=\""
          + String.valueOf(outcome.message()).replace('"', '\'') + "\"");
      return exit;
    } catch (RuntimeException e) {
      err.println("ERROR " + Messages.summaryOf(e));
      out.println("result=check_failed exit=1 run_date=" + runDate + " message=\""
          + Messages.summaryOf(e).replace('"', '\'') + "\"");
      return ExitCode.FAILURE.status();
    } finally {
      spark.stop();
    }
  }
}
