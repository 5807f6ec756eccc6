package org.segmentation.audiences;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.lit;

import java.time.LocalDate;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.types.DataTypes;
import org.segmentation.schema.Columns;

/**
 * Who joined and who left each audience since the previous published night (audience_changes): members tonight who
 * were not the night before are {@code added}, members of the night before who are not tonight {@code removed}. So
 * tonight = the night before + added - removed, per audience. Pure.
 *
 * @param previousRunDate the night compared with, or NULL when it had no audience_members (everyone is added)
 */
public record AudienceChanges(LocalDate runDate, LocalDate previousRunDate) {
  public static final String ADDED = "added";
  public static final String REMOVED = "removed";

  /**
   * @param members tonight's members (audience, customer_id, arm)
   * @param previous the previous night's members of the audiences configured tonight, or NULL
   */
  public Dataset<Row> apply(Dataset<Row> members, Dataset<Row> previous) {
    Dataset<Row> tonight = members.select(col(Columns.AUDIENCE), col(Columns.CUSTOMER_ID), col(Columns.ARM));
    Dataset<Row> changes = tonight.withColumn(Columns.CHANGE, lit(ADDED));
    if (previous != null) {
      Dataset<Row> before = previous.select(col(Columns.AUDIENCE), col(Columns.CUSTOMER_ID), col(Columns.ARM));
      String[] key = {Columns.AUDIENCE, Columns.CUSTOMER_ID};
      Dataset<Row> added = tonight.join(before, scala(key), "left_anti").withColumn(Columns.CHANGE, lit(ADDED));
      Dataset<Row> removed = before.join(tonight, scala(key), "left_anti").withColumn(Columns.CHANGE, lit(REMOVED));
      changes = added.unionByName(removed);
    }
    Column previousDate = previousRunDate == null ? lit(null).cast(DataTypes.DateType)
        : lit(java.sql.Date.valueOf(previousRunDate));
    return changes.select(lit(java.sql.Date.valueOf(runDate)).as(Columns.RUN_DATE),
        previousDate.as(Columns.PREVIOUS_RUN_DATE), col(Columns.AUDIENCE), col(Columns.CUSTOMER_ID),
        col(Columns.CHANGE), col(Columns.ARM));
  }

  private static scala.collection.immutable.Seq<String> scala(String... columns) {
    return scala.jdk.javaapi.CollectionConverters.asScala(java.util.List.of(columns)).toList();
  }
}
