package org.segmentation.output;

import static org.apache.spark.sql.functions.avg;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.count;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.percentile_approx;
import static org.apache.spark.sql.functions.sum;
import static org.apache.spark.sql.functions.when;
import static org.segmentation.schema.Columns.AVERAGE_ORDER_VALUE;
import static org.segmentation.schema.Columns.CUSTOMERS;
import static org.segmentation.schema.Columns.FREQUENCY;
import static org.segmentation.schema.Columns.MONETARY;
import static org.segmentation.schema.Columns.NET_REVENUE;
import static org.segmentation.schema.Columns.RECENCY_DAYS;
import static org.segmentation.schema.Columns.REVENUE;
import static org.segmentation.schema.Columns.RFM_SEGMENT;
import static org.segmentation.schema.Columns.RUN_DATE;
import static org.segmentation.schema.Columns.SHARE_OF_CUSTOMERS;
import static org.segmentation.schema.Columns.SHARE_OF_REVENUE;
import static org.segmentation.schema.Columns.meanOf;
import static org.segmentation.schema.Columns.medianOf;

import org.segmentation.pipeline.Stage;
import org.segmentation.schema.Columns;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;

/**
 * One row per RFM segment of a run: size, share of customers, revenue and share of revenue, mean and median of
 * recency, frequency and monetary value, average order value (net revenue / counted orders), and the mean
 * predicted lifetime value and P(alive) (NULL without a lifetime-value model). Medians are
 * {@code percentile_approx} with accuracy 10,000 (exact for segments up to that size; otherwise within 0.01 % of
 * rank), so no segment's values have to fit one task's memory.
 */
public record SegmentSummary() implements Stage {
  private static final int MEDIAN_ACCURACY = 10_000;
  // intermediate columns
  private static final String ORDERS = "__orders";
  private static final String ALL_CUSTOMERS = "__all_customers";
  private static final String ALL_REVENUE = "__all_revenue";

  @Override
  public Dataset<Row> apply(Dataset<Row> customerSegments) {
    Dataset<Row> perSegment = customerSegments
        .groupBy(col(RUN_DATE), col(RFM_SEGMENT))
        .agg(
            count(lit(1)).as(CUSTOMERS),
            sum(col(NET_REVENUE)).as(REVENUE),
            avg(col(RECENCY_DAYS)).as(meanOf(RECENCY_DAYS)),
            median(RECENCY_DAYS).as(medianOf(RECENCY_DAYS)),
            avg(col(FREQUENCY)).as(meanOf(FREQUENCY)),
            median(FREQUENCY).as(medianOf(FREQUENCY)),
            avg(col(MONETARY)).as(meanOf(MONETARY)),
            median(MONETARY).as(medianOf(MONETARY)),
            sum(col(FREQUENCY)).as(ORDERS),
            avg(col(Columns.PREDICTED_CLV)).as(meanOf(Columns.PREDICTED_CLV)),
            avg(col(Columns.P_ALIVE)).as(meanOf(Columns.P_ALIVE)));
    // A one-row total, cross-joined: the share of a segment needs the whole base, and the base is one small row.
    Dataset<Row> totals = customerSegments.agg(
        count(lit(1)).as(ALL_CUSTOMERS), sum(col(NET_REVENUE)).as(ALL_REVENUE));
    return perSegment.crossJoin(totals).select(
        col(RUN_DATE), col(RFM_SEGMENT),
        col(CUSTOMERS),
        col(CUSTOMERS).divide(col(ALL_CUSTOMERS)).as(SHARE_OF_CUSTOMERS),
        col(REVENUE),
        when(col(ALL_REVENUE).notEqual(0), col(REVENUE).divide(col(ALL_REVENUE)).cast("double"))
            .as(SHARE_OF_REVENUE),
        col(meanOf(RECENCY_DAYS)), col(medianOf(RECENCY_DAYS)),
        col(meanOf(FREQUENCY)), col(medianOf(FREQUENCY)),
        col(meanOf(MONETARY)).cast("double").as(meanOf(MONETARY)), col(medianOf(MONETARY)),
        when(col(ORDERS).gt(0), col(REVENUE).divide(col(ORDERS)).cast("double")).as(AVERAGE_ORDER_VALUE),
        col(meanOf(Columns.PREDICTED_CLV)), col(meanOf(Columns.P_ALIVE)));
  }

  private static Column median(String column) {
    return percentile_approx(col(column).cast("double"), lit(0.5), lit(MEDIAN_ACCURACY));
  }
}
