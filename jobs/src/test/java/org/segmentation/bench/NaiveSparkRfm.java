package org.segmentation.bench;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.countDistinct;
import static org.apache.spark.sql.functions.datediff;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.max;
import static org.apache.spark.sql.functions.ntile;
import static org.apache.spark.sql.functions.sum;
import static org.apache.spark.sql.functions.to_date;
import static org.apache.spark.sql.functions.when;

import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SaveMode;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.expressions.Window;

/**
 * Benchmark (d): the same RFM written the naive way: an order-level aggregation, then {@code countDistinct}, and
 * quintiles with {@code ntile} over windows ordered over all customers (no partitioning: one task sorts everyone).
 * Same counting rules as the job (orders netting to zero or less are not purchases), so the sums can be compared.
 */
public final class NaiveSparkRfm {
  private NaiveSparkRfm() {}

  public static void main(String[] args) {
    BenchArgs in = BenchArgs.parse(args);
    String format = in.values().getOrDefault("format", "parquet");
    SparkSession spark = BenchSpark.start("bench-naive-rfm", format.equals("delta"));
    try {
      java.sql.Date asOf = java.sql.Date.valueOf(in.runDate());
      Dataset<Row> orders = spark.read().parquet(in.get("purchases"))
          .where(to_date(col("order_ts")).leq(lit(asOf)))
          .groupBy("customer_id", "order_id")
          .agg(sum("amount").as("net"), max(to_date(col("order_ts"))).as("day"));
      Dataset<Row> customers = orders.groupBy("customer_id").agg(
          datediff(lit(asOf), max(when(col("net").gt(0), col("day")))).as("recency_days"),
          countDistinct(when(col("net").gt(0), col("order_id"))).as("frequency"),
          sum("net").as("monetary"));
      customers
          .withColumn("r_score", ntile(5).over(Window.orderBy(col("recency_days").desc())))
          .withColumn("f_score", ntile(5).over(Window.orderBy(col("frequency"))))
          .withColumn("m_score", ntile(5).over(Window.orderBy(col("monetary"))))
          .write().mode(SaveMode.Overwrite).format(format).save(in.get("output"));
    } finally {
      spark.stop();
    }
  }
}
