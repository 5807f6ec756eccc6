package org.segmentation.input;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.count;
import static org.apache.spark.sql.functions.explode;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.min;
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
import org.segmentation.pipeline.PersistedRows;
import org.segmentation.schema.CanonicalColumn;
import org.segmentation.schema.Columns;

/**
 * An input after validation: every row read, each with its (possibly empty) quarantine reasons. Splits into the
 * accepted rows (canonical columns only), the quarantine rows and the skipped rows (guest purchases, when so
 * configured); all come from the same rows, so read = accepted + quarantined + skipped by construction.
 *
 * @param skippedWhen the condition of a row that is neither accepted nor quarantined but skipped (false: none)
 */
public record ValidatedInput(String name, List<CanonicalColumn> schema, Dataset<Row> rows, Column skippedWhen) {
  /** True for a row with at least one reason (a good row's reasons are NULL): quarantined, unless skipped. */
  public static final Column HAS_REASONS = col(QUARANTINE_REASONS).isNotNull();

  /** An input whose rows are accepted or quarantined, none skipped. */
  public ValidatedInput(String name, List<CanonicalColumn> schema, Dataset<Row> rows) {
    this(name, schema, rows, lit(false));
  }

  /**
   * Rows read, accepted, quarantined and skipped, from one aggregation over the rows.
   *
   * @param skipped rows that are neither used nor errors (purchases without a customer, when skipped)
   */
  public record Counts(String input, long read, long accepted, long quarantined, long skipped) {
    /** The quarantined share of the rows not skipped: what the quality gate limits. */
    public double quarantinedShare() {
      return read - skipped == 0 ? 0.0 : (double) quarantined / (read - skipped);
    }
  }

  private Column quarantined() {
    return HAS_REASONS.and(not(skippedWhen));
  }

  /**
   * The same input without some canonical columns (after validation, so their problems are still reported): the run
   * persists the validated rows, and a column that no stage reads need not be cached.
   */
  public ValidatedInput without(String... columns) {
    List<String> dropped = List.of(columns);
    return new ValidatedInput(name, schema.stream().filter(c -> !dropped.contains(c.name())).toList(),
        rows.drop(columns), skippedWhen);
  }

  /** The same input with its rows persisted ({@link PersistedRows}): every later read starts at them. */
  public ValidatedInput persisted() {
    return new ValidatedInput(name, schema, PersistedRows.of(rows), skippedWhen);
  }

  /** Frees the rows {@link #persisted} kept. */
  public void release() {
    PersistedRows.release(rows);
  }

  public Dataset<Row> accepted() {
    return rows.where(not(HAS_REASONS))
        .select(schema.stream().map(c -> col(c.name())).toArray(Column[]::new));
  }

  /** The quarantine table's rows of this input: run_date, run_id, source, reason_codes, source_row. */
  public Dataset<Row> quarantined(LocalDate runDate, String runId) {
    return rows.where(quarantined()).select(
        lit(java.sql.Date.valueOf(runDate)).as(Columns.RUN_DATE),
        lit(runId).as(Columns.RUN_ID),
        lit(name).as(Columns.SOURCE),
        col(QUARANTINE_REASONS).as(Columns.REASON_CODES),
        col(SOURCE_ROW).as(SOURCE_ROW));
  }

  /**
   * A reason code of quarantined rows: how many rows have it, and the original row (JSON) of one of them.
   */
  public record Reason(String code, long rows, String exampleRow) {}

  /** The {@code limit} most frequent reasons of the quarantined rows, most frequent first: runs one Spark job. */
  public List<Reason> topReasons(int limit) {
    List<Reason> reasons = new java.util.ArrayList<>();
    for (Row r : rows.where(quarantined())
        .select(explode(col(QUARANTINE_REASONS)).as("__reason"), col(SOURCE_ROW))
        .groupBy("__reason").agg(count(lit(1)).as("__rows"), min(col(SOURCE_ROW)).as("__example"))
        .orderBy(col("__rows").desc(), col("__reason")).limit(limit).collectAsList()) {
      reasons.add(new Reason(r.getString(0), r.getLong(1), r.getString(2)));
    }
    return reasons;
  }

  /** Rows read, accepted and quarantined: runs one Spark job over the rows. */
  public Counts countRows() {
    Row row = rows.agg(count(lit(1)), sum(when(quarantined(), 1).otherwise(0)),
        sum(when(skippedWhen, 1).otherwise(0))).first();
    long read = row.getLong(0);
    long quarantined = row.isNullAt(1) ? 0 : row.getLong(1);
    long skipped = row.isNullAt(2) ? 0 : row.getLong(2);
    return new Counts(name, read, read - quarantined - skipped, quarantined, skipped);
  }
}
