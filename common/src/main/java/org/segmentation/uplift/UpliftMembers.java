package org.segmentation.uplift;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.min;
import static org.apache.spark.sql.functions.not;

import java.time.LocalDate;
import java.util.List;
import java.util.Optional;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.segmentation.config.ClusteringSettings.Feature;
import org.segmentation.config.ExperimentSettings;
import org.segmentation.config.JobSettings;
import org.segmentation.config.UpliftSettings;
import org.segmentation.clustering.FeaturePreparation;
import org.segmentation.experiments.AudienceOutcomes;
import org.segmentation.features.CustomerFeatures;
import org.segmentation.schema.Columns;

/**
 * What an uplift model learns from: the members of an audience's experiment whose attribution window has closed, each
 * with their arm ({@value UpliftFit#VARIANT}), their outcome in the window ({@value UpliftFit#OUTCOME}, measured as
 * experiment_results measures it: {@link AudienceOutcomes}) and their features as they stood on the experiment's
 * first send (computed from the purchase lines of that day and before, exactly as a night of that date computes them).
 * Nothing a member did after the first send reaches the features. A member who was not yet a customer on the first
 * send (no purchase, no profile) has no features then and is left out.
 *
 * @param settings the night's settings
 * @param runDate the night
 */
public record UpliftMembers(JobSettings settings, LocalDate runDate) {

  /**
   * The members, or empty when no member's window has closed. Runs one Spark job (the first send).
   *
   * @param memberHistory audience_members of the published nights
   * @param segmentHistory customer_segments of the published nights
   * @param tonight tonight's customer_segments
   * @param purchases accepted purchase lines
   * @param profiles accepted profiles, or NULL
   */
  public Optional<Dataset<Row>> of(UpliftSettings.Model model, List<Feature> features, Dataset<Row> memberHistory,
      Dataset<Row> segmentHistory, Dataset<Row> tonight, Dataset<Row> purchases, Dataset<Row> profiles) {
    ExperimentSettings experiments = settings.experiments();
    Dataset<Row> closed = new AudienceOutcomes(runDate, experiments.attributionWindowDays(),
        experiments.maxAgeDays(), List.of())
        .apply(memberHistory.where(col(Columns.AUDIENCE).equalTo(model.audience())), segmentHistory, tonight,
            purchases)
        .where(not(col(AudienceOutcomes.WINDOW_OPEN)));
    java.sql.Date firstSend = closed.agg(min(col(AudienceOutcomes.SEND_DATE))).first().getDate(0);
    if (firstSend == null) {
      return Optional.empty();
    }
    Dataset<Row> asOfFirstSend = CustomerFeatures.of(settings, firstSend.toLocalDate()).apply(purchases, profiles);
    FeaturePreparation.check(asOfFirstSend.schema(), features, JobSettings.keyPath(UpliftSettings.BLOCK,
        UpliftSettings.MODELS) + " (" + model.name() + ").features");
    String outcome = model.outcome() == UpliftSettings.Outcome.CONVERTED ? AudienceOutcomes.CONVERTED
        : AudienceOutcomes.REVENUE;
    return Optional.of(closed.select(col(Columns.CUSTOMER_ID), col(Columns.VARIANT).as(UpliftFit.VARIANT),
            col(outcome).cast("double").as(UpliftFit.OUTCOME))
        .join(asOfFirstSend, Columns.CUSTOMER_ID));
  }
}
