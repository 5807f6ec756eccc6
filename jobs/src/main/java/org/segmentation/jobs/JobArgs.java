package org.segmentation.jobs;

import java.io.File;
import java.time.LocalDate;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;
import org.segmentation.io.TableCatalog;
import org.segmentation.io.TableSpec;
import org.segmentation.run.ConfigurationException;

/**
 * The nightly job's command line.
 *
 * @param config the HOCON file with the deployment's settings
 * @param runDate the business day to compute; empty = yesterday in the configured time zone
 * @param dryRun validate configuration and inputs, write nothing
 * @param overrides {@code --set key=value} settings, applied over the file and system properties
 * @param help print the usage and exit
 * @param listTables print the location of every output table (under the configured lake root) and exit
 * @param describeTables print the data dictionary of the output tables (docs/tables.md) and exit
 * @param printConfig print the effective configuration (secrets redacted) and exit
 * @param range a backfill: every date from the first to the last, in order, in one Spark application
 * @param force with a range: also rerun the dates already published with the same configuration
 * @param full recompute from the whole purchases input even where the night could update the purchase state
 */
public record JobArgs(File config, Optional<LocalDate> runDate, boolean dryRun, Map<String, String> overrides,
    boolean help, boolean listTables, boolean describeTables, Optional<List<LocalDate>> range, boolean force,
    boolean printConfig, boolean full) {

  /** The longest backfill one invocation runs (a year and a day): longer ranges are split by the orchestrator. */
  static final int MAX_RANGE_DAYS = 366;

  public static final String USAGE = """
      Usage: spark-submit --class org.segmentation.jobs.NightlySegmentsJob segmentation-jobs.jar \\
               --config FILE [--run-date YYYY-MM-DD | --from YYYY-MM-DD --to YYYY-MM-DD [--force]] [--dry-run]
               [--full] [--set key=value ...]

      Computes RFM scores and segments, clusters and rule segments of every customer as of the run date and
      publishes them, for that date, to the Delta tables under segments.lake.root (%s). Rerunning a date replaces
      exactly that date.

      Options:
        --config FILE          HOCON settings (see conf/local.conf, conf/cluster.conf; defaults in reference.conf).
                               Required.
        --run-date YYYY-MM-DD  Business day to compute, e.g. Airflow's {{ ds }}. Default: yesterday in
                               segments.time-zone. Purchases after this day are ignored.
        --from D1 --to D2      Backfill: run every date from D1 to D2 in order, in one Spark application,
                               skipping the dates already published with the same configuration (the
                               config_fingerprint in run_log); a failure stops the range. At most %d days.
        --force                With --from/--to: rerun the dates already published too.
        --full                 Recompute from the whole purchases input even where the night could read only
                               the lines added since the last night (segments.run.incremental).
        --dry-run              Check the configuration, the input mapping and the data-quality gates (builds the
                               customer features to see how buyers and profiles match); publish nothing.
        --set key=value        Override one setting, e.g. --set segments.rfm.score-bins=4 (repeatable). JVM system
                               properties (-Dsegments.rfm.score-bins=4) work too.
        --list-tables          Print the location of each output table (with --config) and exit.
        --describe-tables      Print the output tables' columns, types and meaning (Markdown) and exit.
        --print-config         Print the effective configuration (file, overrides and defaults merged; secrets
                               redacted) and exit. A run logs it at DEBUG (logger org.segmentation.jobs).
        --help                 Print this help and exit.

      Exit status: 0 published (or dry run passed), 2 bad arguments or configuration, 3 data-quality gate failed
      (nothing published), 75 another run holds the lake (nothing changed; retry later), 1 anything else (retry).
      The last line printed is a one-line run summary.
      """.formatted(TableCatalog.ALL.stream().map(TableSpec::name).collect(Collectors.joining(", ")),
      MAX_RANGE_DAYS);

  /** Options without a value. */
  static final Set<String> FLAGS = Set.of("--help", "--dry-run", "--list-tables", "--describe-tables", "--force",
      "--print-config", "--full");
  /** Options with a value. */
  static final Set<String> VALUED = Set.of("--config", "--run-date", "--set", "--from", "--to");

  public static JobArgs parse(String[] args) {
    CommandLine line = CommandLine.parse(args, FLAGS, VALUED);
    Map<String, String> overrides = line.overrides();
    boolean help = line.flag("--help");
    boolean describeTables = line.flag("--describe-tables");
    File config = help || describeTables ? line.value("--config").map(File::new).orElse(null) : line.config();
    Optional<LocalDate> runDate = line.value("--run-date", LocalDate::parse, "YYYY-MM-DD");
    Optional<LocalDate> from = line.value("--from", LocalDate::parse, "YYYY-MM-DD");
    Optional<LocalDate> to = line.value("--to", LocalDate::parse, "YYYY-MM-DD");
    Optional<List<LocalDate>> range = Optional.empty();
    if (from.isPresent() || to.isPresent()) {
      if (from.isEmpty() || to.isEmpty() || runDate.isPresent()) {
        throw new ConfigurationException("--from and --to: give both, and no --run-date (a backfill runs every date "
            + "from the first to the last)");
      }
      long days = java.time.temporal.ChronoUnit.DAYS.between(from.get(), to.get()) + 1;
      if (days < 1 || days > MAX_RANGE_DAYS) {
        throw new ConfigurationException("--from " + from.get() + " --to " + to.get() + ": the range must run "
            + "forwards and span at most " + MAX_RANGE_DAYS + " days, got " + days);
      }
      range = Optional.of(from.get().datesUntil(to.get().plusDays(1)).toList());
    } else if (line.flag("--force")) {
      throw new ConfigurationException("--force: only with --from and --to (a single --run-date always runs)");
    }
    return new JobArgs(config, runDate, line.flag("--dry-run"), overrides, help, line.flag("--list-tables"),
        describeTables, range, line.flag("--force"), line.flag("--print-config"), line.flag("--full"));
  }

  /** The dates to run, in order: the range, or the run date (default: yesterday in the business time zone). */
  List<LocalDate> dates(java.time.ZoneId timeZone) {
    return range.orElseGet(() -> List.of(runDate.orElseGet(() -> LocalDate.now(timeZone).minusDays(1))));
  }
}
