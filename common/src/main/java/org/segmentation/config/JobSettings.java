package org.segmentation.config;

import java.time.DateTimeException;
import java.time.ZoneId;
import java.util.Map;
import java.util.Set;

/**
 * Everything the nightly job is configured with, read from the {@code segments} block, validated as a whole.
 *
 * @param appName the Spark application name
 * @param timeZone the business time zone: run dates, purchase days and recency are counted in it
 * @param ruleSegments rule-based segments: name to a Spark SQL condition over the customer features
 */
public record JobSettings(
    String appName,
    ZoneId timeZone,
    SparkSettings spark,
    LakeSettings lake,
    SourceSettings purchases,
    SourceSettings profiles,
    QualitySettings quality,
    RfmSettings rfm,
    FeatureSettings features,
    ClusteringSettings clustering,
    Map<String, String> ruleSegments) {

  public static final String ROOT = "segments";
  static final Set<String> KEYS = Set.of("app-name", "time-zone", "spark", "lake", "inputs", "quality", "rfm",
      "features", "clustering", "rule-segments");

  /**
   * The settings of a configuration file plus overrides. (No typesafe-config type in the signature: the job jar
   * relocates that library, and benchmark programs outside the jar call this.)
   */
  public static JobSettings load(java.io.File file, Map<String, String> overrides) {
    return read(SettingsLoader.load(file, overrides));
  }

  /** Reads every block, collecting all problems, and throws one ConfigurationException listing them. */
  public static JobSettings read(com.typesafe.config.Config config) {
    ConfigReader in = ConfigReader.at(config, ROOT);
    in.rejectUnknownKeys(KEYS);
    ZoneId zone = ZoneId.of("UTC");
    String zoneName = in.nonBlankString("time-zone");
    try {
      zone = ZoneId.of(zoneName);
    } catch (DateTimeException e) {
      in.problem("time-zone", "must be a time-zone id such as UTC or Europe/Paris, got \"" + zoneName + "\"");
    }
    ConfigReader inputs = in.child("inputs");
    inputs.rejectUnknownKeys(Set.of("purchases", "profiles"));
    SourceSettings purchases = SourceSettings.read(inputs.child("purchases"), "purchases");
    if (!purchases.enabled()) {
      inputs.problem("purchases.enabled", "the purchases input is required");
    }
    JobSettings settings = new JobSettings(
        in.nonBlankString("app-name"),
        zone,
        SparkSettings.read(in.child("spark")),
        LakeSettings.read(in.child("lake")),
        purchases,
        SourceSettings.read(inputs.child("profiles"), "profiles"),
        QualitySettings.read(in.child("quality")),
        RfmSettings.read(in.child("rfm")),
        FeatureSettings.read(in.child("features")),
        ClusteringSettings.read(in.child("clustering")),
        in.stringMap("rule-segments"));
    in.throwIfProblems();
    return settings;
  }
}
