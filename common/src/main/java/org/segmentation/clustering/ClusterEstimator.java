package org.segmentation.clustering;

import static org.segmentation.clustering.ClusteringModel.FEATURES;
import static org.segmentation.clustering.ClusteringModel.PREDICTION;
import static org.segmentation.clustering.ClusteringModel.PROBABILITY;

import java.util.List;
import java.util.Optional;
import org.apache.spark.ml.Transformer;
import org.apache.spark.ml.clustering.BisectingKMeans;
import org.apache.spark.ml.clustering.BisectingKMeansModel;
import org.apache.spark.ml.clustering.GaussianMixture;
import org.apache.spark.ml.clustering.GaussianMixtureModel;
import org.apache.spark.ml.clustering.KMeans;
import org.apache.spark.ml.clustering.KMeansModel;
import org.apache.spark.ml.linalg.Vector;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.segmentation.config.ClusteringSettings.Algorithm;

/**
 * The three MLlib estimators behind one face: the one place that knows which class each algorithm is, how to seed it,
 * what its cost is and whether it has centroids.
 */
final class ClusterEstimator {
  private ClusterEstimator() {}

  /**
   * One fit.
   *
   * @param model the fitted estimator
   * @param cost lower is better: within-cluster sum of squares (KMeans, BisectingKMeans) or minus the log-likelihood
   *     (GaussianMixture)
   */
  record Fitted(Transformer model, double cost) {}

  /**
   * Fits {@code algorithm} for k clusters on prepared rows ({@code __features}) from one seed. Runs Spark jobs.
   *
   * @param singleTask the rows fit one task: KMeans is fitted there ({@link SingleTaskKMeans}), in one Spark job
   */
  static Fitted fit(Algorithm algorithm, Dataset<Row> prepared, int k, long seed, int maxIterations,
      boolean singleTask) {
    return switch (algorithm) {
      case KMEANS -> {
        if (singleTask) {
          yield SingleTaskKMeans.fitAll(prepared, List.of(new SingleTaskKMeans.Request(k, seed)), maxIterations, false)
              .get(0).fitted();
        }
        KMeansModel fitted = new KMeans().setK(k).setSeed(seed).setMaxIter(maxIterations)
            .setFeaturesCol(FEATURES).setPredictionCol(PREDICTION).fit(prepared);
        yield new Fitted(fitted, fitted.summary().trainingCost());
      }
      case BISECTING_KMEANS -> {
        BisectingKMeansModel fitted = new BisectingKMeans().setK(k).setSeed(seed).setMaxIter(maxIterations)
            .setFeaturesCol(FEATURES).setPredictionCol(PREDICTION).fit(prepared);
        yield new Fitted(fitted, fitted.summary().trainingCost());
      }
      case GAUSSIAN_MIXTURE -> {
        GaussianMixtureModel fitted = new GaussianMixture().setK(k).setSeed(seed).setMaxIter(maxIterations)
            .setFeaturesCol(FEATURES).setPredictionCol(PREDICTION).setProbabilityCol(PROBABILITY).fit(prepared);
        yield new Fitted(fitted, -fitted.summary().logLikelihood());
      }
    };
  }

  /** The centroids of a KMeans or BisectingKMeans model (scaled feature space); empty for a mixture. */
  static Optional<Vector[]> centers(Transformer fitted) {
    if (fitted instanceof KMeansModel km) {
      return Optional.of(km.clusterCenters());
    }
    if (fitted instanceof BisectingKMeansModel bkm) {
      return Optional.of(bkm.clusterCenters());
    }
    return Optional.empty();
  }

  /** How many clusters the fitted model predicts (fewer than asked when BisectingKMeans cannot split further). */
  static int clusterCount(Transformer fitted) {
    return centers(fitted).map(c -> c.length).orElseGet(() -> ((GaussianMixtureModel) fitted).getK());
  }
}
