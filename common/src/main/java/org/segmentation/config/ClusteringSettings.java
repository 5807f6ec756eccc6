package org.segmentation.config;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * MLlib clustering of customers on their features.
 *
 * @param enabled false to skip clustering (cluster columns stay NULL)
 * @param algorithm the MLlib estimator
 * @param k the number of clusters; 0 = choose it over kMin..kMax by silhouette on a sample
 * @param sampleRows rows of the sample on which candidate k are compared
 * @param fitRows at most this many customers (a sample) fit the final model; all of them are assigned
 * @param seed the random seed of sampling and of the estimators: same seed and input, same clusters
 * @param maxIterations iteration cap of the estimator
 * @param restarts fits from this many seeds (seed, seed + 1 ...), keeping the best (lowest cost)
 * @param refitEveryDays reuse the latest saved model younger than this many days; 0 = refit every run
 * @param features which customer features feed the clustering and how each is transformed
 * @param names cluster id to a name that replaces the generated one
 * @param singleTaskRows KMeans on at most this many rows is fitted inside one Spark task (one job per fit instead of
 *     one per iteration); 0 = always MLlib's distributed KMeans
 */
public record ClusteringSettings(boolean enabled, Algorithm algorithm, int k, int kMin, int kMax, int sampleRows,
    int fitRows, long seed, int maxIterations, int restarts, int refitEveryDays, List<Feature> features,
    Map<Integer, String> names, int singleTaskRows) {

  /** The default of {@code single-task-rows}. */
  public static final int SINGLE_TASK_ROWS = 200_000;

  /** With the default single-task-rows. */
  public ClusteringSettings(boolean enabled, Algorithm algorithm, int k, int kMin, int kMax, int sampleRows,
      int fitRows, long seed, int maxIterations, int restarts, int refitEveryDays, List<Feature> features,
      Map<Integer, String> names) {
    this(enabled, algorithm, k, kMin, kMax, sampleRows, fitRows, seed, maxIterations, restarts, refitEveryDays,
        features, names, SINGLE_TASK_ROWS);
  }

  public static final String BLOCK = "clustering";
  /** The feature list (named in the messages of the feature check). */
  public static final String FEATURES = "features";

  public enum Algorithm { KMEANS, BISECTING_KMEANS, GAUSSIAN_MIXTURE }

  /** How a feature is turned into model input. */
  public enum Transform {
    /** numeric, scaled to mean 0 and standard deviation 1 */
    STANDARDIZE,
    /** numeric, log(1 + max(x, 0)) then standardised: for skewed amounts and counts */
    LOG1P,
    /** categorical string: one 0/1 column per value (a column for unseen values too) */
    ONE_HOT,
    /** list of tags: one 0/1 column per tag */
    MULTI_HOT,
    /**
     * numeric, cut into {@code buckets} bands of about equal size (quantiles of the fitting sample), then one 0/1
     * column per band and one for a missing value: for features whose effect is not monotone, such as age
     */
    BUCKETIZE;

    /** Whether the transform takes a numeric feature. */
    public boolean numeric() {
      return this == STANDARDIZE || this == LOG1P || this == BUCKETIZE;
    }
  }

  /**
   * @param name a column of the customer features table
   * @param missingIndicator for standardize and log1p: add a 0/1 "was missing" input next to the imputed value
   * @param buckets for bucketize: the number of bands (2 or more); 0 otherwise
   */
  public record Feature(String name, Transform transform, boolean missingIndicator, int buckets) {
    public Feature(String name, Transform transform, boolean missingIndicator) {
      this(name, transform, missingIndicator, 0);
    }
  }

  public ClusteringSettings {
    features = List.copyOf(features);
    names = Map.copyOf(names);
  }

  /**
   * A SHA-256 prefix of what a fitted model depends on: the features and their transforms, the algorithm, k and its
   * range, the samples, the seed, iterations and restarts, and the single-task threshold (another fitting path). Not
   * the cluster names, the refit interval or whether clustering is on. A saved model is reused only under the same
   * fingerprint.
   */
  public String fingerprint() {
    String fitted = String.join("|", algorithm.name(), "k=" + k, "k-min=" + kMin, "k-max=" + kMax,
        "sample-rows=" + sampleRows, "fit-rows=" + fitRows, "seed=" + seed, "max-iterations=" + maxIterations,
        "restarts=" + restarts, "single-task-rows=" + singleTaskRows, features.toString());
    return SettingsLoader.fingerprintOf(fitted);
  }

  /** A list of features, [{ name, transform, missing-indicator, buckets }, ...] (the propensity models' too). */
  static List<Feature> readFeatures(ConfigReader in, String key) {
    List<Feature> features = new ArrayList<>();
    for (ConfigReader f : in.children(key)) {
      Transform transform = f.oneOf("transform", Transform.class);
      int buckets = 0;
      if (transform == Transform.BUCKETIZE && f.has("buckets")) {
        buckets = f.intBetween("buckets", 2, 100);
      } else if (transform == Transform.BUCKETIZE) {
        f.problem("buckets", "transform bucketize needs the number of bands, for example buckets = 5");
      } else if (f.has("buckets")) {
        f.problem("buckets", "only applies to transform bucketize");
      }
      features.add(new Feature(f.nonBlankString("name"), transform,
          f.has("missing-indicator") && f.bool("missing-indicator"), buckets));
      f.rejectUnknownKeys();
    }
    return features;
  }

  static ClusteringSettings read(ConfigReader in) {
    List<Feature> features = readFeatures(in, FEATURES);
    Map<Integer, String> names = new LinkedHashMap<>();
    for (Map.Entry<String, String> entry : in.stringMap("names").entrySet()) {
      try {
        names.put(Integer.parseInt(entry.getKey()), entry.getValue());
      } catch (NumberFormatException e) {
        in.problem("names." + entry.getKey(), "keys are cluster ids (whole numbers)");
      }
    }
    ClusteringSettings settings = new ClusteringSettings(in.bool("enabled"), in.oneOf("algorithm", Algorithm.class),
        in.intBetween("k", 0, 200), in.intBetween("k-min", 2, 200), in.intBetween("k-max", 2, 200),
        in.intBetween("sample-rows", 100, 10_000_000), in.intBetween("fit-rows", 100, Integer.MAX_VALUE),
        in.longAtLeast("seed", Long.MIN_VALUE),
        in.intBetween("max-iterations", 1, 1000), in.intBetween("restarts", 1, 20),
        in.intBetween("refit-every-days", 0, 3650), features, names,
        in.intBetween("single-task-rows", 0, 10_000_000));
    if (settings.kMin > settings.kMax) {
      in.problem("k-min", "must not exceed k-max (" + settings.kMax + "), got " + settings.kMin);
    }
    if (settings.enabled && features.isEmpty()) {
      in.problem(FEATURES, "must list at least one feature when clustering is enabled");
    }
    in.rejectUnknownKeys();
    return settings;
  }
}
