package org.segmentation.bench;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.count;
import static org.apache.spark.sql.functions.count_distinct;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.max;
import static org.apache.spark.sql.functions.min;
import static org.apache.spark.sql.functions.min_by;
import static org.apache.spark.sql.functions.sum;
import static org.apache.spark.sql.functions.to_date;
import static org.apache.spark.sql.functions.when;

import java.io.File;
import java.util.Map;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.segmentation.config.JobSettings;
import org.segmentation.features.CustomerFeatures;
import org.segmentation.rfm.RfmAggregation;

/**
 * Where the job path's features step spends its time, and what other plans of the same aggregation would cost: each
 * named variant over the benchmark's Parquet purchases (no validation, no cache), written to Spark's {@code noop} sink
 * (every column computed, nothing stored), in one JVM one after the other, with the job's configuration and session.
 * Name a variant twice to see it warm. Variants:
 * <ul>
 *   <li>{@code scan}: every column of every line read;</li>
 *   <li>{@code features}: the features as the job computes them from lines (RFM, behaviour, distinct categories);</li>
 *   <li>{@code rfm}: the RFM aggregation alone (order, day and customer levels after one exchange by customer);</li>
 *   <li>{@code exchange}: the lines' one exchange by customer and a sum per customer (the shuffle alone);</li>
 *   <li>{@code categories}: distinct categories per customer alone;</li>
 *   <li>{@code partial}: the three RFM levels with Spark's own exchanges (partial aggregation before each);</li>
 *   <li>{@code partial-then-customer}: orders aggregated with their exchange, then one exchange by customer.</li>
 * </ul>
 * {@code java ... org.segmentation.bench.AggregationVariants --config JOB_CONF --purchases PARQUET
 * --run-date YYYY-MM-DD --variants scan,features,features}; prints {@code variant=... seconds=...}.
 */
public final class AggregationVariants {
  private AggregationVariants() {}

  public static void main(String[] args) {
    BenchArgs in = BenchArgs.parse(args);
    JobSettings settings = JobSettings.load(new File(in.get("config")),
        Map.of("segments.inputs.profiles.enabled", "false"));
    SparkSession spark = org.segmentation.io.SparkSessions.start(settings);
    try {
      Dataset<Row> lines = spark.read().parquet(in.get("purchases"));
      for (String variant : in.get("variants").split(",")) {
        long started = System.nanoTime();
        variant(variant, lines, settings, in).write().format("noop").mode("overwrite").save();
        System.out.printf("variant=%s seconds=%.1f%n", variant, (System.nanoTime() - started) / 1e9);
      }
    } finally {
      spark.stop();
    }
  }

  private static Dataset<Row> variant(String name, Dataset<Row> lines, JobSettings settings, BenchArgs in) {
    return switch (name) {
      case "scan" -> lines;
      case "features" -> CustomerFeatures.of(settings, in.runDate()).apply(lines, null);
      case "rfm" -> new RfmAggregation(settings.rfm(), in.runDate()).apply(lines);
      case "exchange" -> lines.repartition(col("customer_id")).groupBy(col("customer_id")).agg(sum("amount"));
      case "categories" -> lines.groupBy(col("customer_id")).agg(count_distinct(col("product_category")));
      case "partial" -> levels(lines, in, false);
      case "partial-then-customer" -> levels(lines, in, true);
      default -> throw new IllegalArgumentException("unknown variant " + name);
    };
  }

  /** The RFM levels (orders, days, customers) planned by Spark's own exchanges, as the naive plan does. */
  private static Dataset<Row> levels(Dataset<Row> lines, BenchArgs in, boolean oneExchangeAfterOrders) {
    Column day = to_date(col("order_ts"));
    Dataset<Row> orders = lines.where(day.leq(lit(java.sql.Date.valueOf(in.runDate()))))
        .groupBy(col("customer_id"), col("order_id"))
        .agg(sum("amount").as("order_net"), min(day).as("order_date"));
    if (oneExchangeAfterOrders) {
      orders = orders.repartition(col("customer_id"));
    }
    Column counted = col("order_net").gt(0);
    Dataset<Row> days = orders.groupBy(col("customer_id"), col("order_date")).agg(sum("order_net").as("order_net"),
        count(when(counted, lit(1))).as("counted_orders"), sum(when(counted, col("order_net"))).as("day_value"));
    Column purchaseDay = when(col("counted_orders").gt(0), col("order_date"));
    return days.groupBy(col("customer_id")).agg(min(purchaseDay).as("first_purchase_date"),
        max(purchaseDay).as("last_purchase_date"), sum("counted_orders").as("frequency"),
        sum("order_net").as("net_revenue"), count(purchaseDay).as("purchase_days"), sum("day_value").as("day_value"),
        min_by(col("day_value"), purchaseDay).as("first_day_value"));
  }
}
