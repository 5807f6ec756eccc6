package org.segmentation.uplift;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.count;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.sum;
import static org.apache.spark.sql.functions.when;

import java.util.Arrays;
import java.util.List;
import org.apache.spark.ml.feature.Bucketizer;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;

/**
 * An experiment's held-out members as sufficient statistics for every figure of an uplift evaluation
 * ({@link QiniEvaluation}): the members in groups of about equal size by score, the highest scores first, and in each
 * group and arm the number of members, the sum of their outcomes and the sum of its squares. One Spark job for the
 * groups' cut points and one aggregation: at most {@code groups} rows to the driver, whatever the experiment's size.
 * Members with the same score always share a group (tied scores are not ordered by the model, so no figure may depend
 * on an order between them).
 *
 * @param treated members of the variant in each group, highest scores first
 * @param treatedSum the sum of their outcomes
 * @param treatedSquares the sum of their outcomes' squares
 * @param control members of the control arm in each group
 * @param controlSum the sum of their outcomes
 * @param controlSquares the sum of their outcomes' squares
 * @param binary whether the outcome is 0 or 1 (a conversion) rather than an amount
 */
public record UpliftCells(long[] treated, double[] treatedSum, double[] treatedSquares, long[] control,
    double[] controlSum, double[] controlSquares, boolean binary) {
  /** The default number of score groups: percentiles. */
  public static final int GROUPS = 100;
  private static final String SCORE = "__cell_score";
  private static final String GROUP = "__cell_group";

  public UpliftCells {
    int n = treated.length;
    if (treatedSum.length != n || treatedSquares.length != n || control.length != n || controlSum.length != n
        || controlSquares.length != n) {
      throw new IllegalArgumentException("groups of unequal lengths");
    }
  }

  /**
   * The cells of {@code members}.
   *
   * @param score the ranking's score (higher: contact first)
   * @param treated whether the member is in the variant (false: in control)
   * @param outcome the member's outcome
   * @param groups how many groups of about equal size (fewer when scores tie)
   */
  public static UpliftCells collect(Dataset<Row> members, Column score, Column treated, Column outcome,
      boolean binary, int groups) {
    Dataset<Row> scored = members.select(score.cast("double").as(SCORE), treated.as("__treated"),
        outcome.cast("double").as("__outcome"));
    double[] probabilities = new double[groups - 1];
    for (int i = 1; i < groups; i++) {
      probabilities[i - 1] = (double) i / groups;
    }
    double[] cuts = Arrays.stream(scored.stat().approxQuantile(SCORE, probabilities, 0.001)).distinct().sorted()
        .toArray();
    double[] splits = new double[cuts.length + 2];
    splits[0] = Double.NEGATIVE_INFINITY;
    System.arraycopy(cuts, 0, splits, 1, cuts.length);
    splits[splits.length - 1] = Double.POSITIVE_INFINITY;
    // Bucketizer: bucket i holds [splits[i], splits[i + 1]), so one score value never straddles two groups
    Dataset<Row> grouped = new Bucketizer().setInputCol(SCORE).setOutputCol(GROUP).setSplits(splits)
        .transform(scored);
    Column isTreated = col("__treated");
    Column y = col("__outcome");
    List<Row> rows = grouped.groupBy(col(GROUP))
        .agg(sum(when(isTreated, 1L).otherwise(0L)).as("nt"), sum(when(isTreated, y).otherwise(0.0)).as("st"),
            sum(when(isTreated, y.multiply(y)).otherwise(0.0)).as("qt"),
            sum(when(isTreated, 0L).otherwise(1L)).as("nc"), sum(when(isTreated, 0.0).otherwise(y)).as("sc"),
            sum(when(isTreated, 0.0).otherwise(y.multiply(y))).as("qc"), count(lit(1)))
        .orderBy(col(GROUP).desc()).collectAsList();
    int n = rows.size();
    UpliftCells cells = new UpliftCells(new long[n], new double[n], new double[n], new long[n], new double[n],
        new double[n], binary);
    for (int i = 0; i < n; i++) {
      Row row = rows.get(i);
      cells.treated[i] = row.getLong(1);
      cells.treatedSum[i] = row.getDouble(2);
      cells.treatedSquares[i] = row.getDouble(3);
      cells.control[i] = row.getLong(4);
      cells.controlSum[i] = row.getDouble(5);
      cells.controlSquares[i] = row.getDouble(6);
    }
    return cells;
  }

  public int groups() {
    return treated.length;
  }

  public long members() {
    return Arrays.stream(treated).sum() + Arrays.stream(control).sum();
  }
}
