package org.segmentation.stage;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.count;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.size;
import static org.apache.spark.sql.functions.sum;
import static org.apache.spark.sql.functions.when;
import static org.segmentation.schema.Columns.QUARANTINE_REASONS;
import static org.segmentation.schema.Columns.SOURCE_ROW;

import java.time.LocalDate;
import java.util.List;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.segmentation.schema.CanonicalColumn;
import org.segmentation.schema.Columns;

/**
 * An input after validation: every row read, each with its (possibly empty) quarantine reasons. Splits into the
 * accepted rows (canonical columns only) and the quarantine rows; both come from the same rows, so
 * read = accepted + quarantined by construction, and {@link #counts} checks it.
 */
public record ValidatedInput(String name, List<CanonicalColumn> schema, Dataset<Row> rows) {

  /** Rows read, accepted and quarantined, from one aggregation over the rows. */
  public record Counts(String input, long read, long accepted, long quarantined) {
    public double quarantinedShare() {
      return read == 0 ? 0.0 : (double) quarantined / read;
    }
  }

  public Dataset<Row> accepted() {
    return rows.where(size(col(QUARANTINE_REASONS)).equalTo(0))
        .select(schema.stream().map(c -> col(c.name())).toArray(Column[]::new));
  }

  /** The quarantine table's rows of this input: run_date, run_id, source, reason_codes, source_row. */
  public Dataset<Row> quarantined(LocalDate runDate, String runId) {
    return rows.where(size(col(QUARANTINE_REASONS)).gt(0)).select(
        lit(java.sql.Date.valueOf(runDate)).as(Columns.RUN_DATE),
        lit(runId).as(Columns.RUN_ID),
        lit(name).as("source"),
        col(QUARANTINE_REASONS).as("reason_codes"),
        col(SOURCE_ROW).as(SOURCE_ROW));
  }

  /** Runs one Spark job. */
  public Counts counts() {
    Row row = rows.agg(count(lit(1)), sum(when(size(col(QUARANTINE_REASONS)).gt(0), 1).otherwise(0))).first();
    long read = row.getLong(0);
    long quarantined = row.isNullAt(1) ? 0 : row.getLong(1);
    return new Counts(name, read, read - quarantined, quarantined);
  }
}
