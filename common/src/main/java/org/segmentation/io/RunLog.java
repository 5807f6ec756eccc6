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
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Encoders;
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
      Map<String, Long> tablesRestored, String summaryJson) {

    /** The row, in the column order of {@link TableCatalog#RUN_LOG}. */
    Row toRow() {
      return RowFactory.create(runId, java.sql.Date.valueOf(runDate), status, exitCode,
          java.sql.Timestamp.from(startedAt), java.sql.Timestamp.from(endedAt), reason, message,
          scalaMap(rowsRead), scalaMap(rowsAccepted), scalaMap(rowsQuarantined), scalaMap(rowsWritten),
          scalaMap(inputVersions), scalaMap(tableVersions), configFingerprint,
          profileMatch == null ? null : scalaMap(profileMatch), scalaMap(rowsSkipped), scalaMap(tablesRestored),
          summaryJson);
    }

    private static <V> scala.collection.Map<String, V> scalaMap(Map<String, V> map) {
      return CollectionConverters.asScala(map);
    }
  }

  /** The latest published run before a date: its run date and the table versions it published. */
  public record PublishedRun(LocalDate runDate, Map<String, Long> tableVersions) {
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
    return latestPublished(col(Columns.RUN_DATE).lt(lit(java.sql.Date.valueOf(runDate))));
  }

  /** The authoritative published run of {@code runDate} (its latest published row), if the date was published. */
  public Optional<PublishedRun> publishedRunOf(LocalDate runDate) {
    return latestPublished(col(Columns.RUN_DATE).equalTo(lit(java.sql.Date.valueOf(runDate))));
  }

  /** A run's row as an operator reads it: what happened and why. */
  public record Outcome(String runId, String status, int exitCode, String reason, String message, Instant endedAt,
      Map<String, Long> tableVersions, String configFingerprint) {}

  /** The latest row of {@code runDate}, whatever its status (by {@code ended_at}), if any run recorded one. */
  public Optional<Outcome> latestOutcomeOf(LocalDate runDate) {
    if (!tables.exists(TableCatalog.RUN_LOG)) {
      return Optional.empty();
    }
    List<Row> rows = tables.read(TableCatalog.RUN_LOG)
        .where(col(Columns.RUN_DATE).equalTo(lit(java.sql.Date.valueOf(runDate))))
        .orderBy(col(Columns.ENDED_AT).desc()).limit(1).collectAsList();
    return rows.stream().findFirst().map(r -> new Outcome(r.getAs(Columns.RUN_ID), r.getAs(Columns.STATUS),
        r.<Integer>getAs("exit_code"), r.getAs("reason"), r.getAs("message"),
        r.<java.sql.Timestamp>getAs(Columns.ENDED_AT).toInstant(),
        r.isNullAt(r.fieldIndex(Columns.TABLE_VERSIONS)) ? Map.of() : Map.copyOf(r.getJavaMap(
            r.fieldIndex(Columns.TABLE_VERSIONS))), r.getAs("config_fingerprint")));
  }

  /**
   * For each table, the highest Delta version a run recorded: the versions of published runs ({@code table_versions})
   * and of restores ({@code tables_restored}, keyed {@code table@date}). A table whose latest version is no higher has
   * had no commit of the job since the last recorded run.
   */
  public Map<String, Long> recordedVersions() {
    Map<String, Long> recorded = new java.util.HashMap<>();
    if (!tables.exists(TableCatalog.RUN_LOG)) {
      return recorded;
    }
    Dataset<Row> log = tables.read(TableCatalog.RUN_LOG);
    boolean withRestores = java.util.Arrays.asList(log.columns()).contains(Columns.TABLES_RESTORED);
    for (Row row : log.select(col(Columns.STATUS), col(Columns.TABLE_VERSIONS),
        withRestores ? col(Columns.TABLES_RESTORED) : lit(null).as(Columns.TABLES_RESTORED)).collectAsList()) {
      if (PUBLISHED.equals(row.getString(0)) && !row.isNullAt(1)) {
        row.<String, Long>getJavaMap(1).forEach((table, version) -> recorded.merge(table, version, Math::max));
      }
      if (!row.isNullAt(2)) {
        row.<String, Long>getJavaMap(2).forEach((tableAtDate, version) ->
            recorded.merge(tableAtDate.substring(0, tableAtDate.indexOf('@')), version, Math::max));
      }
    }
    return recorded;
  }

  /** The ids of every published run (a few hundred a year: one row per night). */
  public Set<String> publishedRunIds() {
    if (!tables.exists(TableCatalog.RUN_LOG)) {
      return Set.of();
    }
    return tables.read(TableCatalog.RUN_LOG).where(col(Columns.STATUS).equalTo(PUBLISHED)).select(Columns.RUN_ID)
        .as(Encoders.STRING()).collectAsList().stream().collect(Collectors.toUnmodifiableSet());
  }

  private Optional<PublishedRun> latestPublished(Column dates) {
    if (!tables.exists(TableCatalog.RUN_LOG)) {
      return Optional.empty();
    }
    List<Row> rows = tables.read(TableCatalog.RUN_LOG)
        .where(col(Columns.STATUS).equalTo(PUBLISHED).and(dates))
        .orderBy(col(Columns.RUN_DATE).desc(), col(Columns.ENDED_AT).desc())
        .select(Columns.RUN_DATE, Columns.TABLE_VERSIONS)
        .limit(1)
        .collectAsList();
    if (rows.isEmpty()) {
      return Optional.empty();
    }
    Row row = rows.get(0);
    return Optional.of(new PublishedRun(row.getDate(0).toLocalDate(), Map.copyOf(row.getJavaMap(1))));
  }
}
