package org.segmentation.clv;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.when;

import java.util.List;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.segmentation.config.ClvSettings;
import org.segmentation.pipeline.Stage;
import org.segmentation.schema.Columns;

/**
 * clv_decile and clv_tier from the night's cut points (a projection): decile = 1 + the number of the nine cut points
 * (the 10th .. 90th percentiles of predicted_clv) the customer's value reaches, so 10 is the top tenth; the tier is
 * the first configured tier whose min-decile the decile reaches.
 *
 * @param cuts the nine ascending cut points
 */
public record ClvDeciles(List<Double> cuts, List<ClvSettings.Tier> tiers) implements Stage {

  public ClvDeciles {
    cuts = List.copyOf(cuts);
    tiers = List.copyOf(tiers);
  }

  @Override
  public Dataset<Row> apply(Dataset<Row> customers) {
    Column value = col(Columns.PREDICTED_CLV);
    Column decile = lit(1);
    for (double cut : cuts) {
      decile = decile.plus(when(value.geq(cut), 1).otherwise(0));
    }
    Column scored = value.isNotNull();
    Dataset<Row> withDecile = customers.withColumn(Columns.CLV_DECILE, when(scored, decile));
    Column tier = null;
    for (ClvSettings.Tier t : tiers) {
      Column reached = col(Columns.CLV_DECILE).geq(t.minDecile());
      tier = tier == null ? when(reached, lit(t.name())) : tier.when(reached, lit(t.name()));
    }
    return withDecile.withColumn(Columns.CLV_TIER, tier == null ? lit(null).cast("string") : tier);
  }
}
