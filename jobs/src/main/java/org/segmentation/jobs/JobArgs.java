package org.segmentation.jobs;

import java.io.File;
import java.time.LocalDate;
import java.util.LinkedHashMap;
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
 */
public record JobArgs(File config, Optional<LocalDate> runDate, boolean dryRun, Map<String, String> overrides,
    boolean help, boolean listTables, boolean describeTables) {

  public static final String USAGE = """
      Usage: spark-submit --class org.segmentation.jobs.NightlySegmentsJob segmentation-jobs.jar \\
               --config FILE [--run-date YYYY-MM-DD] [--dry-run] [--set key=value ...]

      Computes RFM scores and segments, clusters and rule segments of every customer as of the run date and
      publishes them, for that date, to the Delta tables under segments.lake.root (%s). Rerunning a date replaces
      exactly that date.

      Options:
        --config FILE          HOCON settings (see conf/local.conf, conf/cluster.conf; defaults in reference.conf).
                               Required.
        --run-date YYYY-MM-DD  Business day to compute, e.g. Airflow's {{ ds }}. Default: yesterday in
                               segments.time-zone. Purchases after this day are ignored.
        --dry-run              Check the configuration, the input mapping and the data-quality gates (builds the
                               customer features to see how buyers and profiles match); publish nothing.
        --set key=value        Override one setting, e.g. --set segments.rfm.score-bins=4 (repeatable). JVM system
                               properties (-Dsegments.rfm.score-bins=4) work too.
        --list-tables          Print the location of each output table (with --config) and exit.
        --describe-tables      Print the output tables' columns, types and meaning (Markdown) and exit.
        --help                 Print this help and exit.

      Exit status: 0 published (or dry run passed), 2 bad arguments or configuration, 3 data-quality gate failed
      (nothing published), 1 anything else (retry). The last line printed is a one-line run summary.
      """.formatted(TableCatalog.ALL.stream().map(TableSpec::name).collect(Collectors.joining(", ")));

  public static JobArgs parse(String[] args) {
    CommandLine line = CommandLine.parse(args,
        Set.of("--help", "--dry-run", "--list-tables", "--describe-tables"),
        Set.of("--config", "--run-date", "--set"));
    Map<String, String> overrides = new LinkedHashMap<>();
    for (String setting : line.values("--set")) {
      int equals = setting.indexOf('=');
      if (equals <= 0) {
        throw new ConfigurationException("--set: expected key=value, got \"" + setting + "\"");
      }
      overrides.put(setting.substring(0, equals).trim(), setting.substring(equals + 1).trim());
    }
    boolean help = line.flag("--help");
    boolean describeTables = line.flag("--describe-tables");
    File config = line.value("--config").map(File::new).orElse(null);
    if (config == null && !help && !describeTables) {
      throw new ConfigurationException("--config: required (for example --config conf/local.conf)");
    }
    return new JobArgs(config, line.value("--run-date", LocalDate::parse, "YYYY-MM-DD"), line.flag("--dry-run"),
        overrides, help, line.flag("--list-tables"), describeTables);
  }
}
