package org.segmentation.io;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.lit;

import java.time.Instant;
import java.time.LocalDate;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.segmentation.schema.Columns;
import scala.jdk.javaapi.CollectionConverters;

/**
 * The {@code run_log} Delta table: one row per run, appended when the run ends, published or failed.
 *
 * <p><b>Publishing contract.</b> A run date is published when run_log has a row with {@code status = 'published'} for
 * it; the latest such row (by {@code ended_at}) is authoritative, and its {@code table_versions} give, for each output
 * table, the Delta version holding that run's rows. This row is written last, after every output table has been
 * committed, so a consumer that reads {@code <table> VERSION AS OF table_versions[<table>] WHERE run_date = D} never
 * sees half a night, even while a rerun of D is writing or after it crashed.
 */
public final class RunLog {
  public static final String PUBLISHED = "published";
  public static final String FAILED = "failed";
  public static final String DRY_RUN = "dry_run";

  /** One run, as recorded. */
  public record Entry(
      String runId, LocalDate runDate, String status, int exitCode, Instant startedAt, Instant endedAt,
      String reason, String message,
      Map<String, Long> rowsRead, Map<String, Long> rowsAccepted, Map<String, Long> rowsQuarantined,
      Map<String, Long> rowsWritten, Map<String, String> inputVersions, Map<String, Long> tableVersions,
      String configFingerprint, Map<String, Long> profileMatch, Map<String, Long> rowsSkipped,
      Map<String, Long> tablesRestored, String summaryJson, String reportPath) {

    /** The row, in the column order of {@link TableCatalog#RUN_LOG}. */
    Row toRow() {
      return RowFactory.create(runId, java.sql.Date.valueOf(runDate), status, exitCode,
          java.sql.Timestamp.from(startedAt), java.sql.Timestamp.from(endedAt), reason, message,
          scalaMap(rowsRead), scalaMap(rowsAccepted), scalaMap(rowsQuarantined), scalaMap(rowsWritten),
          scalaMap(inputVersions), scalaMap(tableVersions), configFingerprint,
          profileMatch == null ? null : scalaMap(profileMatch), scalaMap(rowsSkipped), scalaMap(tablesRestored),
          summaryJson, reportPath);
    }

    private static <V> scala.collection.Map<String, V> scalaMap(Map<String, V> map) {
      return CollectionConverters.asScala(map);
    }
  }

  /**
   * A published run: its run date and id, the table versions it published, its input counts (read, accepted,
   * quarantined and skipped rows per input), the Delta version of each Delta input it read and its configuration's
   * fingerprint.
   */
  public record PublishedRun(LocalDate runDate, String runId, Map<String, Long> tableVersions,
      Map<String, Long> rowsRead, Map<String, Long> rowsAccepted, Map<String, Long> rowsQuarantined,
      Map<String, Long> rowsSkipped, Map<String, String> inputVersions, String configFingerprint) {
    /** The Delta version of {@code table} that holds this run's rows. */
    public long versionOf(TableSpec table) {
      Long version = tableVersions.get(table.name());
      if (version == null) {
        throw new IllegalStateException("Cannot read the run of " + runDate + ": run_log names no version of "
            + table.name());
      }
      return version;
    }
  }

  private final SparkSession spark;
  private final LakeTables tables;
  private List<Recorded> recorded;

  public RunLog(SparkSession spark, LakeTables tables) {
    this.spark = spark;
    this.tables = tables;
  }

  /**
   * Appends the run's row. Appends only conflict while two runs create the table at the same moment; then the table
   * exists and a second attempt goes through, so a few attempts are made before giving up.
   */
  public LakeTables.Commit append(Entry entry) {
    for (int attempt = 1; ; attempt++) {
      try {
        return tables.append(TableCatalog.RUN_LOG,
            spark.createDataFrame(List.of(entry.toRow()), TableCatalog.RUN_LOG.schema()).coalesce(1), entry.runId());
      } catch (org.segmentation.run.PublishConflictException e) {
        if (attempt == 3) {
          throw e;
        }
      }
    }
  }

  /** The most recent published run date strictly before {@code runDate}, if any. */
  public Optional<PublishedRun> latestPublishedBefore(LocalDate runDate) {
    return latestPublished(date -> date.isBefore(runDate));
  }

  /** The published run of the latest run date (its latest published row), if any run was published. */
  public Optional<PublishedRun> latestPublished() {
    return latestPublished(date -> true);
  }

  /** The authoritative published run of {@code runDate} (its latest published row), if the date was published. */
  public Optional<PublishedRun> publishedRunOf(LocalDate runDate) {
    return latestPublished(date -> date.equals(runDate));
  }

  /** A run's row as an operator reads it: what happened and why. */
  public record Outcome(String runId, String status, int exitCode, String reason, String message, Instant endedAt,
      Map<String, Long> tableVersions, String configFingerprint) {}

  /** The latest row of {@code runDate}, whatever its status (by {@code ended_at}), if any run recorded one. */
  public Optional<Outcome> latestOutcomeOf(LocalDate runDate) {
    return rows().stream().filter(r -> r.runDate().equals(runDate)).max(LATEST)
        .map(r -> new Outcome(r.runId(), r.status(), r.exitCode(), r.reason(), r.message(), r.endedAt(),
            r.tableVersions(), r.configFingerprint()));
  }

  /**
   * For each table, the highest Delta version a run recorded: the versions of published runs ({@code table_versions})
   * and of restores ({@code tables_restored}, keyed {@code table@date}). A table whose latest version is no higher has
   * had no commit of the job since the last recorded run.
   */
  public Map<String, Long> recordedVersions() {
    Map<String, Long> recorded = new java.util.HashMap<>();
    for (Recorded row : rows()) {
      if (PUBLISHED.equals(row.status())) {
        row.tableVersions().forEach((table, version) -> recorded.merge(table, version, Math::max));
      }
      row.tablesRestored().forEach((tableAtDate, version) ->
          recorded.merge(tableAtDate.substring(0, tableAtDate.indexOf('@')), version, Math::max));
    }
    return recorded;
  }

  /** The ids of every published run (a few hundred a year: one row per night). */
  public Set<String> publishedRunIds() {
    return rows().stream().filter(r -> PUBLISHED.equals(r.status())).map(Recorded::runId)
        .collect(Collectors.toUnmodifiableSet());
  }

  /** The latest {@code nights} published run dates strictly before {@code runDate}, oldest first. */
  public List<LocalDate> publishedDatesBefore(LocalDate runDate, int nights) {
    List<LocalDate> dates = rows().stream().filter(r -> PUBLISHED.equals(r.status()) && r.runDate().isBefore(runDate))
        .map(Recorded::runDate).distinct().sorted().toList();
    return dates.subList(Math.max(0, dates.size() - nights), dates.size());
  }

  /** The latest published row among those whose run date passes {@code dates} (by run date, then ended_at). */
  private Optional<PublishedRun> latestPublished(java.util.function.Predicate<LocalDate> dates) {
    return rows().stream().filter(r -> PUBLISHED.equals(r.status()) && dates.test(r.runDate()))
        .max(java.util.Comparator.comparing(Recorded::runDate).thenComparing(LATEST))
        .map(Recorded::published);
  }

  /** A run_log row, as far as the readers above need it (not summary_json, the longest column). */
  private record Recorded(String runId, LocalDate runDate, String status, int exitCode, String reason, String message,
      Instant endedAt, Map<String, Long> tableVersions, Map<String, Long> tablesRestored, String configFingerprint,
      Map<String, Long> rowsRead, Map<String, Long> rowsAccepted, Map<String, Long> rowsQuarantined,
      Map<String, Long> rowsSkipped, Map<String, String> inputVersions) {
    PublishedRun published() {
      return new PublishedRun(runDate, runId, tableVersions, rowsRead, rowsAccepted, rowsQuarantined, rowsSkipped,
          inputVersions, configFingerprint);
    }
  }

  /** A map column of longs as a Java map; NULL (or a column older lakes lack) as an empty one. */
  private static Map<String, Long> longsByName(Row row, int field) {
    return row.isNullAt(field) ? Map.of() : Map.copyOf(row.<String, Long>getJavaMap(field));
  }

  private static final java.util.Comparator<Recorded> LATEST = java.util.Comparator.comparing(Recorded::endedAt);

  /**
   * The rows, read once per RunLog (one small Spark job: a row per run). A run shares one RunLog across its steps
   * ({@link org.segmentation.pipeline.RunContext#runLog()}): they all see the run_log as it was when the first of them
   * asked (repair_tables), which holds because runs of one lake do not overlap: each holds the lake's lease
   * ({@link LakeLease}).
   */
  private synchronized List<Recorded> rows() {
    if (recorded == null) {
      if (!tables.exists(TableCatalog.RUN_LOG)) {
        recorded = List.of();
      } else {
        Dataset<Row> log = tables.read(TableCatalog.RUN_LOG);
        List<String> stored = java.util.Arrays.asList(log.columns());
        java.util.function.Function<String, org.apache.spark.sql.Column> optional = name ->
            stored.contains(name) ? col(name) : lit(null).as(name); // columns a lake of an older version lacks
        recorded = log.select(col(Columns.RUN_ID), col(Columns.RUN_DATE), col(Columns.STATUS), col("exit_code"),
                col("reason"), col("message"), col(Columns.ENDED_AT), col(Columns.TABLE_VERSIONS),
                optional.apply(Columns.TABLES_RESTORED), col("config_fingerprint"), col("rows_read"),
                col("rows_accepted"), col("rows_quarantined"), optional.apply("rows_skipped"), col("input_versions"))
            .collectAsList().stream()
            .map(r -> new Recorded(r.getString(0), r.getDate(1).toLocalDate(), r.getString(2),
                r.isNullAt(3) ? 0 : r.getInt(3), r.getString(4), r.getString(5), r.getTimestamp(6).toInstant(),
                longsByName(r, 7), longsByName(r, 8), r.getString(9), longsByName(r, 10), longsByName(r, 11),
                longsByName(r, 12), longsByName(r, 13),
                r.isNullAt(14) ? Map.<String, String>of() : Map.copyOf(r.<String, String>getJavaMap(14))))
            .toList();
      }
    }
    return recorded;
  }
}
