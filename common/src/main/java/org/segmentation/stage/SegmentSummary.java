package org.segmentation.stage;

import static org.apache.spark.sql.functions.avg;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.count;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.percentile_approx;
import static org.apache.spark.sql.functions.sum;
import static org.apache.spark.sql.functions.when;
import static org.segmentation.schema.Columns.FREQUENCY;
import static org.segmentation.schema.Columns.MONETARY;
import static org.segmentation.schema.Columns.NET_REVENUE;
import static org.segmentation.schema.Columns.RECENCY_DAYS;
import static org.segmentation.schema.Columns.RFM_SEGMENT;
import static org.segmentation.schema.Columns.RUN_DATE;

import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;

/**
 * One row per RFM segment of a run: size, share of customers, revenue and share of revenue, mean and median of
 * recency, frequency and monetary value, and average order value (net revenue / counted orders). Medians are
 * {@code percentile_approx} with accuracy 10,000 (exact for segments up to that size; otherwise within 0.01 % of
 * rank), so no segment's values have to fit one task's memory.
 */
public record SegmentSummary() implements Stage {
  private static final int MEDIAN_ACCURACY = 10_000;

  @Override
  public Dataset<Row> apply(Dataset<Row> customerSegments) {
    Dataset<Row> perSegment = customerSegments
        .groupBy(col(RUN_DATE), col(RFM_SEGMENT))
        .agg(
            count(lit(1)).as("customers"),
            sum(col(NET_REVENUE)).as("revenue"),
            avg(col(RECENCY_DAYS)).as("mean_recency_days"),
            median(RECENCY_DAYS).as("median_recency_days"),
            avg(col(FREQUENCY)).as("mean_frequency"),
            median(FREQUENCY).as("median_frequency"),
            avg(col(MONETARY)).as("mean_monetary"),
            median(MONETARY).as("median_monetary"),
            sum(col(FREQUENCY)).as("orders"));
    // A one-row total, cross-joined: the share of a segment needs the whole base, and the base is one small row.
    Dataset<Row> totals = customerSegments.agg(
        count(lit(1)).as("all_customers"), sum(col(NET_REVENUE)).as("all_revenue"));
    return perSegment.crossJoin(totals).select(
        col(RUN_DATE), col(RFM_SEGMENT),
        col("customers"),
        col("customers").divide(col("all_customers")).as("share_of_customers"),
        col("revenue"),
        when(col("all_revenue").notEqual(0), col("revenue").divide(col("all_revenue")).cast("double"))
            .as("share_of_revenue"),
        col("mean_recency_days"), col("median_recency_days"),
        col("mean_frequency"), col("median_frequency"),
        col("mean_monetary").cast("double").as("mean_monetary"), col("median_monetary"),
        when(col("orders").gt(0), col("revenue").divide(col("orders")).cast("double")).as("average_order_value"));
  }

  private static Column median(String column) {
    return percentile_approx(col(column).cast("double"), lit(0.5), lit(MEDIAN_ACCURACY));
  }
}
