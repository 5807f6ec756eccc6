package org.segmentation.config;

import java.time.DateTimeException;
import java.time.ZoneId;
import java.util.List;
import java.util.Map;

/**
 * Everything the nightly job is configured with, read from the {@code segments} block, validated as a whole.
 *
 * @param appName the Spark application name
 * @param timeZone the business time zone: run dates, purchase days and recency are counted in it
 * @param ruleSegments rule-based segments: name to a Spark SQL condition over the customer features
 * @param audiences the audiences exported to campaign tools
 * @param experimentsInput experiments run in another tool (optional; read by ReadOutExperiments, and by the night
 *     only when an uplift model learns from one)
 * @param surveys satisfaction answers (optional): CSAT or NPS per segment in segment_kpis
 * @param experiments the measurement of the audiences' holdouts, and of the experiments input
 * @param prospectClustering the prospects' clusters (profile features only; prospect_cluster_id)
 * @param kpis the night's figures per segment (segment_kpis)
 * @param propensity the propensity and lookalike models (customer_propensity, propensity_model_metrics)
 * @param uplift the uplift models learned from the audiences' experiments (customer_uplift, uplift_model_metrics)
 * @param report the HTML report of each night
 * @param run the lake lease and the steps' time limits
 */
public record JobSettings(
    String appName,
    ZoneId timeZone,
    SparkSettings spark,
    LakeSettings lake,
    SourceSettings purchases,
    SourceSettings profiles,
    SourceSettings experimentsInput,
    SourceSettings surveys,
    SourceSettings products,
    QualitySettings quality,
    RfmSettings rfm,
    FeatureSettings features,
    ClusteringSettings clustering,
    ClusteringSettings prospectClustering,
    ClvSettings clv,
    Map<String, String> ruleSegments,
    AudienceSettings audiences,
    ExperimentSettings experiments,
    KpiSettings kpis,
    PropensitySettings propensity,
    UpliftSettings uplift,
    AffinitySettings affinity,
    ReportSettings report,
    RunSettings run) {

  /** The block every setting lives in. */
  public static final String ROOT = "segments";
  /** Blocks and keys that code outside this package names in its messages. */
  public static final String INPUTS = "inputs";
  public static final String RULE_SEGMENTS = "rule-segments";
  public static final String FEATURES = "features";
  /** The prospects' clustering: the clustering block's keys, on profile features. */
  public static final String PROSPECT_CLUSTERING = "prospect-clustering";

  /** The full path of a key, for messages: {@code keyPath("rfm", "segments")} is "segments.rfm.segments". */
  public static String keyPath(String... parts) {
    return ROOT + "." + String.join(".", parts);
  }

  /**
   * The settings of a configuration file plus overrides. (No typesafe-config type in the signature: the job jar
   * relocates that library, and benchmark programs outside the jar call this.)
   */
  public static JobSettings load(java.io.File file, Map<String, String> overrides) {
    return read(SettingsLoader.load(file, overrides));
  }

  /**
   * Reads every block, collecting all problems, and throws one ConfigurationException listing them. The purchases
   * input is required: this is what the nightly job and the tools that share its configuration read.
   */
  public static JobSettings read(com.typesafe.config.Config config) {
    return read(config, true);
  }

  /**
   * The settings of ReadOutExperiments, which reads the experiments input only: it is required, and the purchases
   * and profiles blocks are turned off (a read-out configuration need not name them).
   */
  public static JobSettings readForExperimentReadOut(com.typesafe.config.Config config) {
    com.typesafe.config.ConfigValue off = com.typesafe.config.ConfigValueFactory.fromAnyRef(false);
    JobSettings settings = read(config.withValue(keyPath(INPUTS, SourceSettings.PURCHASES, "enabled"), off)
        .withValue(keyPath(INPUTS, SourceSettings.PROFILES, "enabled"), off), false);
    if (!settings.experimentsInput().enabled()) {
      throw new org.segmentation.run.ConfigurationException(keyPath(INPUTS, SourceSettings.EXPERIMENTS, "enabled")
          + ": the experiments input is what ReadOutExperiments reads; enable it and give its path");
    }
    return settings;
  }

  private static JobSettings read(com.typesafe.config.Config config, boolean purchasesRequired) {
    ConfigReader in = ConfigReader.at(config, ROOT);
    ZoneId zone = ZoneId.of("UTC");
    String zoneName = in.nonBlankString("time-zone");
    try {
      zone = ZoneId.of(zoneName);
    } catch (DateTimeException e) {
      in.problem("time-zone", "must be a time-zone id such as UTC or Europe/Paris, got \"" + zoneName + "\"");
    }
    ConfigReader inputs = in.child(INPUTS);
    SourceSettings purchases = SourceSettings.read(inputs.child(SourceSettings.PURCHASES), SourceSettings.PURCHASES);
    if (purchasesRequired && !purchases.enabled()) {
      inputs.problem(SourceSettings.PURCHASES + ".enabled", "the purchases input is required");
    }
    SourceSettings profiles = SourceSettings.read(inputs.child(SourceSettings.PROFILES), SourceSettings.PROFILES);
    SourceSettings experimentsInput = SourceSettings.read(inputs.child(SourceSettings.EXPERIMENTS),
        SourceSettings.EXPERIMENTS);
    SourceSettings surveys = SourceSettings.read(inputs.child(SourceSettings.SURVEYS), SourceSettings.SURVEYS);
    SourceSettings products = SourceSettings.read(inputs.child(SourceSettings.PRODUCTS), SourceSettings.PRODUCTS);
    inputs.rejectUnknownKeys();
    JobSettings settings = new JobSettings(
        in.nonBlankString("app-name"),
        zone,
        SparkSettings.read(in.child("spark")),
        LakeSettings.read(in.child("lake")),
        purchases,
        profiles,
        experimentsInput,
        surveys,
        products,
        QualitySettings.read(in.child(QualitySettings.BLOCK)),
        RfmSettings.read(in.child(RfmSettings.BLOCK)),
        FeatureSettings.read(in.child(FEATURES)),
        ClusteringSettings.read(in.child(ClusteringSettings.BLOCK)),
        ClusteringSettings.read(in.child(PROSPECT_CLUSTERING)),
        ClvSettings.read(in.child(ClvSettings.BLOCK)),
        in.stringMap(RULE_SEGMENTS),
        AudienceSettings.read(in.child(AudienceSettings.BLOCK)),
        ExperimentSettings.read(in.child(ExperimentSettings.BLOCK)),
        KpiSettings.read(in.child(KpiSettings.BLOCK)),
        PropensitySettings.read(in.child(PropensitySettings.BLOCK)),
        UpliftSettings.read(in.child(UpliftSettings.BLOCK)),
        AffinitySettings.read(in.child(AffinitySettings.BLOCK)),
        ReportSettings.read(in.child(ReportSettings.BLOCK)),
        RunSettings.read(in.child(RunSettings.BLOCK)));
    settings.features().checkAgainst(purchases.schema(), in.child(FEATURES));
    ConfigReader costs = in.child(ExperimentSettings.BLOCK).child(ExperimentSettings.COSTS);
    settings.experiments().contactCosts().keySet().stream()
        .filter(d -> !settings.audiences().destinations().containsKey(d))
        .forEach(d -> costs.problem(ExperimentSettings.PER_CONTACT + "." + d, "no destination \"" + d
            + "\" in audiences.destinations"));
    settings.experiments().campaignCosts().keySet().stream()
        .filter(a -> !settings.audiences().audiences().containsKey(a))
        .forEach(a -> costs.problem(ExperimentSettings.PER_CAMPAIGN + "." + a, "no audience \"" + a
            + "\" in audiences.lists"));
    List<ConfigReader> upliftModels = in.child(UpliftSettings.BLOCK).children(UpliftSettings.MODELS);
    for (int i = 0; i < settings.uplift().models().size(); i++) {
      checkUpliftSource(settings, settings.uplift().models().get(i), upliftModels.get(i));
    }
    if (experimentsInput.enabled()) {
      settings.experiments().external().checkAgainst(experimentsInput,
          in.child(ExperimentSettings.BLOCK).child(ExperimentSettings.EXTERNAL));
    }
    in.rejectUnknownKeys();
    in.throwIfProblems();
    return settings;
  }

  /**
   * An uplift model's experiment exists: an audience with a holdout, or (external) inputs.experiments enabled and the
   * outcome one of experiments.external.metrics.
   */
  private static void checkUpliftSource(JobSettings settings, UpliftSettings.Model model, ConfigReader in) {
    if (model.external()) {
      if (!settings.experimentsInput().enabled()) {
        in.problem("experiment", "the model learns from the experiment \"" + model.experiment() + "\" of "
            + keyPath(INPUTS, SourceSettings.EXPERIMENTS) + ", which is not enabled");
      }
      List<String> metrics = settings.experiments().external().metrics().stream()
          .map(ExperimentSettings.InputMetric::name).toList();
      if (!metrics.contains(model.outcome())) {
        in.problem("outcome", "\"" + model.outcome() + "\" is not one of " + keyPath(ExperimentSettings.BLOCK,
            ExperimentSettings.EXTERNAL, ExperimentSettings.External.METRICS) + " " + metrics);
      }
      return;
    }
    if (model.audience().isEmpty()) {
      return; // neither named: UpliftSettings said so
    }
    AudienceSettings.Audience measured = settings.audiences().audiences().get(model.audience());
    if (measured == null) {
      in.problem("audience", "no audience \"" + model.audience() + "\" in audiences.lists");
    } else if (!(measured.holdoutShare() > 0)) {
      in.problem("audience", "the audience \"" + model.audience() + "\" has no holdout "
          + "(holdout-share = 0): there is no experiment to learn from");
    }
  }
}
