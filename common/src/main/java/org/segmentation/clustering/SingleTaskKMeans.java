package org.segmentation.clustering;

import static org.segmentation.clustering.ClusteringModel.FEATURES;
import static org.segmentation.clustering.ClusteringModel.PREDICTION;

import java.io.Serializable;
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
 * {@code clustering.single-task-rows} customers): MLlib's KMeans runs one Spark job per iteration, and its
 * ClusteringEvaluator a few more per silhouette; on a few thousand rows that scheduling, not arithmetic, sets the pace
 * (about 50 ms a job, 10 to 40 iterations a fit). Here every fit a step needs (each candidate k, or each restart of the
 * chosen k) runs in one job: the rows go to one executor task once, k-means++ seeding and Lloyd iterations (Apache
 * Commons Math's {@link KMeansPlusPlusClusterer}, which Spark already ships) run there, and only the centres, costs and
 * silhouettes come back to the driver. Each fit becomes an ordinary MLlib {@link KMeansModel} (same prediction,
 * persistence and assignment as a distributed fit). Deterministic for a seed; a different algorithm path than MLlib's
 * k-means||, so the two paths may place centres differently on the same rows.
 */
final class SingleTaskKMeans {
  private SingleTaskKMeans() {}

  /** One fit to run: k clusters from a seed. */
  public record Request(int k, long seed) implements Serializable {}

  /**
   * One fit's outcome: all a task sends back.
   *
   * @param cost within-cluster sum of squares
   * @param silhouette the squared-Euclidean silhouette of the fit's predictions (what MLlib's ClusteringEvaluator
   *     computes), NaN when not asked for, -1 when every row falls in one cluster
   */
  public record Result(int k, long seed, double[][] centers, double cost, double silhouette) implements Serializable {
    /** The fit as an MLlib model, predicting into {@code __prediction}. */
    ClusterEstimator.Fitted fitted() {
      org.apache.spark.mllib.linalg.Vector[] vectors = new org.apache.spark.mllib.linalg.Vector[centers.length];
      for (int c = 0; c < centers.length; c++) {
        vectors[c] = Vectors.dense(centers[c]);
      }
      KMeansModel model = new KMeansModel(Identifiable.randomUID("kmeans"),
          new org.apache.spark.mllib.clustering.KMeansModel(vectors));
      model.setFeaturesCol(FEATURES).setPredictionCol(PREDICTION);
      return new ClusterEstimator.Fitted(model, cost);
    }
  }

  /**
   * Runs every request on the prepared rows ({@code __features}) in one task: one Spark job.
   *
   * @param withSilhouettes also score each fit by silhouette (an O(rows · k) pass per fit)
   * @return one result per request, in the order of the requests
   */
  static List<Result> fitAll(Dataset<Row> prepared, List<Request> requests, int maxIterations,
      boolean withSilhouettes) {
    MapPartitionsFunction<Row, Result> fitEach = rows -> {
      List<DoublePoint> points = new ArrayList<>();
      while (rows.hasNext()) {
        points.add(new DoublePoint(((Vector) rows.next().get(0)).toArray()));
      }
      // k-means++ picks its seeds by position: rows in a canonical order make the fit independent of the order in
      // which a shuffle delivered them (which differs between runs, executors and after a lost executor)
      points.sort((a, b) -> java.util.Arrays.compare(a.getPoint(), b.getPoint()));
      List<Result> results = new ArrayList<>();
      for (Request request : requests) {
        results.add(fit(points, request, maxIterations, withSilhouettes));
      }
      return results.iterator();
    };
    return prepared.select(FEATURES).coalesce(1)
        .mapPartitions(fitEach, Encoders.javaSerialization(Result.class)).collectAsList();
  }

  private static Result fit(List<DoublePoint> points, Request request, int maxIterations, boolean withSilhouette) {
    KMeansPlusPlusClusterer<DoublePoint> clusterer = new KMeansPlusPlusClusterer<>(request.k(), maxIterations,
        new EuclideanDistance(), new Well19937c(request.seed()));
    List<CentroidCluster<DoublePoint>> clusters = clusterer.cluster(points);
    double[][] centers = new double[clusters.size()][];
    double cost = 0;
    for (int c = 0; c < clusters.size(); c++) {
      centers[c] = clusters.get(c).getCenter().getPoint();
      for (DoublePoint p : clusters.get(c).getPoints()) {
        cost += squaredDistance(p.getPoint(), centers[c]);
      }
    }
    double silhouette = withSilhouette ? silhouette(points, centers) : Double.NaN;
    return new Result(request.k(), request.seed(), centers, cost, silhouette);
  }

  /**
   * The mean silhouette with squared Euclidean distances of the rows assigned to their nearest centre (as the MLlib
   * model predicts them), computed exactly as MLlib's ClusteringEvaluator does: the mean squared distance of a row x
   * to the rows of a cluster C is |x|² + Ψ_C / n_C − 2 x·Y_C / n_C, with Y_C the sum of C's rows and Ψ_C the sum of
   * their squared norms; for x's own cluster it is scaled by n / (n − 1) to leave x out; a row alone in its cluster
   * scores 0. -1 when every row falls in one cluster (MLlib refuses to score that).
   */
  static double silhouette(List<DoublePoint> points, double[][] centers) {
    int k = centers.length;
    int dims = centers[0].length;
    int[] clusterOf = new int[points.size()];
    long[] sizes = new long[k];
    double[][] sums = new double[k][dims];
    double[] squaredNormSums = new double[k];
    for (int i = 0; i < points.size(); i++) {
      double[] x = points.get(i).getPoint();
      int nearest = 0;
      double best = Double.POSITIVE_INFINITY;
      for (int c = 0; c < k; c++) {
        double d = squaredDistance(x, centers[c]);
        if (d < best) {
          best = d;
          nearest = c;
        }
      }
      clusterOf[i] = nearest;
      sizes[nearest]++;
      squaredNormSums[nearest] += dot(x, x);
      for (int j = 0; j < dims; j++) {
        sums[nearest][j] += x[j];
      }
    }
    long nonEmpty = java.util.Arrays.stream(sizes).filter(n -> n > 0).count();
    if (nonEmpty < 2) {
      return -1.0;
    }
    double total = 0;
    for (int i = 0; i < points.size(); i++) {
      double[] x = points.get(i).getPoint();
      int own = clusterOf[i];
      if (sizes[own] == 1) {
        continue; // a row alone in its cluster scores 0
      }
      double squaredNorm = dot(x, x);
      double neighbour = Double.POSITIVE_INFINITY;
      for (int c = 0; c < k; c++) {
        if (c != own && sizes[c] > 0) {
          neighbour = Math.min(neighbour, meanSquaredDistance(x, squaredNorm, sums[c], squaredNormSums[c], sizes[c]));
        }
      }
      double ownDistance = meanSquaredDistance(x, squaredNorm, sums[own], squaredNormSums[own], sizes[own])
          * sizes[own] / (sizes[own] - 1);
      if (ownDistance < neighbour) {
        total += 1 - ownDistance / neighbour;
      } else if (ownDistance > neighbour) {
        total += neighbour / ownDistance - 1;
      }
    }
    return total / points.size();
  }

  private static double meanSquaredDistance(double[] x, double squaredNorm, double[] sum, double squaredNormSum,
      long size) {
    return squaredNorm + squaredNormSum / size - 2 * dot(x, sum) / size;
  }

  private static double dot(double[] a, double[] b) {
    double sum = 0;
    for (int i = 0; i < a.length; i++) {
      sum += a[i] * b[i];
    }
    return sum;
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
