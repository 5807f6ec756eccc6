package org.segmentation.audiences;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.when;

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

  /** @param rows the {@link AudienceMembers} rows: members tonight or the night before */
  public Dataset<Row> apply(Dataset<Row> rows) {
    Column previousDate = previousRunDate == null ? lit(null).cast(DataTypes.DateType)
        : lit(java.sql.Date.valueOf(previousRunDate));
    return rows.where(col(AudienceMembers.MEMBER).notEqual(col(AudienceMembers.WAS_MEMBER)))
        .select(lit(java.sql.Date.valueOf(runDate)).as(Columns.RUN_DATE), previousDate.as(Columns.PREVIOUS_RUN_DATE),
            col(Columns.AUDIENCE), col(Columns.CUSTOMER_ID),
            when(col(AudienceMembers.MEMBER), lit(ADDED)).otherwise(lit(REMOVED)).as(Columns.CHANGE),
            col(Columns.ARM));
  }
}
