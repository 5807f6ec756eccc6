package org.segmentation.output;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.lit;
import static org.segmentation.schema.Columns.CUSTOMER_ID;
import static org.segmentation.schema.Columns.PREVIOUS_RFM_SEGMENT;
import static org.segmentation.schema.Columns.RFM_SEGMENT;
import static org.segmentation.schema.Columns.RUN_DATE;

import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.types.DataTypes;
import org.segmentation.io.TableCatalog;

/**
 * The final columns of {@code customer_segments}: the run date, the previous night's segment, and the column order of
 * {@link TableCatalog#CUSTOMER_SEGMENTS}. Pure.
 */
public record CustomerSegmentsAssembly(LocalDate runDate) {

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
    List<Column> output = new ArrayList<>();
    for (String column : TableCatalog.CUSTOMER_SEGMENTS.columnNames()) {
      output.add(column.equals(RUN_DATE) ? lit(java.sql.Date.valueOf(runDate)).as(RUN_DATE) : col(column));
    }
    return withPrevious.select(output.toArray(Column[]::new));
  }
}
