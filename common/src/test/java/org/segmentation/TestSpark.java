package org.segmentation;

import java.util.List;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.StructType;
import org.segmentation.io.SparkSessions;

/**
 * The one local SparkSession of a test JVM: local[2], two shuffle partitions, no UI, UTC, Delta configured, ANSI off
 * as in the job. A test that runs the job's main (which stops Spark at the end) gets a new session next time.
 */
public final class TestSpark {
  private static SparkSession spark;

  private TestSpark() {}

  public static synchronized SparkSession get() {
    if (spark == null || spark.sparkContext().isStopped()) {
      spark = SparkSessions.withDelta(SparkSession.builder())
          .master("local[2]")
          .appName("segmentation-tests")
          .config("spark.sql.shuffle.partitions", "2")
          .config("spark.default.parallelism", "2")
          .config("spark.ui.enabled", "false")
          .config("spark.ui.showConsoleProgress", "false")
          .config("spark.sql.session.timeZone", "UTC")
          .config("spark.sql.ansi.enabled", "false")
          .config("spark.databricks.delta.snapshotPartitions", "2")
          .getOrCreate();
    }
    return spark;
  }

  /**
   * VACUUM of the Delta table at {@code location} keeping no old file (Delta's retention check off for the statement),
   * written to the table's history or not ({@code spark.databricks.delta.vacuum.logging.enabled}: Delta logs it only
   * on storages it recognises); the listing in two tasks, not Spark's 10,000 ({@code jobs.MaintainTables} does the
   * same).
   */
  public static void vacuumKeepingNothing(String location, boolean logged) {
    SparkSession session = get();
    List<String> settings = List.of("spark.databricks.delta.retentionDurationCheck.enabled",
        "spark.databricks.delta.vacuum.logging.enabled", "spark.sql.sources.parallelPartitionDiscovery.parallelism");
    session.conf().set(settings.get(0), "false");
    session.conf().set(settings.get(1), Boolean.toString(logged));
    session.conf().set(settings.get(2), "2");
    try {
      session.sql("VACUUM delta.`" + location + "` RETAIN 0 HOURS");
    } finally {
      settings.forEach(session.conf()::unset);
    }
  }

  /** A small DataFrame from literal rows, e.g. {@code rows(schema, row("c1", 10), row("c2", 20))}. */
  public static Dataset<Row> rows(StructType schema, Row... rows) {
    return get().createDataFrame(List.of(rows), schema);
  }

  public static Row row(Object... values) {
    return RowFactory.create(values);
  }

  /** A timestamp literal in the session time zone (UTC): {@code ts("2026-06-01 10:00:00")}. */
  public static java.sql.Timestamp ts(String text) {
    return java.sql.Timestamp.valueOf(text);
  }

  /** An exact money amount: {@code money("19.99")}. */
  public static java.math.BigDecimal money(String text) {
    return new java.math.BigDecimal(text);
  }

  /** A date literal: {@code date("2026-06-01")}. */
  public static java.sql.Date date(String text) {
    return java.sql.Date.valueOf(text);
  }

  /** The physical plan Spark would run (Spark 4: the classic Dataset exposes its QueryExecution). */
  public static String plan(Dataset<?> dataset) {
    return ((org.apache.spark.sql.classic.Dataset<?>) dataset).queryExecution().executedPlan().toString();
  }
}
