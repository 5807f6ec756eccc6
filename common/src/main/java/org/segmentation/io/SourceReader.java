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
