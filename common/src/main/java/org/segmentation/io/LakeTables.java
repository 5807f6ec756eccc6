package org.segmentation.io;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.lit;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.delta.tables.DeltaTable;
import java.io.BufferedReader;
import java.io.FileNotFoundException;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SaveMode;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;
import org.segmentation.config.LakeSettings;
import org.segmentation.run.ConfigurationException;
import org.segmentation.run.PublishConflictException;
import org.segmentation.schema.Columns;

/**
 * Reads and writes the output Delta tables under the lake root.
 *
 * <p><b>Write rule.</b> A run date is written with {@code mode(overwrite)} and {@code replaceWhere run_date = D} in one
 * Delta transaction: the rows of D are replaced atomically, other dates are untouched (Delta rejects rows outside the
 * predicate, so a bug cannot overwrite another night), and a rerun of D gives the same table content. Every commit
 * carries the run id as its {@code userMetadata}, which is how the publisher finds the version it committed. The job
 * never sets {@code mergeSchema} or {@code overwriteSchema}: a schema change is a deliberate migration. Rows are
 * checked against the table's declaration in {@link TableCatalog} before anything is written, and written in its
 * column order.
 *
 * <p><b>Schema upgrades.</b> The only migration is additive and declared: when the catalog declares a column that an
 * existing table lacks (a newer version of the job added it), the column is added with {@code ALTER TABLE ... ADD
 * COLUMNS} before the write, and older rows read it as NULL; so is a field newly declared in a struct of configured
 * fields ({@code customer_segments.profile_attributes}), whose fields no longer declared stay, NULL from then on. A
 * stored column the catalog does not know stops the write (a newer version of the job has written this lake), and so
 * does a struct field whose declared type changed.
 */
public final class LakeTables {
  private final SparkSession spark;
  private final LakeSettings lake;

  public LakeTables(SparkSession spark, LakeSettings lake) {
    this.spark = spark;
    this.lake = lake;
  }

  public String path(TableSpec table) {
    return lake.tablePath(table.name());
  }

  public boolean exists(TableSpec table) {
    return DeltaTable.isDeltaTable(spark, path(table));
  }

  /**
   * What a step that is turned off publishes: no rows for the date in each of {@code tables} the lake has (so that a
   * rerun after the step was turned off leaves none of its earlier rows behind), nothing for the others; in order.
   */
  public java.util.Map<TableSpec, Dataset<Row>> noRowsInThoseItHas(List<TableSpec> tables) {
    java.util.Map<TableSpec, Dataset<Row>> none = new java.util.LinkedHashMap<>();
    tables.stream().filter(this::exists).forEach(table -> none.put(table,
        spark.createDataFrame(List.of(), table.schema())));
    return none;
  }

  /** A commit of ours: the Delta version and the rows it wrote (from Delta's operation metrics, no extra scan). */
  public record Commit(long version, long rowsWritten) {}

  /**
   * Replaces the run date's partition of {@code table} with {@code rows} and returns the Delta version committed.
   */
  public Commit replaceRunDate(TableSpec table, Dataset<Row> rows, LocalDate runDate, String runId) {
    if (!table.partitionedByRunDate()) {
      throw new IllegalArgumentException(table.name() + " is not partitioned by run_date");
    }
    try {
      Dataset<Row> conforming = conforming(table, rows);
      createOrUpgrade(table);
      overwriteRunDate(table, conforming, runDate, runId);
    } catch (java.util.ConcurrentModificationException e) { // Delta's optimistic concurrency rejected our commit
      throw new PublishConflictException("Cannot publish " + table.name() + " for run_date " + runDate
          + ": another run committed to it at the same time (" + e.getClass().getSimpleName()
          + "); this run wrote nothing there, rerun the date once the other run has ended", e);
    }
    return committedBy(table, runId);
  }

  /** The write rule: {@code rows} replace the run date's rows in one transaction whose userMetadata is {@code tag}. */
  private void overwriteRunDate(TableSpec table, Dataset<Row> rows, LocalDate runDate, String tag) {
    rows.write().format("delta")
        .mode(SaveMode.Overwrite)
        .partitionBy(Columns.RUN_DATE)
        .option("replaceWhere", Columns.RUN_DATE + " = DATE'" + runDate + "'")
        .option("userMetadata", tag)
        .save(path(table));
  }

  /**
   * Puts the rows of one run date back as they were at {@code version} (the version the date's last published run
   * recorded), or removes them when there is none (the date was never published), in one replaceWhere transaction whose
   * userMetadata is {@code tag}. Rows of an older version get the columns added since as NULL.
   */
  public Commit restoreRunDate(TableSpec table, LocalDate runDate, Optional<Long> version, String tag) {
    StructType current = read(table).schema();
    Dataset<Row> rows = version
        .map(v -> readRunDate(table, runDate, v))
        .map(old -> old.select(Arrays.stream(current.fields())
            .map(f -> Arrays.asList(old.columns()).contains(f.name())
                ? col("`" + f.name() + "`") : lit(null).cast(f.dataType()).as(f.name()))
            .toArray(org.apache.spark.sql.Column[]::new)))
        .orElseGet(() -> spark.createDataFrame(List.of(), current));
    try {
      overwriteRunDate(table, rows, runDate, tag);
    } catch (java.util.ConcurrentModificationException e) {
      throw new PublishConflictException("Cannot restore " + table.name() + " for run_date " + runDate
          + ": another run committed to it at the same time (" + e.getClass().getSimpleName() + ")", e);
    }
    return committedBy(table, tag);
  }

  /**
   * The table's latest committed version, from the names of its log files ({@code _delta_log/<version>.json}, as the
   * Delta protocol lays them out): one listing, no table state to load. -1 when there is no commit.
   */
  public long latestVersion(TableSpec table) {
    Path log = logOf(table);
    try {
      FileSystem fs = log.getFileSystem(spark.sessionState().newHadoopConf());
      long latest = -1;
      if (fs.exists(log)) {
        for (org.apache.hadoop.fs.FileStatus file : fs.listStatus(log)) {
          String name = file.getPath().getName();
          if (name.matches("\\d{20}\\.json")) {
            latest = Math.max(latest, Long.parseLong(name.substring(0, 20)));
          }
        }
      }
      return latest;
    } catch (IOException e) {
      throw new IllegalStateException("Cannot list " + log + ": " + e.getMessage(), e);
    }
  }

  /**
   * The table's recent commits, newest first: version and userMetadata (the run id of a job commit; NULL for commits
   * of other writers, such as a schema upgrade).
   */
  public List<Row> recentCommits(TableSpec table, int howMany) {
    return DeltaTable.forPath(spark, path(table)).history(howMany).select("version", "userMetadata")
        .collectAsList();
  }

  /** Appends rows (run_log) and returns the version committed. */
  public Commit append(TableSpec table, Dataset<Row> rows, String runId) {
    try {
      Dataset<Row> conforming = conforming(table, rows);
      createOrUpgrade(table);
      conforming.write().format("delta").mode(SaveMode.Append).option("userMetadata", runId).save(path(table));
    } catch (java.util.ConcurrentModificationException e) { // two runs creating the table at the same moment
      throw new PublishConflictException("Cannot append to " + table.name() + ": another run created or changed it"
          + " at the same time (" + e.getClass().getSimpleName() + "); rerun once the other run has ended", e);
    }
    return committedBy(table, runId);
  }

  /** The rows of one run date as of a Delta version (the version a published run recorded). */
  public Dataset<Row> readRunDate(TableSpec table, LocalDate runDate, long version) {
    return spark.read().format("delta").option("versionAsOf", version).load(path(table))
        .where(col(Columns.RUN_DATE).equalTo(lit(java.sql.Date.valueOf(runDate))));
  }

  /**
   * Every date of the table at its latest committed version, pinned: the run's own writes later on do not change what
   * it reads. After repair_tables (and under the lease) that version holds exactly the published nights.
   */
  public Dataset<Row> readLatest(TableSpec table) {
    return spark.read().format("delta").option("versionAsOf", latestVersion(table)).load(path(table));
  }

  public Dataset<Row> read(TableSpec table) {
    return spark.read().format("delta").load(path(table));
  }

  /** The tables whose changes downstream tools sync (Delta's change data feed is on from their creation). */
  static final java.util.Set<String> WITH_CHANGE_FEED = java.util.Set.of(TableCatalog.CUSTOMER_SEGMENTS.name());

  /**
   * Creates the table as the catalog declares it (column and table comments, partitioning, the change data feed where
   * wanted) when it does not exist yet, otherwise upgrades its schema ({@link #upgradeSchema}).
   */
  void createOrUpgrade(TableSpec table) {
    if (exists(table)) {
      upgradeSchema(table);
      return;
    }
    io.delta.tables.DeltaTableBuilder builder = DeltaTable.createIfNotExists(spark).location(qualifiedPath(table))
        .addColumns(table.schemaWithComments()).comment(table.comment());
    if (table.partitionedByRunDate()) {
      builder = builder.partitionedBy(Columns.RUN_DATE);
    }
    if (WITH_CHANGE_FEED.contains(table.name())) {
      builder = builder.property("delta.enableChangeDataFeed", "true");
    }
    try {
      builder.execute();
    } catch (RuntimeException e) {
      if (!exists(table)) {
        throw e;
      }
      // another run created it at the same moment: the same declaration, so go on with its table
      upgradeSchema(table);
    }
  }

  /**
   * Adds the declared columns (and struct fields) an existing table lacks; refuses a table with columns the catalog
   * does not know, and a struct field whose stored type differs from the declared one.
   */
  void upgradeSchema(TableSpec table) {
    if (!exists(table)) {
      return;
    }
    StructType stored = read(table).schema();
    List<String> undeclared = Arrays.stream(stored.fieldNames())
        .filter(name -> !table.knownColumnNames().contains(name)).toList();
    if (!undeclared.isEmpty()) {
      throw new IllegalStateException("Cannot publish " + table.name() + ": the table at " + path(table)
          + " has columns this version of the job does not know " + undeclared + " (written by a newer version?)");
    }
    List<String> added = new ArrayList<>();
    List<String> conflicts = new ArrayList<>();
    for (TableSpec.Column c : table.columns()) {
      Optional<StructField> current = Arrays.stream(stored.fields()).filter(f -> f.name().equals(c.name())).findFirst();
      if (current.isEmpty()) {
        added.add("`" + c.name() + "` " + c.type().sql() + " COMMENT '" + c.comment().replace("'", "\\'") + "'");
      } else if (c.type() instanceof StructType declared && current.get().dataType() instanceof StructType had) {
        // a struct of configured fields (profile_attributes): new fields are added, dropped ones stay (NULL from now)
        for (StructField field : declared.fields()) {
          Optional<StructField> was = Arrays.stream(had.fields()).filter(f -> f.name().equals(field.name()))
              .findFirst();
          if (was.isEmpty()) {
            added.add("`" + c.name() + "`.`" + field.name() + "` " + field.dataType().sql());
          } else if (!was.get().dataType().catalogString().equals(field.dataType().catalogString())) {
            conflicts.add(c.name() + "." + field.name() + " is stored as " + was.get().dataType().simpleString()
                + " and now declared " + field.dataType().simpleString());
          }
        }
      }
    }
    if (!conflicts.isEmpty()) {
      throw new ConfigurationException("Cannot publish " + table.name() + " at " + path(table) + ": "
          + String.join("; ", conflicts) + ". Keep the stored type, or declare the attribute under a new name "
          + "(older nights keep the old one)");
    }
    if (!added.isEmpty()) {
      spark.sql("ALTER TABLE delta.`" + qualifiedPath(table) + "` ADD COLUMNS (" + String.join(", ", added) + ")");
    }
  }

  /**
   * The table's location with its file system's scheme: the table builder and {@code delta.`path`} in SQL take a
   * location as a table identifier, where a relative path (the embedded default, "lakehouse/...") is not found.
   */
  public String qualifiedPath(TableSpec table) {
    Path location = new Path(path(table));
    try {
      return location.getFileSystem(spark.sessionState().newHadoopConf()).makeQualified(location).toString();
    } catch (IOException e) {
      throw new IllegalStateException("Cannot resolve " + location + ": " + e.getMessage(), e);
    }
  }

  /** The rows in the catalog's column order, after checking their columns and types against it. */
  private static Dataset<Row> conforming(TableSpec table, Dataset<Row> rows) {
    List<String> problems = table.differencesFrom(rows.schema());
    if (!problems.isEmpty()) {
      throw new IllegalStateException("Cannot publish " + table.name() + ": its rows differ from the declaration in "
          + "TableCatalog: " + String.join("; ", problems));
    }
    return rows.select(table.columnNames().stream().map(name -> col("`" + name + "`"))
        .toArray(org.apache.spark.sql.Column[]::new));
  }

  /** The table's Delta log folder (the Delta protocol's {@code _delta_log}). */
  private Path logOf(TableSpec table) {
    return new Path(path(table), "_delta_log");
  }

  /** How far back from the latest version the publisher looks for its own commit (other runs may commit meanwhile). */
  private static final int OWN_COMMIT_LOOK_BACK = 20;

  /**
   * The commit of {@code runId} among the table's latest {@value #OWN_COMMIT_LOOK_BACK} versions, read from the
   * commitInfo line of each {@code _delta_log/<version>.json} (the Delta protocol's commit files) newest first. This is
   * what {@code DeltaTable.history()} reports, without planning and running a query over the log for every write of
   * every night (0.1 to 3 s a table on a small night). Package-private for its test.
   */
  Commit committedBy(TableSpec table, String runId) {
    long latest = latestVersion(table);
    Path log = logOf(table);
    try {
      FileSystem fs = log.getFileSystem(spark.sessionState().newHadoopConf());
      for (long version = latest; version >= Math.max(0, latest - OWN_COMMIT_LOOK_BACK + 1); version--) {
        Optional<JsonNode> info = commitInfo(fs, new Path(log, String.format("%020d.json", version)));
        if (info.isPresent() && runId.equals(info.get().path("userMetadata").asText(null))) {
          return new Commit(version, info.get().path("operationMetrics").path("numOutputRows").asLong(0));
        }
      }
    } catch (IOException e) {
      throw new IllegalStateException("Cannot read the commits of " + table.name() + " under " + log + ": "
          + e.getMessage(), e);
    }
    // Delta skips the commit of a write that changes nothing (an empty run date replaced by nothing): the latest
    // version then already holds this run's (empty) rows for the date.
    return new Commit(latest, 0);
  }

  private static final ObjectMapper JSON = new ObjectMapper();

  /** The commitInfo action of one commit file; empty when the file is gone (log clean-up) or has none. */
  private static Optional<JsonNode> commitInfo(FileSystem fs, Path commitFile) throws IOException {
    try (BufferedReader lines = new BufferedReader(new InputStreamReader(fs.open(commitFile), StandardCharsets.UTF_8))) {
      for (String line = lines.readLine(); line != null; line = lines.readLine()) {
        JsonNode info = JSON.readTree(line).get("commitInfo");
        if (info != null) {
          return Optional.of(info);
        }
      }
      return Optional.empty();
    } catch (FileNotFoundException e) {
      return Optional.empty();
    }
  }
}
