package org.segmentation.propensity;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.pmod;
import static org.apache.spark.sql.functions.when;
import static org.apache.spark.sql.functions.xxhash64;

import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.segmentation.schema.Columns;

/**
 * The decile of each customer by a score, 1 for the highest tenth, from nine cut points (Spark's approximate quantiles
 * at a relative error of 1/1000 of the rows: one pass, no global sort, no row on the driver). A calibrated score has
 * plateaus (many customers share a value), so ties are broken by a hash of the customer id (a nudge far below any gap
 * between two distinct scores): each decile holds a tenth of the customers, and the same customers every night for the
 * same scores.
 */
public final class Deciles {
  public static final String DECILE = "__decile";
  private static final String RANKED = "__ranked_score";
  private static final double RELATIVE_ERROR = 0.001;
  /** The nudge's size: below the gaps between distinct scores (doubles of at most a few decimals' resolution). */
  private static final double TIE_BREAK = 1e-12;

  private Deciles() {}

  /** {@code rows} (with customer_id) with {@value #DECILE}; one Spark job. NULL scores get a NULL decile. */
  public static Dataset<Row> of(Dataset<Row> rows, String score) {
    Dataset<Row> ranked = rows.withColumn(RANKED, col(score).plus(nudge()));
    double[] tenths = new double[9];
    for (int i = 0; i < 9; i++) {
      tenths[i] = (i + 1) / 10.0;
    }
    double[] cuts = ranked.stat().approxQuantile(RANKED, tenths, RELATIVE_ERROR);
    if (cuts.length == 0) { // no rows (or only NULL scores)
      return rows.withColumn(DECILE, lit(null).cast("int"));
    }
    // above the 90th percentile: decile 1; ... ; at or below the 10th: decile 10
    Column decile = when(col(RANKED).isNull(), lit(null).cast("int"));
    for (int i = cuts.length - 1; i >= 0; i--) {
      decile = decile.when(col(RANKED).gt(cuts[i]), lit(cuts.length - i));
    }
    return ranked.withColumn(DECILE, decile.otherwise(lit(10))).drop(RANKED);
  }

  /** The tie-breaking nudge of a customer's score. */
  private static Column nudge() {
    return pmod(xxhash64(col(Columns.CUSTOMER_ID)), lit(1_000_000L)).divide(1_000_000.0).multiply(TIE_BREAK);
  }

  /**
   * {@code rows} with {@code flag}: whether the customer is among the top {@code share} by {@code score} (ties broken
   * as for the deciles). One Spark job, none for a share of 0 or 1.
   */
  public static Dataset<Row> top(Dataset<Row> rows, String score, double share, String flag) {
    if (share <= 0 || share >= 1) {
      return rows.withColumn(flag, lit(share >= 1));
    }
    Dataset<Row> ranked = rows.withColumn(RANKED, col(score).plus(nudge()));
    double[] cut = ranked.stat().approxQuantile(RANKED, new double[] {1 - share}, RELATIVE_ERROR);
    return cut.length == 0 ? rows.withColumn(flag, lit(false))
        : ranked.withColumn(flag, col(RANKED).gt(cut[0])).drop(RANKED);
  }
}
