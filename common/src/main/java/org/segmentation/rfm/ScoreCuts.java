package org.segmentation.rfm;

import static org.apache.spark.sql.functions.lit;

import java.math.BigDecimal;
import java.util.List;
import org.apache.spark.sql.Column;

/**
 * The cut points of one measure's score: a value scores 1 + the number of cut points it passes. Small enough to keep
 * on the driver (score-bins - 1 values), and all a scoring projection needs: scoring itself is then a narrow
 * expression over each customer row, with no join and no window.
 *
 * @param cuts ascending cut points
 * @param inclusive true: a value passes a cut when {@code value >= cut}; false: when {@code value > cut}
 * @param lowerIsBetter true for recency: the comparison is reversed ({@code value < cut} or {@code value <= cut})
 */
public record ScoreCuts(List<BigDecimal> cuts, boolean inclusive, boolean lowerIsBetter) {
  public ScoreCuts {
    cuts = List.copyOf(cuts);
  }

  /** The score of {@code value}, 1 .. cuts + 1; NULL when the value is NULL. */
  public Column score(Column value) {
    Column score = lit(1);
    for (BigDecimal cut : cuts) {
      Column passes;
      if (lowerIsBetter) {
        passes = inclusive ? value.leq(lit(cut)) : value.lt(lit(cut));
      } else {
        passes = inclusive ? value.geq(lit(cut)) : value.gt(lit(cut));
      }
      score = score.plus(org.apache.spark.sql.functions.when(passes, 1).otherwise(0));
    }
    return org.apache.spark.sql.functions.when(value.isNotNull(), score);
  }
}
