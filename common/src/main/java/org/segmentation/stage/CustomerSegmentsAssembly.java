package org.segmentation.stage;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.lit;
import static org.segmentation.schema.Columns.CUSTOMER_ID;
import static org.segmentation.schema.Columns.FIRST_PURCHASE_DATE;
import static org.segmentation.schema.Columns.FREQUENCY;
import static org.segmentation.schema.Columns.F_SCORE;
import static org.segmentation.schema.Columns.HAS_PROFILE;
import static org.segmentation.schema.Columns.LAST_PURCHASE_DATE;
import static org.segmentation.schema.Columns.MONETARY;
import static org.segmentation.schema.Columns.M_SCORE;
import static org.segmentation.schema.Columns.NET_REVENUE;
import static org.segmentation.schema.Columns.PREVIOUS_RFM_SEGMENT;
import static org.segmentation.schema.Columns.RECENCY_DAYS;
import static org.segmentation.schema.Columns.RFM_SCORE;
import static org.segmentation.schema.Columns.RFM_SEGMENT;
import static org.segmentation.schema.Columns.RUN_DATE;
import static org.segmentation.schema.Columns.R_SCORE;

import java.time.LocalDate;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.types.DataTypes;
import org.segmentation.schema.Columns;

/** The final columns of {@code customer_segments}: the run date, the previous night's segment, a fixed order. */
public record CustomerSegmentsAssembly(LocalDate runDate) {
  public static final String CLUSTER_NAME = "cluster_name";

  /**
   * Adds the previous run's segment and the run date, and fixes the output column order. {@code segmented} has the
   * RFM columns, the cluster columns (cluster_id, cluster_name, cluster_distance, cluster_probability) and
   * rule_segments.
   *
   * @param previous {@code (customer_id, rfm_segment)} of the previous published run date, or NULL for the first run
   */
  public Dataset<Row> finish(Dataset<Row> segmented, Dataset<Row> previous) {
    Dataset<Row> withPrevious;
    if (previous == null) {
      withPrevious = segmented.withColumn(PREVIOUS_RFM_SEGMENT, lit(null).cast(DataTypes.StringType));
    } else {
      Dataset<Row> before = previous.select(col(CUSTOMER_ID).as("__previous_id"),
          col(RFM_SEGMENT).as(PREVIOUS_RFM_SEGMENT));
      withPrevious = segmented.join(before, segmented.col(CUSTOMER_ID).equalTo(before.col("__previous_id")),
          "left_outer").drop("__previous_id");
    }
    return withPrevious.select(
        lit(java.sql.Date.valueOf(runDate)).as(RUN_DATE),
        col(CUSTOMER_ID), col(HAS_PROFILE),
        col(FIRST_PURCHASE_DATE), col(LAST_PURCHASE_DATE), col(RECENCY_DAYS), col(FREQUENCY), col(MONETARY),
        col(NET_REVENUE), col(R_SCORE), col(F_SCORE), col(M_SCORE),
        col(RFM_SCORE), col(RFM_SEGMENT), col(PREVIOUS_RFM_SEGMENT),
        col(SegmentClustering.CLUSTER_ID), col(CLUSTER_NAME), col(SegmentClustering.CLUSTER_DISTANCE),
        col(SegmentClustering.CLUSTER_PROBABILITY), col(RuleSegments.RULE_SEGMENTS));
  }
}
