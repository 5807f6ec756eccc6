package org.segmentation.io;

import java.util.Map;
import org.apache.spark.SparkConf;
import org.apache.spark.sql.SparkSession;
import org.segmentation.config.JobSettings;

/** Builds the job's SparkSession from the settings: the one place where Spark is wired. */
public final class SparkSessions {
  /** Delta Lake's SQL extension and catalog: every session of ours reads and writes Delta tables. */
  private static final Map<String, String> DELTA = Map.of(
      "spark.sql.extensions", "io.delta.sql.DeltaSparkSessionExtension",
      "spark.sql.catalog.spark_catalog", "org.apache.spark.sql.delta.catalog.DeltaCatalog");

  private SparkSessions() {}

  /** {@code builder} with Delta Lake wired in (the sample-data generator, tests and benchmarks use it too). */
  public static SparkSession.Builder withDelta(SparkSession.Builder builder) {
    DELTA.forEach(builder::config);
    return builder;
  }

  /**
   * Settings from the configuration apply only where spark-submit ({@code --conf}, {@code --master}) did not set a
   * value already, so a cluster operator can always override the file. The session time zone is the business time
   * zone: purchase days and run dates are counted in it.
   */
  public static SparkSession start(JobSettings settings) {
    SparkConf submitted = new SparkConf(); // holds the spark.* system properties that spark-submit set
    SparkSession.Builder builder = SparkSession.builder().appName(settings.appName());
    if (!settings.spark().master().isBlank() && !submitted.contains("spark.master")) {
      builder.master(settings.spark().master());
    }
    Map<String, String> conf = new java.util.LinkedHashMap<>(DELTA);
    conf.putAll(settings.spark().conf());
    for (Map.Entry<String, String> entry : conf.entrySet()) {
      if (!submitted.contains(entry.getKey())) {
        builder.config(entry.getKey(), entry.getValue());
      }
    }
    builder.config("spark.sql.session.timeZone", settings.timeZone().getId());
    SparkSession spark = builder.getOrCreate();
    // Spark lists more than 32 folders or files of an input (a folder's partitions, a Parquet folder's files read one
    // by one, a Delta table's folders for VACUUM) in a job of as many tasks, up to this many (its default: 10,000):
    // hundreds of empty tasks on a small lake. A few per core are plenty unless the configuration says otherwise.
    if (!submitted.contains(LISTING_PARALLELISM) && !conf.containsKey(LISTING_PARALLELISM)) {
      spark.conf().set(LISTING_PARALLELISM, Integer.toString(4 * spark.sparkContext().defaultParallelism()));
    }
    return spark;
  }

  private static final String LISTING_PARALLELISM = "spark.sql.sources.parallelPartitionDiscovery.parallelism";
}
