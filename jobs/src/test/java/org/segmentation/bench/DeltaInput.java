package org.segmentation.bench;

import org.apache.spark.sql.SparkSession;

/**
 * Writes purchase lines into a Delta input with its change data feed on, as an incremental night needs
 * (scripts/bench-incremental.sh): {@code DeltaInput --from DIR --to DIR [--append true]}. The lines are read as
 * Parquet; a new table is created with {@code delta.enableChangeDataFeed = true}, and {@code --append true} adds them
 * to an existing one (one Delta commit: what a loader does with a day's lines).
 */
public final class DeltaInput {
  private DeltaInput() {}

  public static void main(String[] args) {
    BenchArgs in = BenchArgs.parse(args);
    boolean append = Boolean.parseBoolean(in.values().getOrDefault("append", "false"));
    SparkSession spark = BenchSpark.start("delta-input", true);
    try {
      spark.conf().set("spark.databricks.delta.properties.defaults.enableChangeDataFeed", "true");
      spark.read().parquet(in.get("from")).write().format("delta").mode(append ? "append" : "errorifexists")
          .save(in.get("to"));
    } finally {
      spark.stop();
    }
  }
}
