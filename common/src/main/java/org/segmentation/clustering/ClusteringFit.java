package org.segmentation.clustering;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.pmod;
import static org.apache.spark.sql.functions.xxhash64;
import static org.segmentation.clustering.ClusteringModel.FEATURES;
import static org.segmentation.clustering.ClusteringModel.PREDICTION;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.spark.ml.Pipeline;
import org.apache.spark.ml.PipelineModel;
import org.apache.spark.ml.PipelineStage;
import org.apache.spark.ml.Transformer;
import org.apache.spark.ml.evaluation.ClusteringEvaluator;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.storage.StorageLevel;
import org.segmentation.config.ClusteringSettings;
import org.segmentation.config.ConfigReader;
import org.segmentation.schema.Columns;

/**
 * Fits the clustering: runs Spark jobs and returns a {@link ClusteringModel} (MLlib's estimator half; assignment is
 * the pure {@link ClusterAssignment}).
 *
 * <p>With k = 0, each k of k-min..k-max is fitted once on a sample of {@code sample-rows} and scored by silhouette.
 * The chosen k is then fitted from {@code restarts} seeds (seed, seed + 1, ...) on a sample of at most
 * {@code fit-rows} customers, keeping the lowest cost: centroids of a few hundred thousand customers are as good as
 * of all of them, the cost no longer grows with the base, and restarts guard against a poor local optimum (which
 * would also move customers between clusters from one refit to the next). With a previous model, the new clusters
 * take its ids ({@link ClusterIdMatching}).
 *
 * <p>No fit is repeated on the same rows: the feature preparation (imputer medians, scaler, indexers) is fitted once
 * per set of rows, not once per candidate k; and when the customers are fewer than both sample-rows and fit-rows
 * (a small night: both "samples" are all of them), the candidate fit of the chosen k is the final fit's first restart,
 * so it is kept rather than fitted again. Same rows, same seeds: the result is what fitting again would give.
 */
public final class ClusteringFit {
  private ClusteringFit() {}

  /**
   * @param features the customers to cluster (the caller persists them: the estimators iterate)
   * @param previous the model in use before this refit, or NULL
   */
  public static ClusteringModel fit(Dataset<Row> features, ClusteringSettings settings, ClusteringModel previous) {
    return fit(features, features.count(), settings, previous);
  }

  /** @param rows the number of rows of {@code features}, when the caller has counted them already */
  public static ClusteringModel fit(Dataset<Row> features, long rows, ClusteringSettings settings,
      ClusteringModel previous) {
    Map<Integer, Double> silhouettes = new LinkedHashMap<>();
    ClusteringEvaluator evaluator = new ClusteringEvaluator().setFeaturesCol(FEATURES).setPredictionCol(PREDICTION);
    Dataset<Row> sample = sample(features, rows, settings.sampleRows(), settings.seed()).cache();
    Plan plan = Plan.of(rows, settings);
    boolean sameRows = plan.sameRows();
    Prepared candidates = !plan.candidates().isEmpty() || sameRows
        ? Prepared.fit(sample, Math.min(rows, settings.sampleRows()), settings) : null;
    int k = settings.k();
    ClusterEstimator.Fitted chosen = null;
    if (k == 0) {
      double bestScore = Double.NEGATIVE_INFINITY;
      for (Candidate candidate : candidates.fitCandidates(settings, plan.candidates(), evaluator)) {
        if (ClusterEstimator.problemOf(candidate.fitted()).isPresent()) {
          continue; // no usable model for this k: not a candidate
        }
        silhouettes.put(candidate.k(), candidate.silhouette());
        if (chosen == null || candidate.silhouette() > bestScore) {
          bestScore = candidate.silhouette();
          chosen = candidate.fitted();
          k = candidate.k();
        }
      }
    }
    if (k == 0) { // no candidate (fewer customers than k-min): k-min, as asked
      k = settings.kMin();
    }
    if (candidates != null && !sameRows) {
      candidates.release(); // the candidates' sample is done with before the final sample is prepared
    }
    Prepared finalRows = sameRows ? candidates : Prepared.fit(sample(features, rows, settings.fitRows(),
        settings.seed()), Math.min(rows, settings.fitRows()), settings);
    ClusterEstimator.Fitted best = sameRows && chosen != null ? chosen : null;
    List<Long> seeds = new ArrayList<>();
    for (int restart = best == null ? 0 : 1; restart < settings.restarts(); restart++) {
      seeds.add(settings.seed() + restart);
    }
    List<String> unusable = new ArrayList<>();
    if (best != null && ClusterEstimator.problemOf(best).isPresent()) {
      unusable.add("seed " + settings.seed() + ": " + ClusterEstimator.problemOf(best).get());
      best = null;
    }
    List<ClusterEstimator.Fitted> restarts = finalRows.fitEach(settings, k, seeds);
    for (int i = 0; i < seeds.size(); i++) {
      ClusterEstimator.Fitted fitted = restarts.get(i);
      Optional<String> problem = ClusterEstimator.problemOf(fitted);
      if (problem.isPresent()) { // a restart whose model cannot be used is no candidate
        unusable.add("seed " + seeds.get(i) + ": " + problem.get());
      } else if (best == null || fitted.cost() < best.cost()) {
        best = fitted;
      }
    }
    if (best == null) {
      throw new ClusteringFitException("The " + ConfigReader.kebab(settings.algorithm()) + " fit for k=" + k
          + " gave no usable model from any of its " + unusable.size() + " seeds (" + String.join("; ", unusable)
          + "). Its features may be constant within a cluster or on a very different scale: look at "
          + "segments.clustering.features, or use algorithm = \"kmeans\"");
    }
    // A Pipeline of fitted transformers fits to itself: nothing is refitted.
    PipelineModel model = new Pipeline().setStages(new PipelineStage[] {finalRows.preparation(), best.model()})
        .fit(features);
    if (silhouettes.isEmpty()) {
      // k was fixed: record the final model's silhouette, on the same kind of sample. With auto-k the candidates'
      // scores stay as measured, so the record shows why k won.
      silhouettes.put(k, silhouette(evaluator, model.transform(sample)));
    }
    finalRows.release();
    sample.unpersist();
    List<Integer> ids = new ArrayList<>();
    for (int i = 0; i < ClusterEstimator.clusterCount(best.model()); i++) {
      ids.add(i);
    }
    ClusteringModel fitted = new ClusteringModel(model, ids, silhouettes);
    return previous == null ? fitted : ClusterIdMatching.matchIds(fitted, previous, features);
  }

  /**
   * What a fit will do, decided from the number of customers alone.
   *
   * @param candidates the k compared by silhouette (empty when k is fixed)
   * @param sameRows both samples are every customer (a small night): one feature preparation serves the candidates
   *     and the final fit, and the chosen candidate's fit is the final fit's first restart
   * @param restarts the final fit's seeds
   */
  record Plan(List<Integer> candidates, boolean sameRows, int restarts) {
    static Plan of(long rows, ClusteringSettings settings) {
      List<Integer> candidates = new ArrayList<>();
      if (settings.k() == 0) {
        for (int k = settings.kMin(); k <= Math.min(settings.kMax(), Math.max(2, rows - 1)); k++) {
          candidates.add(k);
        }
      }
      return new Plan(List.copyOf(candidates), rows <= settings.sampleRows() && rows <= settings.fitRows(),
          settings.restarts());
    }

    /** Feature preparations fitted: one per distinct set of rows. */
    int preparations() {
      return sameRows || candidates.isEmpty() ? 1 : 2;
    }

    /** Estimator fits: one per candidate, plus the restarts not already done by the chosen candidate's fit. */
    int estimatorFits() {
      return candidates.size() + restarts - (sameRows && !candidates.isEmpty() ? 1 : 0);
    }
  }

  /**
   * The feature stages fitted on a set of rows, and those rows as model input (one partition per core, persisted:
   * every estimator fit iterates over them).
   */
  private record Prepared(PipelineModel preparation, Dataset<Row> rows, boolean singleTask) {
    /** @param expectedRows about how many rows {@code features} has (a sample's size is approximate) */
    static Prepared fit(Dataset<Row> features, long expectedRows, ClusteringSettings settings) {
      PipelineModel preparation = FeaturePreparation.pipeline(settings).fit(features);
      return new Prepared(preparation, onePartitionPerCore(preparation.transform(features).select(FEATURES))
          .persist(StorageLevel.MEMORY_AND_DISK()), expectedRows <= settings.singleTaskRows());
    }

    /**
     * Each candidate k fitted from the seed and scored by silhouette on these rows, in the candidates' order. In one
     * Spark job when KMeans runs in a single task; otherwise the estimator's and the evaluator's jobs per candidate.
     */
    List<Candidate> fitCandidates(ClusteringSettings settings, List<Integer> ks, ClusteringEvaluator evaluator) {
      if (singleTaskKMeans(settings)) {
        List<SingleTaskKMeans.Request> requests = ks.stream()
            .map(k -> new SingleTaskKMeans.Request(k, settings.seed())).toList();
        return SingleTaskKMeans.fitAll(rows, requests, settings.maxIterations(), true).stream()
            .map(result -> new Candidate(result.k(), result.fitted(), result.silhouette())).toList();
      }
      List<Candidate> scored = new ArrayList<>();
      for (int k : ks) {
        ClusterEstimator.Fitted fitted = fitEstimator(settings, k, settings.seed());
        scored.add(new Candidate(k, fitted, silhouette(evaluator, fitted.model().transform(rows))));
      }
      return scored;
    }

    /** k fitted from each seed, in the seeds' order (in one Spark job when KMeans runs in a single task). */
    List<ClusterEstimator.Fitted> fitEach(ClusteringSettings settings, int k, List<Long> seeds) {
      if (singleTaskKMeans(settings)) {
        List<SingleTaskKMeans.Request> requests = seeds.stream()
            .map(seed -> new SingleTaskKMeans.Request(k, seed)).toList();
        return seeds.isEmpty() ? List.of() : SingleTaskKMeans.fitAll(rows, requests, settings.maxIterations(), false)
            .stream().map(SingleTaskKMeans.Result::fitted).toList();
      }
      return seeds.stream().map(seed -> fitEstimator(settings, k, seed)).toList();
    }

    private boolean singleTaskKMeans(ClusteringSettings settings) {
      return singleTask && settings.algorithm() == ClusteringSettings.Algorithm.KMEANS;
    }

    private ClusterEstimator.Fitted fitEstimator(ClusteringSettings settings, int k, long seed) {
      return ClusterEstimator.fit(settings.algorithm(), rows, k, seed, settings.maxIterations(), singleTask);
    }

    void release() {
      rows.unpersist();
    }
  }

  /** A candidate k's fit and its silhouette. */
  private record Candidate(int k, ClusterEstimator.Fitted fitted, double silhouette) {}

  /** The silhouette, or -1 when the clustering is degenerate (every customer in one cluster: MLlib refuses it). */
  private static double silhouette(ClusteringEvaluator evaluator, Dataset<Row> predicted) {
    try {
      return evaluator.evaluate(predicted);
    } catch (AssertionError | IllegalArgumentException e) {
      return -1.0;
    }
  }

  /**
   * The estimators run one Spark job per iteration over rows that fit in memory (a sample of at most fit-rows):
   * with more partitions than cores, task scheduling, not arithmetic, sets the pace.
   */
  private static Dataset<Row> onePartitionPerCore(Dataset<Row> rows) {
    return rows.coalesce(Math.max(1, rows.sparkSession().sparkContext().defaultParallelism()));
  }

  /**
   * About {@code atMost} of the customers, chosen by a seeded hash of their id: the same customers whatever the order
   * in which the rows arrive (Dataset.sample draws per row in partition order, which a shuffle does not fix).
   */
  private static Dataset<Row> sample(Dataset<Row> features, long rows, int atMost, long seed) {
    if (rows <= atMost) {
      return features;
    }
    long buckets = 1_000_000L;
    return features.where(pmod(xxhash64(lit(seed), col(Columns.CUSTOMER_ID)), lit(buckets))
        .lt(lit((long) Math.floor((double) atMost / rows * buckets))));
  }
}
