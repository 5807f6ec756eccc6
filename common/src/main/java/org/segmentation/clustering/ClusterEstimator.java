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

  /**
   * Why a fitted model cannot be used, if it cannot: a centre, weight, mean or covariance that is not a finite number
   * (a cluster that lost every point, a covariance that degenerated), or a cost that is not finite. Such a model
   * would give every customer a NaN distance or no cluster at all.
   */
  static Optional<String> problemOf(Fitted fitted) {
    if (!Double.isFinite(fitted.cost())) {
      return Optional.of("its cost is " + fitted.cost());
    }
    Transformer model = fitted.model();
    Optional<Vector[]> centers = centers(model);
    if (centers.isPresent()) {
      for (int i = 0; i < centers.get().length; i++) {
        if (!finite(centers.get()[i].toArray())) {
          return Optional.of("the centre of cluster " + i + " is not finite " + centers.get()[i]);
        }
      }
      return Optional.empty();
    }
    GaussianMixtureModel mixture = (GaussianMixtureModel) model;
    for (int i = 0; i < mixture.getK(); i++) {
      if (!Double.isFinite(mixture.weights()[i])) {
        return Optional.of("the weight of component " + i + " is " + mixture.weights()[i]);
      }
      if (!finite(mixture.gaussians()[i].mean().toArray())) {
        return Optional.of("the mean of component " + i + " is not finite");
      }
      if (!finite(mixture.gaussians()[i].cov().toArray())) {
        return Optional.of("the covariance of component " + i + " is not finite");
      }
    }
    return Optional.empty();
  }

  private static boolean finite(double[] values) {
    for (double value : values) {
      if (!Double.isFinite(value)) {
        return false;
      }
    }
    return true;
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
