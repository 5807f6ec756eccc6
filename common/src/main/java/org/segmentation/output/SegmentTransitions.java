package org.segmentation.output;

import static org.apache.spark.sql.functions.coalesce;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.count;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.sum;
import static org.segmentation.schema.Columns.CUSTOMERS;
import static org.segmentation.schema.Columns.CUSTOMER_ID;
import static org.segmentation.schema.Columns.FROM_SEGMENT;
import static org.segmentation.schema.Columns.NET_REVENUE;
import static org.segmentation.schema.Columns.PREVIOUS_RUN_DATE;
import static org.segmentation.schema.Columns.REVENUE;
import static org.segmentation.schema.Columns.RFM_SEGMENT;
import static org.segmentation.schema.Columns.RUN_DATE;
import static org.segmentation.schema.Columns.TO_SEGMENT;

import java.time.LocalDate;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.types.DataTypes;

/**
 * How customers moved between RFM segments from the previous published run date to this one: one row per
 * (from_segment, to_segment) with the number of customers and their revenue. Customers absent from the previous run
 * come from {@code "new"}; customers absent from this run go to {@code "gone"}. Revenue is the movers' net revenue in
 * this run (in the previous run for {@code gone}). Summed over all rows, customers = customers of either run;
 * summed over rows not from "new" it is the previous run's count, over rows not to "gone" this run's.
 */
public record SegmentTransitions(LocalDate runDate, LocalDate previousRunDate) {
  public static final String NEW = "new";
  public static final String GONE = "gone";
  // intermediate columns
  private static final String ID_NOW = "__id_now";
  private static final String ID_BEFORE = "__id_before";
  private static final String REVENUE_NOW = "__revenue_now";
  private static final String REVENUE_BEFORE = "__revenue_before";

  /** @param previous the previous run's customer_segments rows, or NULL when there is none */
  public Dataset<Row> apply(Dataset<Row> current, Dataset<Row> previous) {
    Dataset<Row> now = current.select(col(CUSTOMER_ID).as(ID_NOW), col(RFM_SEGMENT).as(TO_SEGMENT),
        col(NET_REVENUE).as(REVENUE_NOW));
    Dataset<Row> moves;
    if (previous == null) {
      moves = now.select(lit(NEW).as(FROM_SEGMENT), col(TO_SEGMENT), col(REVENUE_NOW).as(REVENUE));
    } else {
      Dataset<Row> before = previous.select(col(CUSTOMER_ID).as(ID_BEFORE),
          col(RFM_SEGMENT).as(FROM_SEGMENT), col(NET_REVENUE).as(REVENUE_BEFORE));
      moves = before.join(now, before.col(ID_BEFORE).equalTo(now.col(ID_NOW)), "full_outer").select(
          coalesce(col(FROM_SEGMENT), lit(NEW)).as(FROM_SEGMENT),
          coalesce(col(TO_SEGMENT), lit(GONE)).as(TO_SEGMENT),
          coalesce(col(REVENUE_NOW), col(REVENUE_BEFORE)).as(REVENUE));
    }
    return moves.groupBy(col(FROM_SEGMENT), col(TO_SEGMENT))
        .agg(count(lit(1)).as(CUSTOMERS), sum(col(REVENUE)).as(REVENUE))
        .select(
            lit(java.sql.Date.valueOf(runDate)).as(RUN_DATE),
            (previousRunDate == null ? lit(null).cast(DataTypes.DateType)
                : lit(java.sql.Date.valueOf(previousRunDate))).as(PREVIOUS_RUN_DATE),
            col(FROM_SEGMENT), col(TO_SEGMENT), col(CUSTOMERS), col(REVENUE));
  }
}
