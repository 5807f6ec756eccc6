package org.segmentation.clv;

import static org.apache.spark.sql.functions.array;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.count;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.percentile_approx;
import static org.apache.spark.sql.functions.when;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.segmentation.features.BuildFeatures;
import org.segmentation.pipeline.PersistedRows;
import org.segmentation.pipeline.RunContext;
import org.segmentation.pipeline.Step;
import org.segmentation.pipeline.StepResult;
import org.segmentation.schema.Columns;

/**
 * Step {@code clv_scoring}: the customer features with the lifetime-value columns ({@link ClvScoring}, then
 * {@link ClvDeciles}). The scores are persisted (the UDF of the expectations is not recomputed by every later step),
 * and one Spark job fills that cache while it finds the decile cut points (percentile_approx, accuracy 10,000) and
 * counts the customers with a purchase whose expectations could not be computed. Without parameters (lifetime value
 * off or skipped tonight) the columns are NULL.
 */
public record ScoreClv(BuildFeatures.Features features, FitClv.Fitted fitted) implements Step<ScoreClv.Scored> {
  private static final int ACCURACY = 10_000;

  /**
   * @param rows the customer features with the lifetime-value columns
   * @param scores the persisted rows they are read from, when scored ({@link PersistedRows})
   * @param progressDetails what happened
   */
  public record Scored(Dataset<Row> rows, Optional<Dataset<Row>> scores, String progressDetails)
      implements StepResult {
    @Override
    public void release() {
      scores.ifPresent(PersistedRows::release);
    }
  }

  @Override
  public String name() {
    return "clv_scoring";
  }

  @Override
  public Scored execute(RunContext run) {
    if (fitted.model().isEmpty()) {
      return new Scored(ClvScoring.unscored(features.rows()), Optional.empty(), "scored=0");
    }
    Dataset<Row> scored = PersistedRows.of(new ClvScoring(fitted.model().get(), run.settings().clv(),
        run.runDate()).apply(features.rows()));
    List<Column> tenths = new ArrayList<>();
    for (int i = 1; i <= 9; i++) {
      tenths.add(lit(i / 10.0));
    }
    Row stats = scored.agg(
        percentile_approx(col(Columns.PREDICTED_CLV), array(tenths.toArray(Column[]::new)), lit(ACCURACY)),
        count(col(Columns.PREDICTED_CLV)),
        count(when(col(Columns.PURCHASE_DAYS).gt(0).and(col(Columns.PREDICTED_CLV).isNull()), lit(1)))).first();
    long scoredCustomers = stats.getLong(1);
    long unscorable = stats.getLong(2);
    List<Double> cuts = stats.isNullAt(0) ? List.of() : stats.getList(0);
    Dataset<Row> rows = new ClvDeciles(cuts, run.settings().clv().tiers()).apply(scored);
    return new Scored(rows, Optional.of(scored), "scored=" + scoredCustomers + " not_computable=" + unscorable
        + " decile_cuts=\"" + cuts.stream().map(c -> String.format(java.util.Locale.ROOT, "%.2f", c))
        .reduce((a, b) -> a + "," + b).orElse("") + "\"");
  }
}
