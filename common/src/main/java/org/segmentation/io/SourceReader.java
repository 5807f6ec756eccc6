package org.segmentation.io;

import io.delta.tables.DeltaTable;
import java.util.List;
import java.util.Optional;
import org.apache.spark.sql.AnalysisException;
import org.apache.spark.sql.DataFrameReader;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.delta.DeltaFileNotFoundException;
import org.apache.spark.sql.functions;
import org.segmentation.config.SourceFormat;
import org.segmentation.config.SourceSettings;
import org.segmentation.run.DataQualityException;
import org.segmentation.run.Messages;

/**
 * Reads one configured input as it is (the user's own columns). Delta inputs are pinned to the version current at
 * read time, and that version is returned so {@code run_log} can record exactly what a run saw.
 */
public final class SourceReader {
  private SourceReader() {}

  /** The column of DESCRIBE DETAIL holding the table properties. */
  private static final String DETAIL_PROPERTIES_COLUMN = "properties";

  /** An input as read: its rows in the user's schema and, for Delta, the table version read. */
  public record RawInput(SourceSettings source, Dataset<Row> rows, String version) {}

  /**
   * What a Delta input's rows became after version {@code since}, up to its current version, from its change data
   * feed: the rows that arrived ({@code added}: inserted, or an update's new values) and those that went
   * ({@code removed}: deleted, or an update's old values), both in the input's own columns. An update is a row that
   * went and one that arrived.
   */
  public record Changes(RawInput added, RawInput removed) {}

  /** The change feed's own columns, dropped from the rows it gives. */
  private static final String CHANGE_TYPE = "_change_type";
  private static final String[] CHANGE_COLUMNS = {CHANGE_TYPE, "_commit_version", "_commit_timestamp"};

  /**
   * What the purchases input gained and lost since the night that recorded {@code since} in run_log: a Delta input's
   * changes since that version ({@link #readChanges(SparkSession, SourceSettings, long)}), or a folder's files added
   * since that mark ({@link #readNewFiles}).
   */
  public static Changes readChanges(SparkSession spark, SourceSettings source, String since) {
    return source.format() == SourceFormat.DELTA ? readChanges(spark, source, Long.parseLong(since))
        : readNewFiles(spark, source, InputFiles.Mark.parse(since).orElseThrow(() -> new IllegalArgumentException(
            "not a mark of " + source.name() + "'s files: " + since)));
  }

  /**
   * The rows of the files a folder input gained since {@code since} ({@link InputFiles#since}), read with the schema
   * of the whole input, and none that went (a file rewritten or deleted does not match the mark: PlanNight recomputes
   * in full). The version is the mark of every file listed now, what the next night compares with.
   */
  public static Changes readNewFiles(SparkSession spark, SourceSettings source, InputFiles.Mark since) {
    try {
      InputFiles all = InputFiles.list(spark.sessionState().newHadoopConf(), source.location());
      InputFiles added = all.since(since).orElseThrow(() -> new DataQualityException("The files of " + source.name()
          + " at " + source.location() + " changed while this night ran (a file the last night read was rewritten "
          + "or deleted): rerun the night"));
      Dataset<Row> whole = filesReader(spark, source, all).load(all.paths());
      String read = all.mark().toString();
      Dataset<Row> none = spark.createDataFrame(List.of(), whole.schema());
      Dataset<Row> rows = added.files().isEmpty() ? none
          : filesReader(spark, source, all).schema(whole.schema()).load(added.paths());
      return new Changes(new RawInput(source, rows, read), new RawInput(source, none, read));
    } catch (Exception e) {
      throw failure(source, e);
    }
  }

  /**
   * Whether the files of a folder input still hold, unchanged, those of the night that recorded {@code since}: empty
   * when they do, else why not. One listing, no data read.
   */
  public static Optional<String> whyFilesChanged(SparkSession spark, SourceSettings source, String since) {
    Optional<InputFiles.Mark> mark = InputFiles.Mark.parse(since);
    if (mark.isEmpty()) {
      return Optional.of("the last night recorded no mark of its files (" + since + ")");
    }
    InputFiles now = InputFiles.list(spark.sessionState().newHadoopConf(), source.location());
    return now.since(mark.get()).isPresent() ? Optional.empty()
        : Optional.of("of the " + mark.get().files() + " files the last night read, one or more were rewritten or "
            + "deleted, or a file was added with a time not after theirs (now " + now.files().size() + " files)");
  }

  /**
   * Whether a night can tell the files the input gained: a Parquet folder (or file) named without a glob, read
   * without options that choose files themselves.
   */
  public static boolean tracksNewFiles(SourceSettings source) {
    return source.format() == SourceFormat.PARQUET && InputFiles.listable(source.location())
        && source.options().keySet().stream().map(k -> k.toLowerCase(java.util.Locale.ROOT))
            .noneMatch(FILE_CHOOSING_OPTIONS::contains);
  }

  /** Reader options that choose which files are read: with them, the listing is Spark's to make. */
  private static final java.util.Set<String> FILE_CHOOSING_OPTIONS = java.util.Set.of("pathglobfilter",
      "recursivefilelookup", "modifiedbefore", "modifiedafter", "basepath");

  /** A reader of a listed folder's files: its partition folders read as columns, as a read of the folder does. */
  private static DataFrameReader filesReader(SparkSession spark, SourceSettings source, InputFiles files) {
    DataFrameReader reader = spark.read().format(source.format().sparkFormat()).options(source.options());
    return files.folder() ? reader.option("basePath", files.root()) : reader;
  }

  public static Changes readChanges(SparkSession spark, SourceSettings source, long since) {
    try {
      long version = DeltaTable.forPath(spark, source.location()).history(1).first().getLong(0);
      String read = Long.toString(version);
      if (version == since) { // nothing committed since: no row arrived, none went
        Dataset<Row> none = spark.read().format("delta").options(source.options()).option("versionAsOf", version)
            .load(source.location()).where("false");
        return new Changes(new RawInput(source, none, read), new RawInput(source, none, read));
      }
      Dataset<Row> changes = spark.read().format("delta").options(source.options())
          .option("readChangeFeed", "true").option("startingVersion", since + 1).option("endingVersion", version)
          .load(source.location());
      Dataset<Row> added = changes.where(functions.col(CHANGE_TYPE).isin("insert", "update_postimage"))
          .drop(CHANGE_COLUMNS);
      Dataset<Row> removed = changes.where(functions.col(CHANGE_TYPE).isin("delete", "update_preimage"))
          .drop(CHANGE_COLUMNS);
      return new Changes(new RawInput(source, added, read), new RawInput(source, removed, read));
    } catch (Exception e) {
      throw failure(source, e);
    }
  }

  /** The operations of a Delta table's history that delete files a change feed may still need. */
  private static final List<String> FILE_REMOVING_OPERATIONS = List.of("VACUUM START", "VACUUM END");

  /**
   * Why a Delta input's changes since version {@code since} can no longer be read, or empty when they can. Delta keeps
   * a table's changes only as long as it keeps their commits (the log, {@code delta.logRetentionDuration}) and the
   * files those commits added ({@code VACUUM} deletes the ones no longer in the table, the change feed's own
   * {@code _change_data} files included). Two cheap checks, no data read: Delta resolves the change feed from
   * {@code since + 1} (it fails when the log no longer has those commits), and no commit since is a VACUUM (which may
   * have deleted a file the changes name; a VACUUM run with {@code spark.databricks.delta.vacuum.logging.enabled =
   * false} leaves no trace, and the night then fails reading the file: run it with {@code --full}).
   */
  public static Optional<String> whyChangesNotKept(SparkSession spark, SourceSettings source, long since) {
    try {
      DeltaTable table = DeltaTable.forPath(spark, source.location());
      long version = table.history(1).first().getLong(0);
      if (version == since) {
        return Optional.empty();
      }
      try {
        spark.read().format("delta").options(source.options()).option("readChangeFeed", "true")
            .option("startingVersion", since + 1).option("endingVersion", version).load(source.location()).schema();
      } catch (Exception e) { // Scala's exceptions are unchecked; Java sees this one as a checked FileNotFoundException
        if (e instanceof DeltaFileNotFoundException) {
          return Optional.of("the log no longer has version " + (since + 1) + ": "
              + Messages.firstLine(e.getMessage()));
        }
        throw e;
      }
      List<Row> vacuums = table.history((int) Math.min(Integer.MAX_VALUE, version - since))
          .where(functions.col("version").gt(since).and(functions.col("operation").isin(
              FILE_REMOVING_OPERATIONS.toArray())))
          .select("version", "operation").orderBy("version").collectAsList();
      if (!vacuums.isEmpty()) {
        return Optional.of(vacuums.get(0).getString(1) + " at version " + vacuums.get(0).getLong(0) + " after "
            + since + " may have deleted files of the changes");
      }
      return Optional.empty();
    } catch (Exception e) {
      throw failure(source, e);
    }
  }

  /** Whether a Delta input records its changes ({@code delta.enableChangeDataFeed = true}). */
  public static boolean hasChangeFeed(SparkSession spark, SourceSettings source) {
    try {
      Dataset<Row> detail = DeltaTable.forPath(spark, source.location()).detail();
      java.util.Map<String, String> properties = detail.first().getJavaMap(detail.schema().fieldIndex(DETAIL_PROPERTIES_COLUMN));
      return "true".equalsIgnoreCase(properties.get("delta.enableChangeDataFeed"));
    } catch (Exception e) {
      throw failure(source, e);
    }
  }

  public static RawInput read(SparkSession spark, SourceSettings source) {
    try {
      if (source.format() == SourceFormat.TABLE) {
        return new RawInput(source, spark.table(source.location()), "");
      }
      DataFrameReader reader = spark.read().format(source.format().sparkFormat()).options(source.options());
      if (source.format() == SourceFormat.DELTA) {
        long version = DeltaTable.forPath(spark, source.location()).history(1).first().getLong(0);
        return new RawInput(source, reader.option("versionAsOf", version).load(source.location()),
            Long.toString(version));
      }
      if (tracksNewFiles(source)) { // exactly the files listed, whose mark tells the next night what is new
        InputFiles files = InputFiles.list(spark.sessionState().newHadoopConf(), source.location());
        if (!files.files().isEmpty()) {
          return new RawInput(source, filesReader(spark, source, files).load(files.paths()),
              files.mark().toString());
        }
      }
      return new RawInput(source, reader.load(source.location()), "");
    } catch (Exception e) {
      throw failure(source, e);
    }
  }

  /** An input that cannot be read is a data-quality failure (exit 3); anything else is rethrown as it is. */
  private static RuntimeException failure(SourceSettings source, Exception e) {
    // Spark's AnalysisException is checked in Java's eyes but thrown undeclared
    if (e instanceof AnalysisException) {
      return new DataQualityException("Cannot read " + source.name() + " (" + source.format().sparkFormat()
          + " at " + source.location() + "): " + Messages.firstLine(e.getMessage()));
    }
    return e instanceof RuntimeException runtime ? runtime : new IllegalStateException(e);
  }
}
