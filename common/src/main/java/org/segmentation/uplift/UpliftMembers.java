package org.segmentation.uplift;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.min;
import static org.apache.spark.sql.functions.not;
import static org.apache.spark.sql.functions.to_date;

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
 * What an uplift model learns from, each member with their arm ({@value UpliftFit#VARIANT}), their outcome
 * ({@value UpliftFit#OUTCOME}) and their features as they stood when the experiment started, computed from the purchase
 * lines up to then exactly as a night of that date computes them, so that nothing a member did after the start reaches
 * the features. A member who was not yet a customer then (no purchase, no profile) has no features and is left out.
 * <ul>
 *   <li>An audience's experiment ({@link #of}): the members whose attribution window has closed, their outcome in the
 *       window measured as experiment_results measures it ({@link AudienceOutcomes}), features as of the first send
 *       (the send happens after that night's purchases were read).
 *   <li>An experiment run in another tool ({@link #ofExternal}): the accepted rows of inputs.experiments, the outcome
 *       the input's own metric column, features as of the day before the first assignment (an assignment's own day
 *       may hold purchases made after it).
 * </ul>
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
    String outcome = model.outcome().equals(UpliftSettings.CONVERTED) ? AudienceOutcomes.CONVERTED
        : AudienceOutcomes.REVENUE;
    return Optional.of(closed.select(col(Columns.CUSTOMER_ID), col(Columns.VARIANT).as(UpliftFit.VARIANT),
            col(outcome).cast("double").as(UpliftFit.OUTCOME))
        .join(asOfFirstSend, Columns.CUSTOMER_ID));
  }

  /**
   * The members of an external experiment, or empty when inputs.experiments has none. Runs one Spark job (the first
   * assignment).
   *
   * @param assignments the accepted rows of inputs.experiments
   * @param outcomeColumn the column of the model's metric (a number, or a boolean counted as 0/1)
   * @param purchases accepted purchase lines
   * @param profiles accepted profiles, or NULL
   */
  public Optional<Dataset<Row>> ofExternal(UpliftSettings.Model model, List<Feature> features,
      Dataset<Row> assignments, String outcomeColumn, Dataset<Row> purchases, Dataset<Row> profiles) {
    Dataset<Row> members = assignments.where(col(Columns.EXPERIMENT).equalTo(model.experiment()));
    java.sql.Date start = members.agg(min(to_date(col(Columns.ASSIGNED_TS)))).first().getDate(0);
    if (start == null) {
      return Optional.empty();
    }
    Dataset<Row> beforeStart = CustomerFeatures.of(settings, start.toLocalDate().minusDays(1))
        .apply(purchases, profiles);
    FeaturePreparation.check(beforeStart.schema(), features, JobSettings.keyPath(UpliftSettings.BLOCK,
        UpliftSettings.MODELS) + " (" + model.name() + ").features");
    return Optional.of(members.select(col(Columns.CUSTOMER_ID), col(Columns.VARIANT).as(UpliftFit.VARIANT),
            col("`" + outcomeColumn + "`").cast("double").as(UpliftFit.OUTCOME))
        .join(beforeStart, Columns.CUSTOMER_ID));
  }
}
