package org.segmentation.experiments;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.min;
import static org.apache.spark.sql.functions.to_date;

import java.time.LocalDate;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.StructType;
import org.segmentation.run.ConfigurationException;
import org.segmentation.schema.BreakdownCells;
import org.segmentation.schema.Columns;

/**
 * The customer_segments columns that experiments run elsewhere are broken down by, as each member stood on the
 * published night on or before the experiment's start (the date of its first assignment, in the session's time zone):
 * the segment at assignment, never one the experiment may since have moved the customer into. A member the night does
 * not hold (not yet a customer then), and every member of an experiment that started before the lake's first
 * published night, falls in the cell {@value BreakdownCells#UNKNOWN}.
 *
 * @param columns customer_segments columns (a profile attribute as {@code profile_attributes.<name>}); each becomes a
 *     column of that very name beside the assignment, as {@link ExperimentSums} reads its breakdowns
 * @param key the settings key that names them, for the errors
 */
public record SegmentsAtStart(List<String> columns, String key) {

  public SegmentsAtStart {
    columns = List.copyOf(columns);
  }

  /** Each experiment's start date: one row per experiment to the driver. */
  public static Map<String, LocalDate> collectStartDates(Dataset<Row> assignments) {
    Map<String, LocalDate> starts = new LinkedHashMap<>();
    for (Row row : assignments.groupBy(col(Columns.EXPERIMENT))
        .agg(min(to_date(col(Columns.ASSIGNED_TS))).as("start")).orderBy(col(Columns.EXPERIMENT))
        .collectAsList()) {
      starts.put(row.getString(0), row.getDate(1).toLocalDate());
    }
    return starts;
  }

  /**
   * Every column must be one of the table's, as the lake holds it (the profile attributes are the ones its nights
   * were configured with).
   *
   * @throws ConfigurationException naming the columns that are not, and the table's
   */
  public void check(StructType customerSegments) {
    List<String> unknown = columns.stream().filter(c -> typeOf(customerSegments, c) == null).toList();
    if (!unknown.isEmpty()) {
      List<String> known = new ArrayList<>();
      for (var field : customerSegments.fields()) {
        if (field.dataType() instanceof StructType struct) {
          for (String name : struct.fieldNames()) {
            known.add(field.name() + "." + name);
          }
        } else {
          known.add(field.name());
        }
      }
      throw new ConfigurationException(key + ": " + unknown + " are not columns of the lake's customer_segments ("
          + known + ")");
    }
  }

  private static DataType typeOf(StructType schema, String column) {
    String[] parts = column.split("\\.", 2);
    if (!List.of(schema.fieldNames()).contains(parts[0])) {
      return null;
    }
    DataType type = schema.apply(parts[0]).dataType();
    if (parts.length == 1) {
      return type;
    }
    return type instanceof StructType struct ? typeOf(struct, parts[1]) : null;
  }

  /** One night's customer_segments rows as the columns of one experiment's members. */
  public Dataset<Row> ofNight(String experiment, Dataset<Row> customerSegments) {
    List<Column> select = new ArrayList<>(List.of(lit(experiment).as(Columns.EXPERIMENT), col(Columns.CUSTOMER_ID)));
    columns.forEach(c -> select.add(col(c).cast("string").as(c)));
    return customerSegments.select(select.toArray(Column[]::new));
  }

  /** The assignments with the columns beside them, from {@code nights} ({@link #ofNight}, one per experiment). */
  public Dataset<Row> apply(Dataset<Row> assignments, List<Dataset<Row>> nights) {
    if (nights.isEmpty()) {
      Dataset<Row> unknown = assignments;
      for (String column : columns) {
        unknown = unknown.withColumn(column, lit(null).cast("string"));
      }
      return unknown;
    }
    Dataset<Row> segments = nights.get(0);
    for (Dataset<Row> night : nights.subList(1, nights.size())) {
      segments = segments.unionByName(night);
    }
    return assignments.join(segments, scala.jdk.javaapi.CollectionConverters.asScala(
        List.of(Columns.EXPERIMENT, Columns.CUSTOMER_ID)).toSeq(), "left");
  }
}
