package org.segmentation.propensity;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.count;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.round;
import static org.apache.spark.sql.functions.sum;
import static org.apache.spark.sql.functions.when;

import java.util.List;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;

/**
 * Held-out customers' scores and labels as sufficient statistics: for each score bin (the score rounded to
 * {@value #DECIMALS} decimals) the number of positive and of negative customers and the sum of their scores, in
 * ascending order of score. Every figure of a model's evaluation ({@link HeldOutEvaluation}) comes from it on the
 * driver: at most 1,001 rows, whatever the number of customers. Scores closer than the bin width count as tied (half a
 * correctly ordered pair each), which moves an AUC by at most the share of pairs in one bin.
 *
 * @param score each bin's score, ascending
 * @param positives the customers with label 1 in each bin
 * @param negatives the customers with label 0 in each bin
 * @param scoreSum the sum of the (unrounded) scores in each bin
 */
public record ScoreHistogram(double[] score, long[] positives, long[] negatives, double[] scoreSum) {
  public static final int DECIMALS = 3;

  public ScoreHistogram {
    if (score.length != positives.length || score.length != negatives.length || score.length != scoreSum.length) {
      throw new IllegalArgumentException("bins of unequal lengths");
    }
    for (int i = 1; i < score.length; i++) {
      if (!(score[i] > score[i - 1])) {
        throw new IllegalArgumentException("bins must be in strictly ascending order of score");
      }
    }
  }

  /**
   * The histogram of {@code scored}'s held-out rows: one Spark aggregation, at most 1,001 rows to the driver.
   *
   * @param score a probability in [0, 1]
   * @param label 1 or 0 (a boolean counts as 1 or 0)
   */
  public static ScoreHistogram collect(Dataset<Row> scored, Column score, Column label) {
    Column positive = label.cast("double").equalTo(1.0);
    List<Row> bins = scored.groupBy(round(score, DECIMALS).as("bin"))
        .agg(sum(when(positive, 1L).otherwise(0L)).as("positives"),
            sum(when(positive, 0L).otherwise(1L)).as("negatives"), sum(score).as("score_sum"),
            count(lit(1)).as("n"))
        .orderBy(col("bin")).collectAsList();
    double[] scores = new double[bins.size()];
    long[] pos = new long[bins.size()];
    long[] neg = new long[bins.size()];
    double[] sums = new double[bins.size()];
    for (int i = 0; i < bins.size(); i++) {
      Row bin = bins.get(i);
      scores[i] = bin.getDouble(0);
      pos[i] = bin.getLong(1);
      neg[i] = bin.getLong(2);
      sums[i] = bin.getDouble(3);
    }
    return new ScoreHistogram(scores, pos, neg, sums);
  }

  public int bins() {
    return score.length;
  }

  public long totalPositives() {
    return java.util.Arrays.stream(positives).sum();
  }

  public long totalNegatives() {
    return java.util.Arrays.stream(negatives).sum();
  }

  /** The same bins with other counts (a bootstrap resample); each bin's score sum scaled with its count. */
  ScoreHistogram withCounts(long[] newPositives, long[] newNegatives) {
    double[] sums = new double[score.length];
    for (int i = 0; i < score.length; i++) {
      long before = positives[i] + negatives[i];
      sums[i] = before == 0 ? 0 : scoreSum[i] * (newPositives[i] + newNegatives[i]) / before;
    }
    return new ScoreHistogram(score, newPositives, newNegatives, sums);
  }
}
