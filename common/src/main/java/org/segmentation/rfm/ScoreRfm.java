package org.segmentation.rfm;

import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.segmentation.pipeline.RunContext;
import org.segmentation.pipeline.Step;
import org.segmentation.pipeline.StepResult;

/**
 * Step {@code rfm_scoring}: fits the score cut points of recency, frequency and monetary value (a few small Spark jobs
 * over the persisted customer features, scored for lifetime value: {@link RfmScoring#fit}), then scores and names every customer's RFM segment (pure
 * projections: {@link RfmScoring}, {@link RfmSegmentation}).
 */
public record ScoreRfm(Dataset<Row> customers) implements Step<ScoreRfm.Scored> {

  /**
   * The scored customers.
   *
   * @param rows the features plus r_score, f_score, m_score, rfm_score and rfm_segment (a plan over the features)
   * @param scoring the fitted cut points
   */
  public record Scored(Dataset<Row> rows, RfmScoring scoring) implements StepResult {
    @Override
    public String progressDetails() {
      return scoring.describe();
    }
  }

  @Override
  public String name() {
    return "rfm_scoring";
  }

  @Override
  public Scored execute(RunContext run) {
    RfmScoring scoring = RfmScoring.fit(customers, run.settings().rfm());
    return new Scored(new RfmSegmentation(run.settings().rfm()).apply(scoring.apply(customers)), scoring);
  }
}
