package org.segmentation.checks;

import java.util.List;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.segmentation.audiences.AudienceMembers;
import org.segmentation.audiences.AudienceView;
import org.segmentation.clustering.FeaturePreparation;
import org.segmentation.clv.ClvScoring;
import org.segmentation.config.ExperimentSettings;
import org.segmentation.config.JobSettings;
import org.segmentation.affinity.AffinityLines;
import org.segmentation.config.PropensitySettings;
import org.segmentation.features.CustomerFeatures;
import org.segmentation.features.RuleSegments;
import org.segmentation.io.TableCatalog;
import org.segmentation.pipeline.RunContext;
import org.segmentation.pipeline.Step;
import org.segmentation.pipeline.StepResult;
import org.segmentation.rfm.SegmentRuleCheck;
import org.segmentation.run.ConfigurationException;
import org.segmentation.schema.Columns;

/**
 * Step {@code check_rules}: the configuration checks that need Spark, before any input is read. The RFM segment rules
 * must compile and cover every combination of scores and CLV tier (small Spark jobs over a table of the
 * combinations); rule segments
 * must be conditions over the customer features and the clustering features must exist with a type their transform
 * takes (both against the features' schema, planned over empty inputs: no job), and audiences must filter, order and
 * export columns that exist, with boolean consent columns, the propensity models' features must exist (a purchase
 * label's without the lifetime-value columns, which its earlier day does not have), so must the uplift models' (also
 * without them: they are learned as of an experiment's first send), the experiments' breakdowns and the
 * affinity dimensions must be customer_segments columns, and affinity.exclude a condition over the purchases. Any problem is exit 2.
 */
public record CheckRules() implements Step<CheckRules.Checked> {

  /**
   * The rules are usable.
   *
   * @param segments the number of RFM segment rules
   * @param neverMatched rules that no combination of scores reaches (shadowed by earlier rules): a warning
   */
  public record Checked(int segments, List<String> neverMatched) implements StepResult {
    public Checked {
      neverMatched = List.copyOf(neverMatched);
    }

    @Override
    public String progressDetails() {
      return "segments=" + segments
          + (neverMatched.isEmpty() ? "" : " never_matched=\"" + String.join(",", neverMatched) + "\"");
    }
  }

  @Override
  public String name() {
    return "check_rules";
  }

  @Override
  public Checked execute(RunContext run) {
    JobSettings settings = run.settings();
    List<String> neverMatched = SegmentRuleCheck.run(run.spark(), settings.rfm(),
        settings.clv().enabled() ? settings.clv().tierNames() : List.of());
    // the features as the later steps see them: with the lifetime-value columns (usable by rules and clustering)
    Dataset<Row> withoutClv = CustomerFeatures.of(settings, run.runDate()).emptyPlan(run.spark(), settings);
    Dataset<Row> features = ClvScoring.unscored(withoutClv);
    new RuleSegments(settings.ruleSegments()).check(features);
    if (settings.clustering().enabled()) {
      FeaturePreparation.check(features.schema(), settings.clustering());
    }
    if (settings.prospectClustering().enabled()) {
      FeaturePreparation.check(features.schema(), settings.prospectClustering().features(),
          JobSettings.keyPath(JobSettings.PROSPECT_CLUSTERING, org.segmentation.config.ClusteringSettings.FEATURES));
    }
    if (settings.propensity().enabled()) {
      for (PropensitySettings.Model model : settings.propensity().models()) {
        // a purchase label's training features are computed as of an earlier day, before lifetime value is scored
        FeaturePreparation.check((model.kind() == PropensitySettings.LabelKind.PURCHASE ? withoutClv : features)
            .schema(), model.featuresOr(settings.clustering().features()), JobSettings.keyPath(
            PropensitySettings.BLOCK, PropensitySettings.MODELS) + " (" + model.name() + ")."
            + org.segmentation.config.ClusteringSettings.FEATURES);
      }
    }
    if (settings.uplift().enabled()) {
      for (org.segmentation.config.UpliftSettings.Model model : settings.uplift().models()) {
        // learned from the features as of the experiment's first send, before lifetime value is scored
        FeaturePreparation.check(withoutClv.schema(), model.featuresOr(settings.clustering().features()),
            JobSettings.keyPath(org.segmentation.config.UpliftSettings.BLOCK,
                org.segmentation.config.UpliftSettings.MODELS) + " (" + model.name() + ")."
                + org.segmentation.config.ClusteringSettings.FEATURES);
      }
    }
    if (settings.affinity().enabled()) {
      AffinityLines.check(run.spark(), settings);
    }
    if (settings.audiences().any()) {
      AudienceMembers.check(AudienceView.empty(run.spark(), settings, run.runDate()), settings.audiences());
    }
    if (settings.experiments().enabled()) {
      java.util.Set<String> columns = new java.util.HashSet<>(TableCatalog.CUSTOMER_SEGMENTS.columnNames());
      settings.profiles().attributes().forEach(a -> columns.add(Columns.PROFILE_ATTRIBUTES + "." + a.name()));
      List<String> unknown = settings.experiments().breakdowns().stream().filter(c -> !columns.contains(c)).toList();
      if (!unknown.isEmpty()) {
        throw new ConfigurationException(JobSettings.keyPath(ExperimentSettings.BLOCK, "breakdowns") + ": " + unknown
            + " are not customer_segments columns; a breakdown's cells are a customer's values in that table on "
            + "the night of the send (for example rfm_segment, cluster_name, clv_tier, or "
            + Columns.PROFILE_ATTRIBUTES + ".<a declared profile attribute>)");
      }
    }
    return new Checked(settings.rfm().segments().size(), neverMatched);
  }
}
