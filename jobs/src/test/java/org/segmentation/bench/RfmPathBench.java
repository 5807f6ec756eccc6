package org.segmentation.bench;

import static org.apache.spark.sql.functions.lit;

import java.io.File;
import java.util.Map;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SaveMode;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.storage.StorageLevel;
import org.segmentation.config.JobSettings;
import org.segmentation.run.SparkSessions;
import org.segmentation.rfm.RfmAggregation;
import org.segmentation.rfm.RfmScoring;

/**
 * Benchmark (b): the RFM path alone, as the job does it (the job's configuration and Spark session, RfmAggregation,
 * exact quantile cut points, scoring), from the Parquet purchases to a Delta table replaced per run date.
 * {@code --startup-only true} measures Spark's start-up.
 */
public final class RfmPathBench {
  private RfmPathBench() {}

  public static void main(String[] args) {
    BenchArgs in = BenchArgs.parse(args);
    JobSettings settings = JobSettings.load(new File(in.get("config")), Map.of());
    SparkSession spark = SparkSessions.start(settings);
    try {
      if (Boolean.parseBoolean(in.values().getOrDefault("startup-only", "false"))) {
        spark.range(1).count();
        return;
      }
      Dataset<Row> purchases = spark.read().parquet(in.get("purchases"));
      Dataset<Row> customers = new RfmAggregation(settings.rfm(), in.runDate()).apply(purchases)
          .persist(StorageLevel.MEMORY_AND_DISK());
      RfmScoring scoring = RfmScoring.fit(customers, settings.rfm());
      scoring.apply(customers)
          .withColumn("run_date", lit(java.sql.Date.valueOf(in.runDate())))
          .write().format("delta").mode(SaveMode.Overwrite).partitionBy("run_date")
          .option("replaceWhere", "run_date = DATE'" + in.runDate() + "'")
          .save(in.get("output"));
      customers.unpersist();
    } finally {
      spark.stop();
    }
  }
}
