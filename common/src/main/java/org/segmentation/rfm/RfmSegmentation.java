package org.segmentation.rfm;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.expr;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.when;
import static org.segmentation.schema.Columns.F_SCORE;
import static org.segmentation.schema.Columns.M_SCORE;
import static org.segmentation.schema.Columns.RFM_SEGMENT;
import static org.segmentation.schema.Columns.R_SCORE;

import org.segmentation.pipeline.Stage;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.segmentation.config.RfmSettings;
import org.segmentation.config.RfmSettings.SegmentRule;

/**
 * Names each customer's RFM segment from the configured rules: the first rule whose condition holds for the
 * customer's (r_score, f_score, m_score) wins. Customers without scores (no counted purchase in the window) get the
 * configured no-purchase segment.
 */
public record RfmSegmentation(RfmSettings settings) implements Stage {

  @Override
  public Dataset<Row> apply(Dataset<Row> scored) {
    return scored.withColumn(RFM_SEGMENT, segmentOf(settings));
  }

  /** The segment of a row with r_score, f_score and m_score: the first matching rule, or the no-purchase segment. */
  static Column segmentOf(RfmSettings settings) {
    Column segment = when(col(R_SCORE).isNull(), lit(settings.noPurchaseSegment()));
    for (SegmentRule rule : settings.segments()) {
      segment = segment.when(expr(rule.condition()), lit(rule.name()));
    }
    return segment;
  }
}
