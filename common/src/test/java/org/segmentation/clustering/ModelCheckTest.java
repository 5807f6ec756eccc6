package org.segmentation.clustering;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Optional;
import org.apache.spark.ml.clustering.GaussianMixtureModel;
import org.apache.spark.ml.clustering.KMeansModel;
import org.apache.spark.ml.linalg.DenseMatrix;
import org.apache.spark.ml.linalg.Vectors;
import org.apache.spark.ml.stat.distribution.MultivariateGaussian;
import org.junit.jupiter.api.Test;

/**
 * A fitted model is checked before use: a centre, a weight or a cost that is not a finite number makes it unusable,
 * with a message that names which. (Models made by hand: MLlib's own fits give such models only on data that are
 * hard to make on purpose.)
 */
class ModelCheckTest {
  static KMeansModel kMeans(org.apache.spark.mllib.linalg.Vector... centres) {
    return new KMeansModel("kmeans-test", new org.apache.spark.mllib.clustering.KMeansModel(centres));
  }

  @Test
  void aKMeansModelWithANaNCentreIsUnusable() {
    KMeansModel good = kMeans(org.apache.spark.mllib.linalg.Vectors.dense(0, 1),
        org.apache.spark.mllib.linalg.Vectors.dense(2, 3));
    assertEquals(Optional.empty(), ClusterEstimator.problemOf(new ClusterEstimator.Fitted(good, 12.5)));
    KMeansModel bad = kMeans(org.apache.spark.mllib.linalg.Vectors.dense(0, 1),
        org.apache.spark.mllib.linalg.Vectors.dense(Double.NaN, 3));
    String problem = ClusterEstimator.problemOf(new ClusterEstimator.Fitted(bad, 12.5)).orElseThrow();
    assertTrue(problem.startsWith("the centre of cluster 1 is not finite"), problem);
    assertEquals("its cost is Infinity",
        ClusterEstimator.problemOf(new ClusterEstimator.Fitted(good, Double.POSITIVE_INFINITY)).orElseThrow());
  }

  @Test
  void aMixtureWithANaNWeightIsUnusable() {
    MultivariateGaussian unit = new MultivariateGaussian(Vectors.dense(0, 0), DenseMatrix.eye(2));
    MultivariateGaussian shifted = new MultivariateGaussian(Vectors.dense(3, 3), DenseMatrix.eye(2));
    GaussianMixtureModel good = new GaussianMixtureModel("gmm-test", new double[] {0.5, 0.5},
        new MultivariateGaussian[] {unit, shifted});
    assertEquals(Optional.empty(), ClusterEstimator.problemOf(new ClusterEstimator.Fitted(good, 10)));
    GaussianMixtureModel bad = new GaussianMixtureModel("gmm-test", new double[] {Double.NaN, 0.5},
        new MultivariateGaussian[] {unit, shifted});
    assertEquals("the weight of component 0 is NaN",
        ClusterEstimator.problemOf(new ClusterEstimator.Fitted(bad, 10)).orElseThrow());
  }
}
