package org.segmentation.affinity;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.greatest;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.round;
import static org.apache.spark.sql.functions.size;
import static org.apache.spark.sql.functions.when;

import org.apache.spark.ml.fpm.FPGrowth;
import org.apache.spark.ml.fpm.FPGrowthModel;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.segmentation.schema.Columns;

/**
 * Association rules "who buys A also buys B" from baskets, with MLlib's FP-growth. The minimum support is a number of
 * baskets, not a fraction: a fraction such as MLlib's default 0.3 finds nothing in real retail data, where the most
 * common pair is in well under 1 % of baskets.
 *
 * <p>Per rule: the baskets holding the whole rule, its support (their share of all baskets), confidence P(B | A),
 * lift P(A and B) / (P(A) P(B)) (1 = independent), and the <b>standardised lift</b> of McNicholas, Murphy and O'Regan
 * ("Standardising the lift of an association rule", Computational Statistics and Data Analysis 52, 2008): the lift
 * rescaled between the smallest and largest values the two sides' supports allow, (lift - L) / (U - L) with
 * U = 1 / max(P(A), P(B)) and L = max(P(A) + P(B) - 1, 1 / n) / (P(A) P(B)). Lift alone favours rare items (a pair of
 * items each bought once, together, has the largest lift there is); the standardised lift is 1 for a rule as strong
 * as those supports permit, whatever they are.
 *
 * @param minBaskets the baskets an itemset must be in (at least 1)
 * @param minConfidence the confidence a rule must have
 */
public record ProductRules(long minBaskets, double minConfidence) {
  public static final String ITEMS = "items";
  public static final String ANTECEDENT = Columns.ANTECEDENT;
  public static final String CONSEQUENT = Columns.CONSEQUENT;
  public static final String BASKETS = Columns.BASKETS;
  public static final String SUPPORT = Columns.SUPPORT;
  public static final String CONFIDENCE = Columns.CONFIDENCE;
  public static final String LIFT = Columns.LIFT;
  public static final String STANDARDISED_LIFT = Columns.STANDARDISED_LIFT;
  public static final String ANTECEDENT_SUPPORT = Columns.ANTECEDENT_SUPPORT;
  public static final String CONSEQUENT_SUPPORT = Columns.CONSEQUENT_SUPPORT;

  public ProductRules {
    if (minBaskets < 1) {
      throw new IllegalArgumentException("minBaskets must be at least 1, not " + minBaskets);
    }
  }

  /**
   * @param baskets one row per basket with its distinct items in an array column {@value #ITEMS}
   * @param basketCount the number of rows of {@code baskets} (counted by the caller, who usually has it)
   * @return one row per rule (one item as the consequent): the columns named above; empty without baskets
   */
  public Dataset<Row> apply(Dataset<Row> baskets, long basketCount) {
    if (basketCount == 0) {
      return baskets.sparkSession().emptyDataFrame();
    }
    // MLlib keeps an itemset seen in at least ceil(minSupport x n) baskets; half a basket below the count keeps that
    // ceiling at the count itself whatever the rounding of the division
    double minSupport = Math.min(1.0, (minBaskets - 0.5) / basketCount);
    FPGrowthModel model = new FPGrowth().setItemsCol(ITEMS).setMinSupport(minSupport)
        .setMinConfidence(minConfidence).fit(baskets);
    double n = basketCount;
    Column both = col(SUPPORT);
    Column antecedent = both.divide(col(CONFIDENCE));  // P(A) = P(A and B) / P(B | A)
    Column consequent = col(CONFIDENCE).divide(col(LIFT)); // P(B) = P(B | A) / lift
    Column upper = lit(1.0).divide(greatest(col(ANTECEDENT_SUPPORT), col(CONSEQUENT_SUPPORT)));
    Column lower = greatest(col(ANTECEDENT_SUPPORT).plus(col(CONSEQUENT_SUPPORT)).minus(1), lit(1.0 / n))
        .divide(col(ANTECEDENT_SUPPORT).multiply(col(CONSEQUENT_SUPPORT)));
    return model.associationRules()
        .withColumn(ANTECEDENT_SUPPORT, antecedent)
        .withColumn(CONSEQUENT_SUPPORT, consequent)
        .select(col(ANTECEDENT), col(CONSEQUENT), round(both.multiply(n)).cast("long").as(BASKETS), col(SUPPORT),
            col(CONFIDENCE), col(LIFT),
            // NULL where the supports leave the lift no room (both sides in every basket)
            when(upper.gt(lower), col(LIFT).minus(lower).divide(upper.minus(lower))).as(STANDARDISED_LIFT),
            col(ANTECEDENT_SUPPORT), col(CONSEQUENT_SUPPORT))
        .where(size(col(ANTECEDENT)).gt(0));
  }
}
