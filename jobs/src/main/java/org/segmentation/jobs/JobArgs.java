package org.segmentation.jobs;

import java.io.File;
import java.time.LocalDate;
import java.time.format.DateTimeParseException;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import org.segmentation.run.ConfigurationException;

/**
 * The nightly job's command line.
 *
 * @param config the HOCON file with the deployment's settings
 * @param runDate the business day to compute; empty = yesterday in the configured time zone
 * @param dryRun validate configuration and inputs, write nothing
 * @param overrides {@code --set key=value} settings, applied over the file and system properties
 */
public record JobArgs(File config, Optional<LocalDate> runDate, boolean dryRun, Map<String, String> overrides,
    boolean help) {

  public static final String USAGE = """
      Usage: spark-submit --class org.segmentation.jobs.NightlySegmentsJob segmentation-jobs.jar \\
               --config FILE [--run-date YYYY-MM-DD] [--dry-run] [--set key=value ...]

      Computes RFM scores and segments of every customer as of the run date and publishes them, for that date, to
      the Delta tables under segments.lake.root (customer_segments, segment_summary, segment_transitions,
      quarantine, run_log). Rerunning a date replaces exactly that date.

      Options:
        --config FILE          HOCON settings (see conf/local.conf, conf/cluster.conf; defaults in reference.conf).
                               Required.
        --run-date YYYY-MM-DD  Business day to compute, e.g. Airflow's {{ ds }}. Default: yesterday in
                               segments.time-zone. Purchases after this day are ignored.
        --dry-run              Check the configuration, the input mapping and the data-quality gate; publish nothing.
        --set key=value        Override one setting, e.g. --set segments.rfm.score-bins=4 (repeatable). JVM system
                               properties (-Dsegments.rfm.score-bins=4) work too.
        --help                 Print this help and exit.

      Exit status: 0 published (or dry run passed), 2 bad arguments or configuration, 3 data-quality gate failed
      (nothing published), 1 anything else (retry). The last line printed is a one-line run summary.
      """;

  public static JobArgs parse(String[] args) {
    File config = null;
    Optional<LocalDate> runDate = Optional.empty();
    boolean dryRun = false;
    boolean help = false;
    Map<String, String> overrides = new LinkedHashMap<>();
    for (int i = 0; i < args.length; i++) {
      String arg = args[i];
      switch (arg) {
        case "--help", "-h" -> help = true;
        case "--dry-run" -> dryRun = true;
        case "--config" -> config = new File(value(args, ++i, arg));
        case "--run-date" -> runDate = Optional.of(date(value(args, ++i, arg)));
        case "--set" -> {
          String setting = value(args, ++i, arg);
          int equals = setting.indexOf('=');
          if (equals <= 0) {
            throw new ConfigurationException("--set: expected key=value, got \"" + setting + "\"");
          }
          overrides.put(setting.substring(0, equals).trim(), setting.substring(equals + 1).trim());
        }
        default -> throw new ConfigurationException("unknown argument \"" + arg + "\" (see --help)");
      }
    }
    if (config == null && !help) {
      throw new ConfigurationException("--config: required (for example --config conf/local.conf)");
    }
    return new JobArgs(config, runDate, dryRun, overrides, help);
  }

  private static String value(String[] args, int index, String option) {
    if (index >= args.length || args[index].startsWith("--")) {
      throw new ConfigurationException(option + ": missing value");
    }
    return args[index];
  }

  private static LocalDate date(String text) {
    try {
      return LocalDate.parse(text);
    } catch (DateTimeParseException e) {
      throw new ConfigurationException("--run-date: expected YYYY-MM-DD, got \"" + text + "\"");
    }
  }
}
