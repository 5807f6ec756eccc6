package org.segmentation.io;

import io.delta.tables.DeltaTable;
import org.apache.spark.sql.AnalysisException;
import org.apache.spark.sql.DataFrameReader;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
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

  /** An input as read: its rows in the user's schema and, for Delta, the table version read. */
  public record RawInput(SourceSettings source, Dataset<Row> rows, String version) {}

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
    } catch (Exception e) { // Spark's AnalysisException is checked in Java's eyes but thrown undeclared
      if (e instanceof AnalysisException) {
        throw new DataQualityException("Cannot read " + source.name() + " (" + source.format().sparkFormat()
            + " at " + source.location() + "): " + Messages.firstLine(e.getMessage()));
      }
      throw e instanceof RuntimeException runtime ? runtime : new IllegalStateException(e);
    }
  }
}
