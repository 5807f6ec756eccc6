package org.segmentation.jobs;

import java.io.PrintStream;
import java.time.LocalDate;
import java.util.Optional;
import java.util.Set;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.segmentation.config.JobSettings;
import org.segmentation.io.LakeLease;
import org.segmentation.io.LakeTables;
import org.segmentation.io.RunLog;
import org.segmentation.io.SparkSessions;
import org.segmentation.io.TableCatalog;
import org.segmentation.io.TableSpec;
import org.segmentation.run.ConfigurationException;
import org.segmentation.run.LakeBusyException;
import org.segmentation.run.Messages;

/**
 * Delta maintenance of every output table: {@code MaintainTables --config FILE [--retain-hours H] [--force]}.
 * OPTIMIZE compacts each table's small files (customer_segments Z-ordered by customer_id, so a lookup of some customers
 * reads few files), then VACUUM deletes the files no version younger than the retention needs. Prints one line per
 * table with what it did. Run it between nights (it commits to the tables; the publishing contract is unaffected:
 * OPTIMIZE changes no row).
 *
 * <p>OPTIMIZE leaves the latest published night alone: the next run reads it at the version run_log recorded, so
 * its files must stay whatever the retention. The retention defaults to Delta's safety default of 168 hours (7 days).
 * An older night whose files OPTIMIZE rewrote is no longer readable at its recorded version once the retention has
 * passed, and a backfill reads the night before each date that way: keep the retention longer than the oldest date
 * you may backfill. Below 168 hours the command refuses unless {@code --force} is given.
 */
public final class MaintainTables {
  static final int SAFE_RETENTION_HOURS = 168;
  static final String USAGE = """
      Usage: spark-submit --class org.segmentation.jobs.MaintainTables segmentation-jobs.jar \\
               --config FILE [--retain-hours H] [--force] [--set key=value ...]
      OPTIMIZE (customer_segments Z-ordered by customer_id) and VACUUM (retention H hours, default 168) of every
      output table. A retention below 168 hours needs --force. Exit status: 0 done, 2 bad arguments, 1 failed,
      75 another run holds the lake (retry later).
      """;

  private MaintainTables() {}

  public static void main(String[] args) {
    System.exit(run(args, System.out, System.err));
  }

  static int run(String[] args, PrintStream out, PrintStream err) {
    JobSettings settings;
    int retainHours;
    boolean force;
    try {
      CommandLine line = CommandLine.parse(args, Set.of("--help", "--force"),
          Set.of("--config", "--retain-hours", "--set"));
      if (line.flag("--help")) {
        out.print(USAGE);
        return ExitCode.SUCCESS.status();
      }
      force = line.flag("--force");
      retainHours = line.value("--retain-hours", Integer::parseInt, "a whole number of hours")
          .orElse(SAFE_RETENTION_HOURS);
      if (retainHours < 0 || (retainHours < SAFE_RETENTION_HOURS && !force)) {
        throw new ConfigurationException("--retain-hours " + retainHours + ": below Delta's safety default of "
            + SAFE_RETENTION_HOURS + " hours, older versions (and the nights a backfill reads through run_log) may "
            + "become unreadable; add --force if that is what you want");
      }
      settings = line.settings();
    } catch (ConfigurationException | NumberFormatException e) {
      err.println(e.getMessage());
      out.println("result=failed exit=2 message=\"" + Messages.firstLine(e.getMessage()).replace('"', '\'') + "\"");
      return ExitCode.USAGE.status();
    }
    SparkSession spark = SparkSessions.start(settings);
    LakeLease.Held lease = null;
    try {
      // OPTIMIZE and VACUUM rewrite and delete files: never while a run reads or writes the lake
      lease = LakeLease.of(spark, settings.lake()).take("maintain_tables_" + java.util.UUID.randomUUID(),
          settings.run());
      // (VACUUM lists a table's folders in a Spark job of spark.sql.sources.parallelPartitionDiscovery.parallelism
      // tasks: SparkSessions.start keeps it to a few per core)
      if (retainHours < SAFE_RETENTION_HOURS) {
        spark.conf().set("spark.databricks.delta.retentionDurationCheck.enabled", "false");
      }
      LakeTables lake = new LakeTables(spark, settings.lake());
      // The latest published night is left as it is: the next run reads it at the version run_log recorded, which
      // must keep its files whatever the retention.
      Optional<LocalDate> latest = new RunLog(spark, lake).latestPublishedBefore(LocalDate.of(9999, 12, 31))
          .map(RunLog.PublishedRun::runDate);
      for (TableSpec table : TableCatalog.ALL) {
        if (!lake.exists(table)) {
          out.println("table=" + table.name() + " skipped=absent");
          continue;
        }
        String path = "delta.`" + lake.qualifiedPath(table) + "`";
        String zOrder = table.columnNames().contains("customer_id") && table.partitionedByRunDate()
            ? " ZORDER BY (customer_id)" : "";
        String olderNights = table.partitionedByRunDate() && latest.isPresent()
            ? " WHERE run_date < DATE'" + latest.get() + "'" : "";
        long started = System.nanoTime();
        Row optimized = spark.sql("OPTIMIZE " + path + olderNights + zOrder).first();
        Row metrics = optimized.getStruct(optimized.fieldIndex("metrics"));
        double optimizeSeconds = (System.nanoTime() - started) / 1e9;
        started = System.nanoTime();
        long toDelete = spark.sql("VACUUM " + path + " RETAIN " + retainHours + " HOURS DRY RUN").count();
        double dryRunSeconds = (System.nanoTime() - started) / 1e9;
        started = System.nanoTime();
        spark.sql("VACUUM " + path + " RETAIN " + retainHours + " HOURS").collectAsList();
        out.println("table=" + table.name() + " optimize=" + (zOrder.isEmpty() ? "compaction" : "zorder_customer_id")
            + " files_removed=" + metrics.getAs("numFilesRemoved") + " files_added=" + metrics.getAs("numFilesAdded")
            + " vacuum_retain_hours=" + retainHours + " files_deleted=" + toDelete
            + String.format(java.util.Locale.ROOT, " seconds=%.1f+%.1f+%.1f", optimizeSeconds, dryRunSeconds,
                (System.nanoTime() - started) / 1e9));
      }
      out.println("result=maintained exit=0 lake=" + settings.lake().root());
      return ExitCode.SUCCESS.status();
    } catch (LakeBusyException e) {
      err.println("ERROR " + e.getMessage());
      out.println("result=failed exit=" + ExitCode.LAKE_BUSY.status() + " reason=" + e.reasonCode() + " message=\""
          + Messages.firstLine(e.getMessage()).replace('"', '\'') + "\"");
      return ExitCode.LAKE_BUSY.status();
    } catch (RuntimeException e) {
      err.println("ERROR " + Messages.summaryOf(e));
      out.println("result=failed exit=1 message=\"" + Messages.summaryOf(e).replace('"', '\'') + "\"");
      return ExitCode.FAILURE.status();
    } finally {
      if (lease != null) {
        lease.close();
      }
      spark.stop();
    }
  }
}
