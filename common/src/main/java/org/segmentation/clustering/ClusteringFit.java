package org.segmentation.clustering;

import static org.segmentation.clustering.ClusteringModel.FEATURES;
import static org.segmentation.clustering.ClusteringModel.PREDICTION;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.spark.ml.Pipeline;
import org.apache.spark.ml.PipelineModel;
import org.apache.spark.ml.PipelineStage;
import org.apache.spark.ml.Transformer;
import org.apache.spark.ml.evaluation.ClusteringEvaluator;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.storage.StorageLevel;
import org.segmentation.config.ClusteringSettings;

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
 */
public final class ClusteringFit {
  private ClusteringFit() {}

  /**
   * @param features the customers to cluster (the caller persists them: the estimators iterate)
   * @param previous the model in use before this refit, or NULL
   */
  public static ClusteringModel fit(Dataset<Row> features, ClusteringSettings settings, ClusteringModel previous) {
    long rows = features.count();
    Map<Integer, Double> silhouettes = new LinkedHashMap<>();
    ClusteringEvaluator evaluator = new ClusteringEvaluator().setFeaturesCol(FEATURES).setPredictionCol(PREDICTION);
    Dataset<Row> sample = onePartitionPerCore(sample(features, rows, settings.sampleRows(), settings.seed())).cache();
    int k = settings.k();
    if (k == 0) {
      int best = settings.kMin();
      for (int candidate = settings.kMin(); candidate <= Math.min(settings.kMax(), Math.max(2, rows - 1));
          candidate++) {
        double score = silhouette(evaluator, fitPipeline(sample, settings, candidate, 1).transform(sample));
        silhouettes.put(candidate, score);
        if (score > silhouettes.getOrDefault(best, Double.NEGATIVE_INFINITY)) {
          best = candidate;
        }
      }
      k = best;
    }
    Dataset<Row> fitRows = sample(features, rows, settings.fitRows(), settings.seed());
    PipelineModel fitted = fitPipeline(fitRows, settings, k, settings.restarts());
    if (silhouettes.isEmpty()) {
      // k was fixed: record the final model's silhouette, on the same kind of sample. With auto-k the candidates'
      // scores stay as measured, so the record shows why k won.
      silhouettes.put(k, silhouette(evaluator, fitted.transform(sample)));
    }
    sample.unpersist();
    List<Integer> ids = new ArrayList<>();
    for (int i = 0; i < ClusterEstimator.clusterCount(fitted.stages()[fitted.stages().length - 1]); i++) {
      ids.add(i);
    }
    ClusteringModel model = new ClusteringModel(fitted, ids, silhouettes);
    return previous == null ? model : ClusterIdMatching.matchIds(model, previous, features);
  }

  /** The feature stages and the best of {@code restarts} estimator fits for k, as one PipelineModel. */
  static PipelineModel fitPipeline(Dataset<Row> features, ClusteringSettings settings, int k, int restarts) {
    PipelineModel preparation = FeaturePreparation.pipeline(settings).fit(features);
    Dataset<Row> prepared = onePartitionPerCore(preparation.transform(features).select(FEATURES))
        .persist(StorageLevel.MEMORY_AND_DISK());
    try {
      ClusterEstimator.Fitted best = null;
      for (int restart = 0; restart < restarts; restart++) {
        ClusterEstimator.Fitted fitted = ClusterEstimator.fit(settings.algorithm(), prepared, k,
            settings.seed() + restart, settings.maxIterations());
        if (best == null || fitted.cost() < best.cost()) {
          best = fitted;
        }
      }
      Transformer estimator = best.model();
      // A Pipeline of fitted transformers fits to itself: nothing is refitted.
      return new Pipeline().setStages(new PipelineStage[] {preparation, estimator}).fit(features);
    } finally {
      prepared.unpersist();
    }
  }

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

  private static Dataset<Row> sample(Dataset<Row> features, long rows, int atMost, long seed) {
    return rows <= atMost ? features : features.sample(false, (double) atMost / rows, seed);
  }
}
