package org.segmentation.input;

import static org.apache.spark.sql.functions.abs;
import static org.apache.spark.sql.functions.array;
import static org.apache.spark.sql.functions.array_append;
import static org.apache.spark.sql.functions.array_compact;
import static org.apache.spark.sql.functions.coalesce;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.not;
import static org.apache.spark.sql.functions.row_number;
import static org.apache.spark.sql.functions.struct;
import static org.apache.spark.sql.functions.to_json;
import static org.apache.spark.sql.functions.trim;
import static org.apache.spark.sql.functions.when;
import static org.segmentation.schema.Columns.AGE;
import static org.segmentation.schema.Columns.AMOUNT;
import static org.segmentation.schema.Columns.CUSTOMER_ID;
import static org.segmentation.schema.Columns.ORDER_TS;
import static org.segmentation.schema.Columns.QUARANTINE_REASONS;
import static org.segmentation.schema.Columns.SIGNUP_TS;
import static org.segmentation.schema.Columns.SOURCE_ROW;

import org.segmentation.pipeline.Stage;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.expressions.Window;
import org.apache.spark.sql.types.DataTypes;
import org.segmentation.config.QualitySettings;
import org.segmentation.schema.CanonicalColumn;
import org.segmentation.schema.Columns;

/**
 * Checks every mapped row and records why it cannot be used, instead of dropping it. The output has the canonical
 * columns plus {@code quarantine_reasons} (NULL for a good row) and {@code source_row} (the original row as JSON, only
 * for rows with a reason). No row is removed here: rows in = rows out, and the caller splits them.
 *
 * <p>The reasons array is built only for a row that breaks a rule: good rows, nearly all of them, cost one combined
 * condition and carry a NULL, which also keeps the persisted rows small.
 *
 * <p>Reason codes (a row can have several):
 * <ul>
 *   <li>{@code missing_<column>}: a required column is NULL or blank (before conversion, for typed columns);</li>
 *   <li>{@code unparseable_<column>}: the mapped value is present but cannot be converted to the column's type
 *       (declared attributes too: {@code unparseable_<attribute>});</li>
 *   <li>{@code amount_out_of_range}: |amount| above {@code quality.max-abs-amount};</li>
 *   <li>{@code age_out_of_range}: age outside {@code quality.min-age .. max-age};</li>
 *   <li>{@code duplicate_profile}: another profile of the same customer is kept (the latest signup_ts wins);</li>
 *   <li>{@code duplicate_line}: an identical purchase line is kept ({@code quality.duplicate-lines = quarantine});</li>
 *   <li>{@code order_ts_in_future}: stamped after the job's start plus {@code quality.max-future-hours};</li>
 *   <li>{@code customer_without_profile}: no accepted profile has the customer
 *       ({@code quality.purchases-without-profile = quarantine});</li>
 *   <li>{@code score_out_of_range}: a survey score outside the configured scale;</li>
 *   <li>{@code duplicate_assignment}: an earlier row assigns the customer in the same experiment (experiments
 *       input).</li>
 * </ul>
 */
public record InputValidation(List<CanonicalColumn> schema, List<Rule> rules, Dedupe dedupe, Column skippedWhen)
    implements Stage {

  /** A row-level rule: rows for which {@code violated} is true get {@code reasonCode}. */
  public record Rule(String reasonCode, Column violated) {}

  /**
   * Among otherwise valid rows with equal {@code key}, the first by {@code order} is kept and the others get
   * {@code reasonCode}. The original row breaks ties, so the choice is deterministic.
   */
  public record Dedupe(List<Column> key, List<Column> order, String reasonCode) {}

  public static final String MISSING = "missing_";
  public static final String UNPARSEABLE = "unparseable_";
  public static final String AMOUNT_OUT_OF_RANGE = "amount_out_of_range";
  public static final String AGE_OUT_OF_RANGE = "age_out_of_range";
  public static final String DUPLICATE_PROFILE = "duplicate_profile";
  public static final String DUPLICATE_LINE = "duplicate_line";
  public static final String ORDER_TS_IN_FUTURE = "order_ts_in_future";
  public static final String CUSTOMER_WITHOUT_PROFILE = "customer_without_profile";
  public static final String DUPLICATE_ASSIGNMENT = "duplicate_assignment";
  public static final String SCORE_OUT_OF_RANGE = "score_out_of_range";
  public static final String DUPLICATE_PRODUCT = "duplicate_product";

  /**
   * @param startedAt when the job started: purchases later than this plus {@code quality.max-future-hours} are
   *     impossible. (Not the run date: purchases after the run date are valid, a backfill just ignores them.)
   * @param schema the canonical purchase columns and the declared attributes
   */
  public static InputValidation purchases(QualitySettings quality, Instant startedAt, List<CanonicalColumn> schema) {
    Instant latest = startedAt.plus(Duration.ofHours(quality.maxFutureHours()));
    Dedupe duplicates = null;
    if (quality.duplicateLines() == QualitySettings.Handling.QUARANTINE) {
      List<Column> everyColumn = schema.stream().map(c -> col(c.name())).toList();
      duplicates = new Dedupe(everyColumn, List.of(), DUPLICATE_LINE);
    }
    // a guest line's customer_id is NULL or blank (ids are trimmed): skipped rather than quarantined, if so configured
    Column guest = quality.purchasesWithoutCustomer() == QualitySettings.GuestHandling.SKIP
        ? col(CUSTOMER_ID).isNull().or(col(CUSTOMER_ID).equalTo(lit(""))) : lit(false);
    return new InputValidation(schema, List.of(
        new Rule(AMOUNT_OUT_OF_RANGE, abs(col(AMOUNT)).gt(lit(quality.maxAbsAmount()))),
        new Rule(ORDER_TS_IN_FUTURE, col(ORDER_TS).gt(lit(java.sql.Timestamp.from(latest))))), duplicates, guest);
  }

  /** @param schema the canonical profile columns and the declared attributes */
  public static InputValidation profiles(QualitySettings quality, List<CanonicalColumn> schema) {
    return new InputValidation(schema, List.of(
        new Rule(AGE_OUT_OF_RANGE, col(AGE).lt(quality.minAge()).or(col(AGE).gt(quality.maxAge())))),
        new Dedupe(List.of(col(CUSTOMER_ID)), List.of(col(SIGNUP_TS).desc_nulls_last()), DUPLICATE_PROFILE),
        lit(false));
  }

  /** The surveys input: every answer counts, a score outside the scale is quarantined. */
  public static InputValidation surveys(List<CanonicalColumn> schema, org.segmentation.config.KpiSettings.SurveyScale
      scale) {
    return new InputValidation(schema, List.of(new Rule(SCORE_OUT_OF_RANGE,
        col(Columns.SCORE).lt(scale.lowest()).or(col(Columns.SCORE).gt(scale.highest())))), null, lit(false));
  }

  /**
   * The experiments input: a customer is assigned once per experiment, the earliest assignment kept (a customer
   * exposed to two variants is the classic contamination of a test: the later exposure is quarantined, not compared).
   *
   * @param schema the canonical experiment columns and the declared attributes
   */
  public static InputValidation experiments(List<CanonicalColumn> schema) {
    return new InputValidation(schema, List.of(),
        new Dedupe(List.of(col(Columns.EXPERIMENT), col(CUSTOMER_ID)), List.of(col(Columns.ASSIGNED_TS).asc()),
            DUPLICATE_ASSIGNMENT),
        lit(false));
  }

  /**
   * The products input: one row per product; of several rows of one product_id, the one with a name (the first by
   * name, then category) is kept and the others quarantined, so that a line never joins two rows.
   *
   * @param schema the canonical product columns and the declared attributes
   */
  public static InputValidation products(List<CanonicalColumn> schema) {
    return new InputValidation(schema, List.of(),
        new Dedupe(List.of(col(Columns.PRODUCT_ID)), List.of(col(Columns.PRODUCT_NAME).asc_nulls_last(),
            col(Columns.PRODUCT_CATEGORY).asc_nulls_last()), DUPLICATE_PRODUCT),
        lit(false));
  }

  /**
   * Adds {@code customer_without_profile} to the validated purchases whose customer is not among {@code profileIds}
   * (the accepted profiles' customer_id). A row that had no reason before gets the mapped row, in the input's own
   * canonical columns, as its source_row.
   */
  public static ValidatedInput quarantineCustomersWithoutProfile(ValidatedInput purchases, Dataset<Row> profileIds) {
    Dataset<Row> known = profileIds.select(col(CUSTOMER_ID).as("__known_id")).distinct();
    Dataset<Row> rows = purchases.rows();
    Column mappedRow = to_json(struct(purchases.schema().stream().map(c -> col(c.name())).toArray(Column[]::new)));
    return new ValidatedInput(purchases.name(), purchases.schema(), rows
        .join(known, rows.col(CUSTOMER_ID).equalTo(known.col("__known_id")), "left_outer")
        .withColumn(QUARANTINE_REASONS, when(col("__known_id").isNull().and(col(CUSTOMER_ID).isNotNull()),
            withReason(col(QUARANTINE_REASONS), CUSTOMER_WITHOUT_PROFILE))
            .otherwise(col(QUARANTINE_REASONS)))
        .withColumn(SOURCE_ROW, when(ValidatedInput.HAS_REASONS, coalesce(col(SOURCE_ROW), mappedRow)))
        .drop("__known_id"), purchases.skippedWhen());
  }

  private static Column blank(Column text) {
    return text.isNull().or(trim(text).equalTo(lit("")));
  }

  /**
   * Whether a value was absent before conversion: NULL, or blank text (an empty cell is a missing value, not an
   * unparseable one). Only text can be blank, so other types cost one NULL test.
   */
  private static Column absentBeforeConversion(Dataset<Row> mapped, String column) {
    return mapped.schema().apply(column).dataType().equals(DataTypes.StringType) ? blank(col(column))
        : col(column).isNull();
  }

  /** {@code reasons} (possibly NULL: none yet) with one more reason code. */
  private static Column withReason(Column reasons, String reasonCode) {
    return when(reasons.isNull(), array(lit(reasonCode))).otherwise(array_append(reasons, lit(reasonCode)));
  }

  @Override
  public Dataset<Row> apply(Dataset<Row> mapped) {
    List<Column> violations = new ArrayList<>();
    List<String> codes = new ArrayList<>();
    for (CanonicalColumn c : schema) {
      Column typed = col(c.name());
      Column absent = c.type().equals(DataTypes.StringType) ? blank(typed)
          : absentBeforeConversion(mapped, ColumnMapping.MAPPED_PREFIX + c.name());
      if (c.required()) {
        violations.add(absent);
        codes.add(MISSING + c.name());
      }
      if (!c.type().equals(DataTypes.StringType)) {
        violations.add(not(absent).and(typed.isNull()));
        codes.add(UNPARSEABLE + c.name());
      }
    }
    for (Rule rule : rules) {
      violations.add(rule.violated());
      codes.add(rule.reasonCode());
    }
    Column anyViolation = lit(false);
    Column[] reasons = new Column[violations.size()];
    for (int i = 0; i < violations.size(); i++) {
      anyViolation = anyViolation.or(coalesce(violations.get(i), lit(false)));
      reasons[i] = when(violations.get(i), lit(codes.get(i)));
    }
    Dataset<Row> checked = mapped.withColumn(QUARANTINE_REASONS, when(anyViolation, array_compact(array(reasons))));
    if (dedupe != null) {
      // Only rows that passed the other checks compete: a broken row never displaces a good one.
      Column competes = col(QUARANTINE_REASONS).isNull();
      List<Column> partition = new ArrayList<>(dedupe.key());
      partition.add(competes);
      List<Column> order = new ArrayList<>(dedupe.order());
      order.add(to_json(col(ColumnMapping.SOURCE_STRUCT)).desc());
      Column rank = row_number().over(Window.partitionBy(partition.toArray(Column[]::new))
          .orderBy(order.toArray(Column[]::new)));
      checked = checked.withColumn(QUARANTINE_REASONS,
          when(competes.and(rank.gt(1)), withReason(col(QUARANTINE_REASONS), dedupe.reasonCode()))
              .otherwise(col(QUARANTINE_REASONS)));
    }
    List<Column> output = new ArrayList<>();
    for (CanonicalColumn c : schema) {
      output.add(col(c.name()));
    }
    output.add(col(QUARANTINE_REASONS));
    output.add(when(ValidatedInput.HAS_REASONS, to_json(col(ColumnMapping.SOURCE_STRUCT))).as(SOURCE_ROW));
    return checked.select(output.toArray(Column[]::new));
  }
}
