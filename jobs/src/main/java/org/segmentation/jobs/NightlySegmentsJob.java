package org.segmentation.jobs;

import com.typesafe.config.Config;
import java.io.PrintStream;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.Locale;
import java.util.UUID;
import org.apache.spark.sql.SparkSession;
import org.segmentation.config.JobSettings;
import org.segmentation.config.SettingsLoader;
import org.segmentation.run.ConfigurationException;
import org.segmentation.run.DataQualityException;
import org.segmentation.run.Progress;
import org.segmentation.run.SegmentationException;
import org.segmentation.run.SparkSessions;

/**
 * The nightly segmentation job: {@code spark-submit --class org.segmentation.jobs.NightlySegmentsJob
 * segmentation-jobs.jar --config conf/cluster.conf --run-date 2026-11-21}. See {@link JobArgs#USAGE}.
 *
 * <p>This class is the edge: it parses arguments and configuration before Spark starts, maps every failure to an exit
 * status, records the run in {@code run_log}, and always ends with one summary line, which in cluster mode (where
 * the exit status may not reach the orchestrator) is the record of the run.
 */
public final class NightlySegmentsJob {
  private NightlySegmentsJob() {}

  public static void main(String[] args) {
    int status = run(args, System.out, System.err);
    System.exit(status);
  }

  /** Runs the job and returns its exit status; never calls System.exit (tests call this). */
  public static int run(String[] args, PrintStream out, PrintStream err) {
    Instant startedAt = Instant.now();
    JobArgs jobArgs;
    JobSettings settings;
    Config config;
    try {
      jobArgs = JobArgs.parse(args);
      if (jobArgs.help()) {
        out.print(JobArgs.USAGE);
        return ExitCode.SUCCESS.status();
      }
      config = SettingsLoader.load(jobArgs.config(), jobArgs.overrides());
      settings = JobSettings.read(config);
    } catch (ConfigurationException e) {
      err.println(e.getMessage());
      out.println(summary("failed", ExitCode.USAGE, null, null, e.reasonCode(), firstLine(e.getMessage()), ""));
      return ExitCode.USAGE.status();
    }
    LocalDate runDate = jobArgs.runDate().orElseGet(() -> LocalDate.now(settings.timeZone()).minusDays(1));
    String runId = runDate + "_" + ZonedDateTime.now(java.time.ZoneOffset.UTC)
        .format(DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss")) + "_"
        + UUID.randomUUID().toString().substring(0, 8);
    out.println("run_id=" + runId + " run_date=" + runDate + " dry_run=" + jobArgs.dryRun()
        + " config=" + jobArgs.config() + " config_fingerprint=" + SettingsLoader.fingerprint(config));
    err.println("effective configuration (secrets redacted):\n" + SettingsLoader.renderRedacted(config));

    try (Progress progress = new Progress(out, 30)) {
      SparkSession spark = null;
      NightlyRun nightly = null;
      try {
        spark = SparkSessions.start(settings);
        nightly = new NightlyRun(spark, settings, runDate, runId, startedAt, progress);
        NightlyRun.Outcome outcome = nightly.run(jobArgs.dryRun());
        if (!jobArgs.dryRun()) {
          progress.begin("write_run_log");
          nightly.record(outcome, 0, null, null, SettingsLoader.fingerprint(config));
          progress.end("write_run_log", "status=published");
        }
        out.println(summary(outcome.status(), ExitCode.SUCCESS, runDate, runId, null,
            NightlyRun.countsDetails(outcome.inputs()) + " customers=" + outcome.customers()
                + " lake=" + settings.lake().root(), progress.runSeconds()));
        return ExitCode.SUCCESS.status();
      } catch (Exception e) { // every failure ends with a status, a run_log row and a summary line
        ExitCode code = exitCodeOf(e);
        String reason = e instanceof SegmentationException s ? s.reasonCode() : "error";
        if (code == ExitCode.FAILURE) {
          e.printStackTrace(err);
        }
        err.println("ERROR " + e.getMessage());
        if (nightly != null && !jobArgs.dryRun()) {
          try {
            nightly.record(null, code.status(), reason, firstLine(e.getMessage()),
                SettingsLoader.fingerprint(config));
          } catch (Exception logFailure) {
            err.println("WARN could not record the failure in run_log: " + firstLine(logFailure.getMessage()));
          }
        }
        out.println(summary("failed", code, runDate, runId, reason, firstLine(e.getMessage()),
            progress.runSeconds()));
        return code.status();
      } finally {
        if (spark != null) {
          spark.stop();
        }
      }
    }
  }

  static ExitCode exitCodeOf(Throwable e) {
    if (e instanceof ConfigurationException) {
      return ExitCode.USAGE;
    }
    if (e instanceof DataQualityException) {
      return ExitCode.DATA_QUALITY;
    }
    return ExitCode.FAILURE;
  }

  private static String summary(String result, ExitCode code, LocalDate runDate, String runId, String reason,
      String details, String seconds) {
    StringBuilder line = new StringBuilder("result=").append(result).append(" exit=").append(code.status());
    if (runDate != null) {
      line.append(" run_date=").append(runDate).append(" run_id=").append(runId);
    }
    if (reason != null) {
      line.append(" reason=").append(reason).append(" message=\"").append(details.replace('"', '\'')).append('"');
    } else if (details != null && !details.isBlank()) {
      line.append(' ').append(details);
    }
    if (!seconds.isEmpty()) {
      line.append(" seconds=").append(seconds);
    }
    return line.toString();
  }

  private static String firstLine(String message) {
    if (message == null) {
      return "";
    }
    String trimmed = message.strip();
    int newline = trimmed.indexOf('\n');
    String first = newline < 0 ? trimmed : trimmed.substring(0, newline);
    // a configuration error's first line only counts the problems: show the first problem too
    if (first.startsWith("Invalid configuration") && newline > 0) {
      String rest = trimmed.substring(newline + 1).strip();
      int next = rest.indexOf('\n');
      first = first + " " + (next < 0 ? rest : rest.substring(0, next)).replaceFirst("^- ", "");
    }
    return first.toLowerCase(Locale.ROOT).equals("null") ? "" : first;
  }
}
