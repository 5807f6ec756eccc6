package org.segmentation.config;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.segmentation.config.ClusteringSettings.Feature;

/**
 * The uplift models learned every night from the audiences' experiments (customer_uplift, uplift_model_metrics): who
 * the campaign changes, and how many customers are worth contacting.
 *
 * @param enabled whether the night fits and scores the models
 * @param models the models, each learned from one audience's experiment
 * @param validationShare the share of each arm whose Qini coefficient chooses the learner
 * @param evaluationShare the share of each arm held out for every figure of uplift_model_metrics
 * @param trees gradient-boosted trees' iterations (0: regressions only)
 * @param depth the trees' depth
 * @param seed the seed of the split (a hash of the customer id), the trees and the bootstrap
 * @param bootstrapResamples resamples of the intervals
 * @param confidence the intervals' confidence
 * @param refitEveryDays a saved model (same settings, published run) is reused until it is this many days old; 0:
 *     refit every night
 */
public record UpliftSettings(boolean enabled, List<Model> models, double validationShare, double evaluationShare,
    int trees, int depth, long seed, int bootstrapResamples, double confidence, int refitEveryDays) {
  public static final String BLOCK = "uplift";
  public static final String MODELS = "models";

  /** The outcomes of an audience's experiment, as experiment_results measures them. */
  public static final String CONVERTED = "converted";
  public static final String REVENUE = "revenue";

  /**
   * One model.
   *
   * @param name the model's name in the tables (letters, digits and underscores)
   * @param audience the audience (with a holdout) whose experiment it learns from; blank for an external experiment
   * @param experiment the experiment of inputs.experiments (run in another tool) it learns from; blank for an
   *     audience's
   * @param outcome what it learns to change: for an audience {@value #CONVERTED} (an order in the attribution window)
   *     or {@value #REVENUE} (net revenue in it); for an external experiment, one of experiments.external.metrics
   * @param features the features and their transforms (empty: the clustering features)
   * @param contactCost the cost of contacting one customer (with {@code value}: the budgeted targeting)
   * @param value the value of one unit of the outcome: a conversion's margin, or the margin on one unit of revenue
   *     (0: no budgeted targeting)
   */
  public record Model(String name, String audience, String experiment, String outcome, List<Feature> features,
      double contactCost, double value) {
    public Model {
      features = List.copyOf(features);
    }

    public List<Feature> featuresOr(List<Feature> clusteringFeatures) {
      return features.isEmpty() ? clusteringFeatures : features;
    }

    /** Whether the model learns from an experiment of inputs.experiments rather than an audience's. */
    public boolean external() {
      return !experiment.isBlank();
    }

    /** Where it learns from, for messages: {@code audience everyone}, {@code experiment spring_mail}. */
    public String source() {
      return external() ? "experiment " + experiment : "audience " + audience;
    }

    /** Whether the model plans how many customers to contact. */
    public boolean targeted() {
      return value > 0;
    }
  }

  public UpliftSettings {
    models = List.copyOf(models);
  }

  /** Whether the night reads inputs.experiments: uplift is on and a model learns from an external experiment. */
  public boolean readsExternalExperiments() {
    return enabled && models.stream().anyMatch(Model::external);
  }

  /**
   * A SHA-256 prefix of what a model's fit depends on: its experiment, outcome and features, the split, the learners
   * and the seed. Not the costs, the intervals, the refit interval or whether uplift is on.
   */
  public String fingerprint(Model model, List<Feature> features) {
    return SettingsLoader.fingerprintOf(String.join("|", model.name(), model.source(), model.outcome(),
        features.toString(), "validation=" + validationShare, "evaluation=" + evaluationShare, "trees=" + trees,
        "depth=" + depth, "seed=" + seed));
  }

  static UpliftSettings read(ConfigReader in) {
    List<Model> models = new ArrayList<>();
    Set<String> names = new HashSet<>();
    for (ConfigReader m : in.children(MODELS)) {
      String name = m.modelName("name", names);
      String audience = m.has("audience") ? m.nonBlankString("audience") : "";
      String experiment = m.has("experiment") ? m.nonBlankString("experiment") : "";
      if (audience.isEmpty() == experiment.isEmpty()) {
        m.problem("audience", "name either the audience whose experiment the model learns from (audience = "
            + "\"...\") or an experiment of inputs.experiments (experiment = \"...\"), not both");
      }
      String outcome = m.nonBlankString("outcome");
      if (experiment.isEmpty() && !List.of(CONVERTED, REVENUE).contains(outcome)) {
        m.problem("outcome", "\"" + outcome + "\": an audience's experiment measures \"" + CONVERTED + "\" or \""
            + REVENUE + "\"");
      }
      List<Feature> features = m.has(ClusteringSettings.FEATURES)
          ? ClusteringSettings.readFeatures(m, ClusteringSettings.FEATURES) : List.of();
      double cost = m.has("contact-cost") ? m.doubleBetween("contact-cost", 0, 1e9) : 0;
      double value = m.has("value") ? m.doubleBetween("value", 0, 1e9) : 0;
      m.rejectUnknownKeys();
      models.add(new Model(name, audience, experiment, outcome, features, cost, value));
    }
    UpliftSettings settings = new UpliftSettings(in.bool("enabled"), models,
        in.doubleBetween("validation-share", 0.05, 0.4), in.doubleBetween("evaluation-share", 0.05, 0.5),
        in.intBetween("trees", 0, 500), in.intBetween("depth", 1, 10), in.longAtLeast("seed", Long.MIN_VALUE),
        in.intBetween("bootstrap-resamples", 50, 100_000), in.doubleBetween("confidence", 0.5, 0.999),
        in.intBetween("refit-every-days", 0, 3650));
    if (settings.validationShare + settings.evaluationShare > 0.8) {
      in.problem("evaluation-share", "validation-share + evaluation-share must leave at least 20 % of each arm to "
          + "train on");
    }
    if (settings.enabled && models.isEmpty()) {
      in.problem(MODELS, "list at least one model when uplift is enabled");
    }
    in.rejectUnknownKeys();
    return settings;
  }
}
