package org.segmentation.output;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.struct;
import static org.segmentation.schema.Columns.CUSTOMER_ID;
import static org.segmentation.schema.Columns.PREVIOUS_RFM_SEGMENT;
import static org.segmentation.schema.Columns.PROFILE_ATTRIBUTES;
import static org.segmentation.schema.Columns.RFM_SEGMENT;
import static org.segmentation.schema.Columns.RUN_DATE;

import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.segmentation.io.TableCatalog;
import org.segmentation.io.TableSpec;

/**
 * The final columns of {@code customer_segments}: the run date, the previous night's segment, the declared profile
 * attributes gathered in one struct, and the column order of the table. Pure.
 *
 * @param table customer_segments as this run writes it ({@link TableCatalog#customerSegments})
 */
public record CustomerSegmentsAssembly(LocalDate runDate, TableSpec table) {

  /** Without profile attributes. */
  public CustomerSegmentsAssembly(LocalDate runDate) {
    this(runDate, TableCatalog.CUSTOMER_SEGMENTS);
  }

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
    for (TableSpec.Column column : table.columns()) {
      if (column.name().equals(RUN_DATE)) {
        output.add(lit(java.sql.Date.valueOf(runDate)).as(RUN_DATE));
      } else if (column.name().equals(PROFILE_ATTRIBUTES)) {
        // the attributes are features of their own name until here
        output.add(struct(Arrays.stream(((StructType) column.type()).fieldNames()).map(f -> col("`" + f + "`"))
            .toArray(Column[]::new)).as(PROFILE_ATTRIBUTES));
      } else {
        output.add(col(column.name()));
      }
    }
    return withPrevious.select(output.toArray(Column[]::new));
  }
}
