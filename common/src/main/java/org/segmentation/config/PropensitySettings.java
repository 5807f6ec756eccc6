package org.segmentation.config;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.segmentation.config.ClusteringSettings.Feature;

/**
 * The propensity and lookalike models scored every night (customer_propensity, propensity_model_metrics).
 *
 * @param enabled whether the night fits and scores the models
 * @param models the models, each with its label and features
 * @param evaluationShare the share of customers held out for every figure of propensity_model_metrics
 * @param calibrationShare the share of customers whose scores fit the isotonic calibration
 * @param folds cross-validation folds that choose the learner
 * @param trees gradient-boosted trees' iterations (0: logistic regression only)
 * @param depth the trees' depth
 * @param seed the seed of the split (a hash of the customer id), the folds, the learners and the bootstrap
 * @param bootstrapResamples resamples of the AUC's interval
 * @param confidence the interval's confidence
 * @param refitEveryDays a saved model (same settings, published run) is reused until it is this many days old; 0:
 *     refit every night
 */
public record PropensitySettings(boolean enabled, List<Model> models, double evaluationShare,
    double calibrationShare, int folds, int trees, int depth, long seed, int bootstrapResamples, double confidence,
    int refitEveryDays) {
  public static final String BLOCK = "propensity";
  public static final String MODELS = "models";

  /** What a model learns to predict. */
  public enum LabelKind {
    /**
     * A counted order (optionally of lines matching a condition) in the window-days days up to the run date, learned
     * from the features as they stood at the window's start; everyone is then scored on tonight's features.
     */
    PURCHASE,
    /** A condition over tonight's customer features (a profile column such as a churn flag); NULL: unlabelled. */
    COLUMN,
    /**
     * Membership of a seed group (a condition over tonight's customer_segments), learned among the customers with
     * purchases from profile features only, so that prospects can be scored: "prospects who look like our Champions".
     */
    LOOKALIKE
  }

  /**
   * One model.
   *
   * @param name the model's name in the tables (letters, digits and underscores)
   * @param kind what it predicts
   * @param windowDays PURCHASE: the label window's length in days
   * @param condition PURCHASE: the purchase lines that count (empty: every line); COLUMN: the label over the customer
   *     features; LOOKALIKE: the seed group over customer_segments
   * @param features the features and their transforms (empty: the clustering features; a lookalike must list its
   *     own, from the profile)
   */
  public record Model(String name, LabelKind kind, int windowDays, String condition, List<Feature> features) {
    public Model {
      features = List.copyOf(features);
    }

    /** The features this model learns from: its own, or the clustering features. */
    public List<Feature> featuresOr(List<Feature> clusteringFeatures) {
      return features.isEmpty() ? clusteringFeatures : features;
    }

    /** The label in words, for the metrics table. */
    public String describeLabel() {
      return switch (kind) {
        case PURCHASE -> "a counted order" + (condition.isEmpty() ? "" : " of lines where " + condition)
            + " in the next " + windowDays + " days";
        case COLUMN -> condition;
        case LOOKALIKE -> "looks like the seed " + condition;
      };
    }
  }

  public PropensitySettings {
    models = List.copyOf(models);
  }

  /**
   * A SHA-256 prefix of what a model's fit depends on: its label, condition and features, the split, folds, learners
   * and seed. Not the interval's resamples, the refit interval or whether propensity is on. A saved model is reused
   * only under the same fingerprint.
   */
  public String fingerprint(Model model, List<Feature> features) {
    return SettingsLoader.fingerprintOf(String.join("|", model.name(), model.kind().name(),
        "window=" + model.windowDays(), "condition=" + model.condition(), features.toString(),
        "evaluation=" + evaluationShare, "calibration=" + calibrationShare, "folds=" + folds, "trees=" + trees,
        "depth=" + depth, "seed=" + seed));
  }

  static PropensitySettings read(ConfigReader in) {
    List<Model> models = new ArrayList<>();
    Set<String> names = new HashSet<>();
    for (ConfigReader m : in.children(MODELS)) {
      String name = m.modelName("name", names);
      LabelKind kind = m.oneOf("label", LabelKind.class);
      int window = 0;
      String condition = "";
      if (kind == LabelKind.PURCHASE) {
        window = m.intBetween("window-days", 1, 3660);
        condition = m.has("lines") ? m.nonBlankString("lines") : "";
      } else if (kind == LabelKind.COLUMN) {
        condition = m.nonBlankString("column");
      } else if (kind == LabelKind.LOOKALIKE) {
        condition = m.nonBlankString("seed");
      }
      List<Feature> features = m.has(ClusteringSettings.FEATURES)
          ? ClusteringSettings.readFeatures(m, ClusteringSettings.FEATURES) : List.of();
      if (kind == LabelKind.LOOKALIKE && features.isEmpty()) {
        m.problem(ClusteringSettings.FEATURES, "a lookalike learns from profile features only: list them (for "
            + "example age, income, region), since the seed is defined by what buyers did");
      }
      m.rejectUnknownKeys();
      models.add(new Model(name, kind, window, condition, features));
    }
    PropensitySettings settings = new PropensitySettings(in.bool("enabled"), models,
        in.doubleBetween("evaluation-share", 0.01, 0.5), in.doubleBetween("calibration-share", 0.01, 0.5),
        in.intBetween("folds", 2, 10), in.intBetween("trees", 0, 500), in.intBetween("depth", 1, 10),
        in.longAtLeast("seed", Long.MIN_VALUE), in.intBetween("bootstrap-resamples", 50, 100_000),
        in.doubleBetween("confidence", 0.5, 0.999), in.intBetween("refit-every-days", 0, 3650));
    if (settings.evaluationShare + settings.calibrationShare > 0.8) {
      in.problem("calibration-share", "evaluation-share + calibration-share must leave at least 20 % of the "
          + "customers to train on");
    }
    if (settings.enabled && models.isEmpty()) {
      in.problem(MODELS, "list at least one model when propensity is enabled");
    }
    in.rejectUnknownKeys();
    return settings;
  }
}
