package org.segmentation.stage;

import static org.apache.spark.sql.functions.coalesce;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.count;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.sum;
import static org.segmentation.schema.Columns.CUSTOMER_ID;
import static org.segmentation.schema.Columns.NET_REVENUE;
import static org.segmentation.schema.Columns.RFM_SEGMENT;
import static org.segmentation.schema.Columns.RUN_DATE;

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

  /** @param previous the previous run's customer_segments rows, or NULL when there is none */
  public Dataset<Row> apply(Dataset<Row> current, Dataset<Row> previous) {
    Dataset<Row> now = current.select(col(CUSTOMER_ID).as("id_now"), col(RFM_SEGMENT).as("to_segment"),
        col(NET_REVENUE).as("revenue_now"));
    Dataset<Row> moves;
    if (previous == null) {
      moves = now.select(lit(NEW).as("from_segment"), col("to_segment"), col("revenue_now").as("revenue"));
    } else {
      Dataset<Row> before = previous.select(col(CUSTOMER_ID).as("id_before"),
          col(RFM_SEGMENT).as("from_segment"), col(NET_REVENUE).as("revenue_before"));
      moves = before.join(now, before.col("id_before").equalTo(now.col("id_now")), "full_outer").select(
          coalesce(col("from_segment"), lit(NEW)).as("from_segment"),
          coalesce(col("to_segment"), lit(GONE)).as("to_segment"),
          coalesce(col("revenue_now"), col("revenue_before")).as("revenue"));
    }
    return moves.groupBy(col("from_segment"), col("to_segment"))
        .agg(count(lit(1)).as("customers"), sum(col("revenue")).as("revenue"))
        .select(
            lit(java.sql.Date.valueOf(runDate)).as(RUN_DATE),
            (previousRunDate == null ? lit(null).cast(DataTypes.DateType)
                : lit(java.sql.Date.valueOf(previousRunDate))).as("previous_run_date"),
            col("from_segment"), col("to_segment"), col("customers"), col("revenue"));
  }
}
