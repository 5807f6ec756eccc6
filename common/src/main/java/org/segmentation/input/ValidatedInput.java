package org.segmentation.input;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.count;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.not;
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
  /** True for a row with at least one quarantine reason (a good row's reasons are NULL). */
  public static final Column QUARANTINED = col(QUARANTINE_REASONS).isNotNull();

  /** Rows read, accepted and quarantined, from one aggregation over the rows. */
  public record Counts(String input, long read, long accepted, long quarantined) {
    public double quarantinedShare() {
      return read == 0 ? 0.0 : (double) quarantined / read;
    }
  }

  /**
   * The same input without some canonical columns (after validation, so their problems are still reported): the run
   * persists the validated rows, and a column that no stage reads need not be cached.
   */
  public ValidatedInput without(String... columns) {
    List<String> dropped = List.of(columns);
    return new ValidatedInput(name, schema.stream().filter(c -> !dropped.contains(c.name())).toList(),
        rows.drop(columns));
  }

  public Dataset<Row> accepted() {
    return rows.where(not(QUARANTINED))
        .select(schema.stream().map(c -> col(c.name())).toArray(Column[]::new));
  }

  /** The quarantine table's rows of this input: run_date, run_id, source, reason_codes, source_row. */
  public Dataset<Row> quarantined(LocalDate runDate, String runId) {
    return rows.where(QUARANTINED).select(
        lit(java.sql.Date.valueOf(runDate)).as(Columns.RUN_DATE),
        lit(runId).as(Columns.RUN_ID),
        lit(name).as(Columns.SOURCE),
        col(QUARANTINE_REASONS).as(Columns.REASON_CODES),
        col(SOURCE_ROW).as(SOURCE_ROW));
  }

  /** Rows read, accepted and quarantined: runs one Spark job over the rows. */
  public Counts countRows() {
    Row row = rows.agg(count(lit(1)), sum(when(QUARANTINED, 1).otherwise(0))).first();
    long read = row.getLong(0);
    long quarantined = row.isNullAt(1) ? 0 : row.getLong(1);
    return new Counts(name, read, read - quarantined, quarantined);
  }
}
