package org.segmentation.jobs;

import com.typesafe.config.Config;
import java.io.PrintStream;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.stream.Collectors;
import org.apache.spark.sql.SparkSession;
import org.segmentation.config.JobSettings;
import org.segmentation.config.SettingsLoader;
import org.segmentation.features.BuildFeatures;
import org.segmentation.features.ProfileMatch;
import org.segmentation.input.ValidatedInputs;
import org.segmentation.io.LakeLease;
import org.segmentation.io.LakeTables;
import org.segmentation.io.RunLog;
import org.segmentation.io.SparkSessions;
import org.segmentation.io.TableCatalog;
import org.segmentation.io.TableRepair;
import org.segmentation.io.TableSpec;
import org.segmentation.output.NightPublisher;
import org.segmentation.output.RepairTables;
import org.segmentation.pipeline.RunContext;
import org.segmentation.pipeline.StepRunner;
import org.segmentation.run.ConfigurationException;
import org.segmentation.run.DataQualityException;
import org.segmentation.run.LakeBusyException;
import org.segmentation.run.Messages;
import org.segmentation.run.Progress;
import org.segmentation.run.SegmentationException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The nightly segmentation job: {@code spark-submit --class org.segmentation.jobs.NightlySegmentsJob
 * segmentation-jobs.jar --config conf/cluster.conf --run-date 2026-11-21}. See {@link JobArgs#USAGE}.
 *
 * <p>This class is the edge: it parses arguments and configuration before Spark starts, hands the run to
 * {@link NightlyRunBook}, maps every failure to an exit status, records a failed run in {@code run_log}, and always
 * ends with one summary line, which in cluster mode (where the exit status may not reach the orchestrator) is the
 * record of the run. Operator-facing text (progress, the summary, why a run stopped) goes to the given streams;
 * diagnostics (the effective configuration, stack traces) go to the log.
 */
public final class NightlySegmentsJob {
  private static final Logger LOG = LoggerFactory.getLogger(NightlySegmentsJob.class);
  private static final long HEARTBEAT_SECONDS = 30;

  private NightlySegmentsJob() {}

  public static void main(String[] args) {
    int status = run(args, System.out, System.err);
    System.exit(status);
  }

  /** Runs the job and returns its exit status; never calls System.exit (tests call this). */
  public static int run(String[] args, PrintStream out, PrintStream err) {
    JobArgs jobArgs;
    JobSettings settings;
    Config config;
    try {
      jobArgs = JobArgs.parse(args);
      if (jobArgs.help() || jobArgs.describeTables()) {
        out.print(jobArgs.help() ? JobArgs.USAGE : TableCatalog.markdown());
        return ExitCode.SUCCESS.status();
      }
      config = SettingsLoader.load(jobArgs.config(), jobArgs.overrides());
      settings = JobSettings.read(config);
    } catch (ConfigurationException e) {
      err.println(e.getMessage());
      out.println(summary("failed", ExitCode.USAGE, null, null, e.reasonCode(), e.summary(), ""));
      return ExitCode.USAGE.status();
    }
    if (jobArgs.listTables()) {
      TableCatalog.ALL.stream().map(TableSpec::name).map(settings.lake()::tablePath).forEach(out::println);
      return ExitCode.SUCCESS.status();
    }
    if (jobArgs.printConfig()) {
      out.print(SettingsLoader.renderRedacted(config));
      return ExitCode.SUCCESS.status();
    }
    String fingerprint = SettingsLoader.fingerprint(config);
    // at DEBUG: a first run shows its steps, not 270 lines of settings (--print-config prints them; the fingerprint on
    // the first line and in run_log says which configuration ran)
    LOG.debug("effective configuration (secrets redacted):\n{}", SettingsLoader.renderRedacted(config));
    List<LocalDate> dates = jobArgs.dates(settings.timeZone());
    if (jobArgs.range().isEmpty()) {
      return runOneDate(jobArgs, settings, fingerprint, dates.get(0), null, null, out, err);
    }
    // A backfill: one Spark application and one hold of the lake for every date, in order; a failure stops the range.
    SparkSession spark;
    LakeLease.Held lease;
    try {
      spark = SparkSessions.start(settings);
    } catch (Exception e) {
      err.println("ERROR " + e.getMessage());
      out.println(summary("failed", ExitCode.FAILURE, null, null, "error", Messages.summaryOf(e), ""));
      return ExitCode.FAILURE.status();
    }
    try {
      lease = jobArgs.dryRun() ? null : takeLease(spark, settings,
          "backfill_" + dates.get(0) + "_to_" + dates.get(dates.size() - 1) + "_" + UUID.randomUUID(), out);
    } catch (Exception e) {
      spark.stop();
      ExitCode code = exitCodeOf(e);
      err.println("ERROR " + e.getMessage());
      out.println(summary("failed", code, null, null,
          e instanceof SegmentationException s ? s.reasonCode() : "error", Messages.summaryOf(e), ""));
      return code.status();
    }
    List<LocalDate> published = new ArrayList<>();
    List<LocalDate> skipped = new ArrayList<>();
    try {
      for (LocalDate date : dates) {
        if (!jobArgs.force() && !jobArgs.dryRun() && publishedWith(spark, settings, date, fingerprint)) {
          out.println("skipped run_date=" + date + " reason=published_with_this_configuration");
          skipped.add(date);
          continue;
        }
        int status = runOneDate(jobArgs, settings, fingerprint, date, spark, lease, out, err);
        if (status != ExitCode.SUCCESS.status()) {
          out.println("result=range_failed exit=" + status + " from=" + dates.get(0) + " to="
              + dates.get(dates.size() - 1) + " failed_run_date=" + date + " published=" + published
              + " skipped=" + skipped + " not_run=" + dates.subList(dates.indexOf(date) + 1, dates.size()));
          return status;
        }
        published.add(date);
      }
      out.println("result=range_" + (jobArgs.dryRun() ? "checked" : "published") + " exit=0 from=" + dates.get(0)
          + " to=" + dates.get(dates.size() - 1) + " published=" + published + " skipped=" + skipped);
      return ExitCode.SUCCESS.status();
    } finally {
      if (lease != null) {
        lease.close();
      }
      spark.stop();
    }
  }

  /**
   * Takes the lake's lease before anything is read (another run holding it: {@link LakeBusyException}, exit 75), and
   * says so when it took over the lease of a run that stopped renewing it (killed).
   */
  private static LakeLease.Held takeLease(SparkSession spark, JobSettings settings, String holder, PrintStream out) {
    LakeLease.Held lease = LakeLease.of(spark, settings.lake()).take(holder, settings.run());
    lease.tookOverFrom().ifPresent(previous -> out.println("lease=taken_over previous_holder=\"" + previous
        + ", last renewed " + previous.renewedAt() + "\" (a run that stopped without releasing it: killed?)"));
    return lease;
  }

  /** Whether run_log's latest row of the date is a published run with the same configuration fingerprint. */
  private static boolean publishedWith(SparkSession spark, JobSettings settings, LocalDate date,
      String fingerprint) {
    return new RunLog(spark, new LakeTables(spark, settings.lake())).latestOutcomeOf(date)
        .filter(o -> RunLog.PUBLISHED.equals(o.status()) && fingerprint.equals(o.configFingerprint()))
        .isPresent();
  }

  /**
   * One night, from its first line to its summary line. Maps every failure to an exit status, a run_log row and the
   * summary.
   *
   * @param shared the backfill's session, or NULL: start one and stop it at the end
   * @param sharedLease the backfill's hold of the lake, or NULL: take the lease (unless a dry run) and release it
   */
  private static int runOneDate(JobArgs jobArgs, JobSettings settings, String fingerprint, LocalDate runDate,
      SparkSession shared, LakeLease.Held sharedLease, PrintStream out, PrintStream err) {
    Instant startedAt = Instant.now();
    String runId = runDate + "_" + ZonedDateTime.now(ZoneOffset.UTC)
        .format(DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss")) + "_"
        + UUID.randomUUID().toString().substring(0, 8);
    out.println("run_id=" + runId + " run_date=" + runDate + " dry_run=" + jobArgs.dryRun()
        + " config=" + jobArgs.config() + " config_fingerprint=" + fingerprint);

    try (Progress progress = new Progress(out, HEARTBEAT_SECONDS)) {
      SparkSession spark = shared;
      LakeLease.Held lease = sharedLease;
      StepRunner steps = null;
      NightPublisher night = null;
      try {
        if (spark == null) {
          spark = SparkSessions.start(settings);
        }
        if (lease == null && !jobArgs.dryRun()) {
          lease = takeLease(spark, settings, runId, out);
        }
        Runnable stillHeld = lease == null ? () -> { } : lease::check;
        RunContext context = new RunContext(spark, settings, runDate, runId, startedAt, fingerprint);
        steps = new StepRunner(context, progress, stillHeld);
        night = jobArgs.dryRun() ? null
            : new NightPublisher(context, NightlyRunBook.stagingAreas(spark, settings));
        NightlyRunBook.Outcome outcome = NightlyRunBook.run(steps, night, jobArgs.full());
        out.println("summary_json=" + steps.summaryJson(outcome.status(), 0, null));
        out.println(summary(outcome.status(), ExitCode.SUCCESS, runDate, runId, null,
            outcome.inputs().countDetails() + " " + outcome.inputs().plan().modeDetails()
                + " customers=" + outcome.customers()
                + " lake=" + settings.lake().root() + " " + steps.timeSplit(), progress.runSeconds()));
        return ExitCode.SUCCESS.status();
      } catch (Exception e) { // every failure ends with a status, a run_log row and a summary line
        ExitCode code = exitCodeOf(e);
        String reason = e instanceof SegmentationException s ? s.reasonCode() : "error";
        if (code == ExitCode.FAILURE && !(e instanceof SegmentationException)) {
          LOG.error("The run failed unexpectedly (retry; run_log and the line below record it)", e);
        } else {
          LOG.debug("The run stopped: {}", reason, e); // an expected failure: its one-line reason says it all
        }
        err.println("ERROR " + e.getMessage());
        if (night != null) {
          abort(steps, night, code, reason, Messages.summaryOf(e), out);
        }
        if (steps != null) {
          out.println("summary_json=" + steps.summaryJson(RunLog.FAILED, code.status(), reason));
        }
        out.println(summary("failed", code, runDate, runId, reason, Messages.summaryOf(e), progress.runSeconds()));
        return code.status();
      } finally {
        if (steps != null) {
          steps.close();
        }
        if (lease != null && sharedLease == null) {
          lease.close();
        }
        if (spark != null && shared == null) {
          spark.stop();
        }
      }
    }
  }

  /**
   * The failure path ({@link NightPublisher#abort}): before the night committed, this run's writes are put back (so a
   * plain reader sees the last published night again), its staged outputs deleted, and a failed row appended with what
   * the steps before the failure had found; after it, the night stands.
   */
  private static void abort(StepRunner steps, NightPublisher night, ExitCode code, String reason, String message,
      PrintStream out) {
    List<TableRepair.Restored> repaired =
        steps.latest(RepairTables.Repaired.class).map(RepairTables.Repaired::restored).orElse(List.of());
    Optional<ValidatedInputs> inputs = steps.latest(ValidatedInputs.class);
    Optional<ProfileMatch> match = steps.latest(BuildFeatures.Features.class).flatMap(f -> f.profileMatch());
    NightPublisher.Aborted aborted = night.abort(code.status(), reason, message, inputs, match, repaired,
        steps.summaryJson(RunLog.FAILED, code.status(), reason));
    if (aborted.committed()) {
      out.println("committed=true (the night is published; what it could not put into place, the next run does)");
    }
    if (!aborted.restored().isEmpty()) {
      out.println("restored=" + aborted.restored().stream().map(Object::toString).collect(Collectors.joining(","))
          + " (this run's writes, put back to the last published night)");
    }
    if (!aborted.discarded().isEmpty()) {
      out.println("discarded=" + String.join(",", aborted.discarded()) + " (this run's staged outputs)");
    }
  }

  static ExitCode exitCodeOf(Throwable e) {
    if (e instanceof ConfigurationException) {
      return ExitCode.USAGE;
    }
    if (e instanceof DataQualityException) {
      return ExitCode.DATA_QUALITY;
    }
    if (e instanceof LakeBusyException) {
      return ExitCode.LAKE_BUSY;
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
}
