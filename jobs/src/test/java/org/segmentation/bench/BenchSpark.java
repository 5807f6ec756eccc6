package org.segmentation.bench;

import org.apache.spark.sql.SparkSession;
import org.segmentation.io.SparkSessions;

/** The SparkSession of the Spark benchmark programs: local[2], as the nightly job's local runs. */
final class BenchSpark {
  private BenchSpark() {}

  static SparkSession start(String name, boolean delta) {
    SparkSession.Builder builder = SparkSession.builder().master("local[2]").appName(name)
        .config("spark.ui.enabled", "false")
        .config("spark.sql.session.timeZone", "UTC")
        .config("spark.sql.shuffle.partitions", System.getProperty("bench.shufflePartitions", "8"))
        .config("spark.serializer", "org.apache.spark.serializer.KryoSerializer");
    if (delta) {
      SparkSessions.withDelta(builder).config("spark.databricks.delta.optimizeWrite.enabled", "true");
    }
    return builder.getOrCreate();
  }
}
