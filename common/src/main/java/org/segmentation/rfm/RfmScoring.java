package org.segmentation.rfm;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.concat;
import static org.segmentation.schema.Columns.FREQUENCY;
import static org.segmentation.schema.Columns.F_SCORE;
import static org.segmentation.schema.Columns.MONETARY;
import static org.segmentation.schema.Columns.M_SCORE;
import static org.segmentation.schema.Columns.RECENCY_DAYS;
import static org.segmentation.schema.Columns.RFM_SCORE;
import static org.segmentation.schema.Columns.R_SCORE;

import org.segmentation.pipeline.Stage;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.segmentation.config.RfmSettings;

/**
 * Scores R, F and M from 1 to {@code score-bins} (higher is better; recency reversed), for customers with at least one
 * counted order ({@code frequency > 0}); the others keep NULL scores.
 *
 * <p><b>Quantile method.</b> With N scored customers and B bins, a value v scores
 * {@code 1 + floor(B * L(v) / N)}, where L(v) is the number of customers with a strictly worse value. Equal values
 * therefore always get equal scores, and without ties this is exactly {@code ntile(B)} (bins of N/B customers). Heavy
 * ties (most customers buy once) leave some scores unused instead of splitting a tie. Equivalently, with x(m) the m-th
 * worst value and m_k = ceil(k * N / B), v scores 1 + #{k in 1..B-1 : v is better than x(m_k)}, which needs only the
 * B - 1 exact order statistics x(m_k): {@link #fit} computes them with {@link ExactQuantiles}, and scoring is a narrow
 * projection.
 *
 * <p><b>Threshold method.</b> Fixed cut points from configuration: a value scores 1 + the number of cut points it
 * reaches ({@code >=}); for recency, 1 + the number of cut points it is below ({@code <}).
 */
public record RfmScoring(Cuts cuts) implements Stage {

  /** The fitted cut points of the three measures. */
  public record Cuts(ScoreCuts recency, ScoreCuts frequency, ScoreCuts monetary) {}

  /**
   * Computes the cut points. Runs a few small Spark jobs over {@code customers} (the output of RfmAggregation), so
   * the caller should have persisted it.
   */
  public static RfmScoring fit(Dataset<Row> customers, RfmSettings settings) {
    int bins = settings.scoreBins();
    if (settings.scoring() == RfmSettings.Scoring.THRESHOLDS) {
      RfmSettings.Thresholds t = settings.thresholds();
      return new RfmScoring(new Cuts(
          new ScoreCuts(decimals(t.recencyDays()), false, true),
          new ScoreCuts(decimals(t.frequency()), true, false),
          new ScoreCuts(decimals(t.monetary()), true, false)));
    }
    Dataset<Row> scored = customers.where(col(FREQUENCY).gt(0));
    long n = scored.count();
    if (n == 0) {
      return new RfmScoring(new Cuts(
          new ScoreCuts(List.of(), false, true), new ScoreCuts(List.of(), false, false),
          new ScoreCuts(List.of(), false, false)));
    }
    List<Long> ranks = new ArrayList<>();
    for (int k = 1; k < bins; k++) {
      // m_k = ceil(k * N / B): exact in long arithmetic
      ranks.add((k * n + bins - 1) / bins);
    }
    // Recency: worse = more days. Ranking the negated days makes "m-th worst" the m-th smallest, as for F and M.
    String negatedRecency = "negated_" + RECENCY_DAYS;
    Map<String, List<BigDecimal>> statistics = ExactQuantiles.at(
        scored.select(col(RECENCY_DAYS).multiply(-1).as(negatedRecency), col(FREQUENCY), col(MONETARY)),
        List.of(negatedRecency, FREQUENCY, MONETARY), n, ranks);
    List<BigDecimal> recencyCuts = statistics.get(negatedRecency).stream().map(BigDecimal::negate).toList();
    return new RfmScoring(new Cuts(
        new ScoreCuts(recencyCuts, false, true),
        new ScoreCuts(statistics.get(FREQUENCY), false, false),
        new ScoreCuts(statistics.get(MONETARY), false, false)));
  }

  @Override
  public Dataset<Row> apply(Dataset<Row> customers) {
    Column active = col(FREQUENCY).gt(0);
    Column r = org.apache.spark.sql.functions.when(active, cuts.recency().score(col(RECENCY_DAYS)));
    Column f = org.apache.spark.sql.functions.when(active, cuts.frequency().score(col(FREQUENCY)));
    Column m = org.apache.spark.sql.functions.when(active, cuts.monetary().score(col(MONETARY)));
    return customers
        .withColumn(R_SCORE, r)
        .withColumn(F_SCORE, f)
        .withColumn(M_SCORE, m)
        .withColumn(RFM_SCORE, concat(col(R_SCORE).cast("string"), col(F_SCORE).cast("string"),
            col(M_SCORE).cast("string")));
  }

  private static List<BigDecimal> decimals(List<Double> values) {
    return values.stream().map(BigDecimal::valueOf).toList();
  }

  /** For the progress line: the cut points of each measure, as key=value pairs without spaces. */
  public String describe() {
    return "recency_cuts=" + join(cuts.recency()) + " frequency_cuts=" + join(cuts.frequency())
        + " monetary_cuts=" + join(cuts.monetary());
  }

  private static String join(ScoreCuts cuts) {
    return cuts.cuts().stream().map(BigDecimal::toPlainString)
        .collect(java.util.stream.Collectors.joining(",", "[", "]"));
  }
}
