package org.segmentation.clustering;

import static org.segmentation.clustering.ClusteringModel.FEATURES;
import static org.segmentation.clustering.ClusteringModel.PREDICTION;

import java.util.ArrayList;
import java.util.List;
import org.apache.commons.math3.ml.clustering.CentroidCluster;
import org.apache.commons.math3.ml.clustering.DoublePoint;
import org.apache.commons.math3.ml.clustering.KMeansPlusPlusClusterer;
import org.apache.commons.math3.ml.distance.EuclideanDistance;
import org.apache.commons.math3.random.Well19937c;
import org.apache.spark.api.java.function.MapPartitionsFunction;
import org.apache.spark.ml.clustering.KMeansModel;
import org.apache.spark.ml.linalg.Vector;
import org.apache.spark.ml.util.Identifiable;
import org.apache.spark.mllib.linalg.Vectors;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.Row;

/**
 * KMeans fitted inside one Spark task, for rows that fit in one task's memory (a sample of at most
 * {@code clustering.single-task-rows} customers): MLlib's KMeans runs one Spark job per iteration, and on a few
 * thousand rows that scheduling, not arithmetic, sets the pace (about 50 ms an iteration, 10 to 40 iterations a fit).
 * Here the whole fit (k-means++ seeding and Lloyd iterations, Apache Commons Math's {@link KMeansPlusPlusClusterer},
 * which Spark already ships) is one job: the rows go to one executor task, only the k centres come back to the
 * driver. The result is an ordinary MLlib {@link KMeansModel} (same prediction, persistence and assignment as a
 * distributed fit). Deterministic for a seed; a different algorithm path than MLlib's k-means||, so the two paths may
 * place centres differently on the same rows.
 */
final class SingleTaskKMeans {
  private SingleTaskKMeans() {}

  /** One fit: the k centres and the within-cluster sum of squares (all a task sends back). */
  public record Result(double[][] centers, double cost) implements java.io.Serializable {}

  /** Fits k clusters on the prepared rows ({@code __features}) in one task. Runs one Spark job. */
  static ClusterEstimator.Fitted fit(Dataset<Row> prepared, int k, long seed, int maxIterations) {
    MapPartitionsFunction<Row, Result> fitAll = rows -> {
      List<DoublePoint> points = new ArrayList<>();
      while (rows.hasNext()) {
        points.add(new DoublePoint(((Vector) rows.next().get(0)).toArray()));
      }
      KMeansPlusPlusClusterer<DoublePoint> clusterer = new KMeansPlusPlusClusterer<>(k, maxIterations,
          new EuclideanDistance(), new Well19937c(seed));
      List<CentroidCluster<DoublePoint>> clusters = clusterer.cluster(points);
      double[][] centers = new double[clusters.size()][];
      double cost = 0;
      for (int c = 0; c < clusters.size(); c++) {
        centers[c] = clusters.get(c).getCenter().getPoint();
        for (DoublePoint p : clusters.get(c).getPoints()) {
          cost += squaredDistance(p.getPoint(), centers[c]);
        }
      }
      return List.of(new Result(centers, cost)).iterator();
    };
    Result result = prepared.select(FEATURES).coalesce(1)
        .mapPartitions(fitAll, Encoders.javaSerialization(Result.class)).first();
    org.apache.spark.mllib.linalg.Vector[] centers = new org.apache.spark.mllib.linalg.Vector[result.centers().length];
    for (int c = 0; c < centers.length; c++) {
      centers[c] = Vectors.dense(result.centers()[c]);
    }
    KMeansModel model = new KMeansModel(Identifiable.randomUID("kmeans"),
        new org.apache.spark.mllib.clustering.KMeansModel(centers));
    model.setFeaturesCol(FEATURES).setPredictionCol(PREDICTION);
    return new ClusterEstimator.Fitted(model, result.cost());
  }

  private static double squaredDistance(double[] a, double[] b) {
    double sum = 0;
    for (int i = 0; i < a.length; i++) {
      double d = a[i] - b[i];
      sum += d * d;
    }
    return sum;
  }
}
