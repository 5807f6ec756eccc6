package org.segmentation.stage;

import static org.apache.spark.sql.functions.aggregate;
import static org.apache.spark.sql.functions.array;
import static org.apache.spark.sql.functions.array_max;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.count;
import static org.apache.spark.sql.functions.element_at;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.sqrt;
import static org.apache.spark.sql.functions.zip_with;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.spark.ml.Pipeline;
import org.apache.spark.ml.PipelineModel;
import org.apache.spark.ml.PipelineStage;
import org.apache.spark.ml.Transformer;
import org.apache.spark.ml.clustering.BisectingKMeans;
import org.apache.spark.ml.clustering.BisectingKMeansModel;
import org.apache.spark.ml.clustering.GaussianMixture;
import org.apache.spark.ml.clustering.KMeans;
import org.apache.spark.ml.clustering.KMeansModel;
import org.apache.spark.ml.evaluation.ClusteringEvaluator;
import org.apache.spark.ml.feature.CountVectorizer;
import org.apache.spark.ml.feature.Imputer;
import org.apache.spark.ml.feature.OneHotEncoder;
import org.apache.spark.ml.feature.QuantileDiscretizer;
import org.apache.spark.ml.feature.SQLTransformer;
import org.apache.spark.ml.feature.StandardScaler;
import org.apache.spark.ml.feature.StringIndexer;
import org.apache.spark.ml.feature.VectorAssembler;
import org.apache.spark.ml.linalg.Vector;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.segmentation.config.ClusteringSettings;
import org.segmentation.config.ClusteringSettings.Feature;
import org.segmentation.config.ClusteringSettings.Transform;
import org.segmentation.schema.Columns;

/**
 * MLlib clustering of customers: a {@link Pipeline} of standard stages (SQLTransformer for log1p and missing
 * indicators, Imputer, VectorAssembler, StandardScaler, StringIndexer + OneHotEncoder, QuantileDiscretizer +
 * OneHotEncoder for bands, CountVectorizer for tag lists)
 * ending in KMeans, BisectingKMeans or GaussianMixture. {@link #fit} runs Spark jobs and returns a {@link Model};
 * {@link #assign} is a pure transformation.
 *
 * <p><b>Stable ids.</b> A model publishes each predicted cluster under an id. After a refit, the new clusters are
 * matched to the previous model's ids by the assignment that keeps the most customers in the same id (the Hungarian
 * method on the k x k table of customers scored by both models), so a campaign that targets cluster 3 keeps targeting
 * the same kind of customer. Clusters beyond the previous k get new ids.
 */
public final class SegmentClustering {
  /** Fewer customers than this per wanted cluster and clustering is skipped: there is nothing to learn. */
  public static final int MIN_CUSTOMERS_PER_CLUSTER = 5;
  public static final String CLUSTER_ID = "cluster_id";
  public static final String CLUSTER_DISTANCE = "cluster_distance";
  public static final String CLUSTER_PROBABILITY = "cluster_probability";
  static final String FEATURES = "__features";
  static final String PREDICTION = "__prediction";
  static final String PROBABILITY = "__probability";

  private SegmentClustering() {}

  /**
   * A fitted clustering.
   *
   * @param pipeline the fitted feature stages and estimator
   * @param idOfPrediction the published cluster id of each predicted cluster index
   * @param silhouetteByK silhouette of every candidate k on the sample (one entry when k is fixed; empty if reused)
   */
  public record Model(PipelineModel pipeline, List<Integer> idOfPrediction, Map<Integer, Double> silhouetteByK) {
    public Model {
      idOfPrediction = List.copyOf(idOfPrediction);
      silhouetteByK = Map.copyOf(silhouetteByK);
    }

    public int k() {
      return idOfPrediction.size();
    }
  }

  /**
   * Checks, before any data is read, that every configured feature exists in the customer features and has a type its
   * transform accepts.
   */
  public static void check(org.apache.spark.sql.types.StructType featureSchema, ClusteringSettings settings) {
    List<String> problems = new ArrayList<>();
    List<String> known = List.of(featureSchema.fieldNames());
    for (int i = 0; i < settings.features().size(); i++) {
      Feature f = settings.features().get(i);
      String key = "segments.clustering.features[" + i + "] (" + f.name() + ")";
      if (!known.contains(f.name())) {
        problems.add(key + ": no such customer feature (known: " + String.join(", ", known) + ")");
        continue;
      }
      org.apache.spark.sql.types.DataType type = featureSchema.apply(f.name()).dataType();
      boolean numeric = type instanceof org.apache.spark.sql.types.NumericType;
      boolean tags = type instanceof org.apache.spark.sql.types.ArrayType;
      if (f.transform().numeric() && !numeric) {
        problems.add(key + ": transform " + f.transform().name().toLowerCase(java.util.Locale.ROOT)
            + " needs a numeric feature, got " + type.simpleString());
      } else if (f.transform() == Transform.MULTI_HOT && !tags) {
        problems.add(key + ": transform multi-hot needs a list of tags, got " + type.simpleString());
      } else if (f.transform() == Transform.ONE_HOT && tags) {
        problems.add(key + ": transform one-hot needs a single value, got a list: use multi-hot");
      }
    }
    if (!problems.isEmpty()) {
      throw new org.segmentation.run.ConfigurationException(problems);
    }
  }

  /** The feature stages of the pipeline (everything before the estimator), from the configured features. */
  static Pipeline preparation(ClusteringSettings settings) {
    List<PipelineStage> stages = new ArrayList<>();
    List<String> prepared = new ArrayList<>();
    List<String> numericIn = new ArrayList<>();
    List<String> indicators = new ArrayList<>();
    List<String> vectors = new ArrayList<>();
    for (Feature f : settings.features()) {
      String name = "`" + f.name() + "`";
      switch (f.transform()) {
        case STANDARDIZE, LOG1P -> {
          String value = f.transform() == Transform.LOG1P
              ? "log1p(greatest(cast(" + name + " as double), 0D))" : "cast(" + name + " as double)";
          prepared.add(value + " AS `__in_" + f.name() + "`");
          numericIn.add("__in_" + f.name());
          if (f.missingIndicator()) {
            prepared.add("if(" + name + " is null, 1D, 0D) AS `__missing_" + f.name() + "`");
            indicators.add("__missing_" + f.name());
          }
        }
        case ONE_HOT -> prepared.add("coalesce(cast(" + name + " as string), '(missing)') AS `__in_" + f.name() + "`");
        case MULTI_HOT -> prepared.add("coalesce(" + name + ", array()) AS `__in_" + f.name() + "`");
        // a missing value becomes NaN, which the discretizer ("keep") puts in a band of its own
        case BUCKETIZE -> prepared.add("coalesce(cast(" + name + " as double), double('NaN')) AS `__in_" + f.name()
            + "`");
        default -> throw new IllegalStateException("unknown transform " + f.transform());
      }
    }
    stages.add(new SQLTransformer().setStatement("SELECT *, " + String.join(", ", prepared) + " FROM __THIS__"));
    if (!numericIn.isEmpty()) {
      String[] imputed = numericIn.stream().map(n -> n.replace("__in_", "__imputed_")).toArray(String[]::new);
      stages.add(new Imputer().setStrategy("median").setInputCols(numericIn.toArray(String[]::new))
          .setOutputCols(imputed));
      List<String> numeric = new ArrayList<>(List.of(imputed));
      numeric.addAll(indicators);
      stages.add(new VectorAssembler().setInputCols(numeric.toArray(String[]::new)).setOutputCol("__numeric"));
      stages.add(new StandardScaler().setWithMean(true).setWithStd(true).setInputCol("__numeric")
          .setOutputCol("__numeric_scaled"));
      vectors.add("__numeric_scaled");
    }
    for (Feature f : settings.features()) {
      if (f.transform() == Transform.ONE_HOT) {
        stages.add(new StringIndexer().setInputCol("__in_" + f.name()).setOutputCol("__index_" + f.name())
            .setHandleInvalid("keep").setStringOrderType("frequencyDesc"));
        stages.add(new OneHotEncoder().setInputCol("__index_" + f.name()).setOutputCol("__onehot_" + f.name())
            .setDropLast(false).setHandleInvalid("keep"));
        vectors.add("__onehot_" + f.name());
      } else if (f.transform() == Transform.BUCKETIZE) {
        stages.add(new QuantileDiscretizer().setInputCol("__in_" + f.name()).setOutputCol("__band_" + f.name())
            .setNumBuckets(f.buckets()).setHandleInvalid("keep"));
        stages.add(new OneHotEncoder().setInputCol("__band_" + f.name()).setOutputCol("__bands_" + f.name())
            .setDropLast(false).setHandleInvalid("keep"));
        vectors.add("__bands_" + f.name());
      } else if (f.transform() == Transform.MULTI_HOT) {
        stages.add(new CountVectorizer().setInputCol("__in_" + f.name()).setOutputCol("__tags_" + f.name())
            .setBinary(true));
        vectors.add("__tags_" + f.name());
      }
    }
    stages.add(new VectorAssembler().setInputCols(vectors.toArray(String[]::new)).setOutputCol(FEATURES));
    return new Pipeline().setStages(stages.toArray(PipelineStage[]::new));
  }

  /**
   * Fits the estimator for {@code k} clusters on prepared rows ({@code __features}) from {@code restarts} seeds
   * (seed, seed + 1, ...) and keeps the best: lowest within-cluster cost for KMeans and BisectingKMeans, highest
   * log-likelihood for GaussianMixture. Restarts guard against a poor local optimum, which would also move customers
   * between clusters from one refit to the next.
   */
  static Transformer bestEstimator(Dataset<Row> prepared, ClusteringSettings settings, int k, int restarts) {
    Transformer best = null;
    double bestCost = Double.POSITIVE_INFINITY;
    for (int restart = 0; restart < restarts; restart++) {
      long seed = settings.seed() + restart;
      Transformer model;
      double cost;
      switch (settings.algorithm()) {
        case KMEANS -> {
          KMeansModel fitted = new KMeans().setK(k).setSeed(seed).setMaxIter(settings.maxIterations())
              .setFeaturesCol(FEATURES).setPredictionCol(PREDICTION).fit(prepared);
          model = fitted;
          cost = fitted.summary().trainingCost();
        }
        case BISECTING_KMEANS -> {
          BisectingKMeansModel fitted = new BisectingKMeans().setK(k).setSeed(seed)
              .setMaxIter(settings.maxIterations()).setFeaturesCol(FEATURES).setPredictionCol(PREDICTION)
              .fit(prepared);
          model = fitted;
          cost = fitted.summary().trainingCost();
        }
        case GAUSSIAN_MIXTURE -> {
          org.apache.spark.ml.clustering.GaussianMixtureModel fitted = new GaussianMixture().setK(k).setSeed(seed)
              .setMaxIter(settings.maxIterations()).setFeaturesCol(FEATURES).setPredictionCol(PREDICTION)
              .setProbabilityCol(PROBABILITY).fit(prepared);
          model = fitted;
          cost = -fitted.summary().logLikelihood();
        }
        default -> throw new IllegalStateException("unknown algorithm " + settings.algorithm());
      }
      if (best == null || cost < bestCost) {
        best = model;
        bestCost = cost;
      }
    }
    return best;
  }

  /** The feature stages and the best estimator for k, as one PipelineModel (what is saved and applied). */
  static PipelineModel fitPipeline(Dataset<Row> features, ClusteringSettings settings, int k, int restarts) {
    PipelineModel preparation = preparation(settings).fit(features);
    Dataset<Row> prepared = onePartitionPerCore(preparation.transform(features).select(FEATURES))
        .persist(org.apache.spark.storage.StorageLevel.MEMORY_AND_DISK());
    try {
      Transformer estimator = bestEstimator(prepared, settings, k, restarts);
      // A Pipeline of fitted transformers fits to itself: nothing is refitted.
      return new Pipeline().setStages(new PipelineStage[] {preparation, estimator}).fit(features);
    } finally {
      prepared.unpersist();
    }
  }

  /**
   * Fits the clustering on {@code features} (the caller persists them: the estimators iterate). With k = 0, each k of
   * k-min..k-max is fitted once on a sample of {@code sample-rows} and scored by silhouette. The chosen k is then
   * fitted from {@code restarts} seeds on a sample of at most {@code fit-rows} customers: centroids of a few hundred
   * thousand customers are as good as of all of them, and the cost no longer grows with the base. With a previous
   * model, the new clusters take its ids (see the class comment).
   */
  public static Model fit(Dataset<Row> features, ClusteringSettings settings, Model previous) {
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
    int predicted = clusterCount(fitted);
    List<Integer> ids = new ArrayList<>();
    for (int i = 0; i < predicted; i++) {
      ids.add(i);
    }
    Model model = new Model(fitted, ids, silhouettes);
    return previous == null ? model : matchIds(model, previous, features);
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

  /** Gives the new clusters the ids of the previous model's clusters they share most customers with. */
  static Model matchIds(Model fresh, Model previous, Dataset<Row> features) {
    Dataset<Row> both = fresh.pipeline().transform(features).select(col(Columns.CUSTOMER_ID), col(PREDICTION))
        .join(assign(previous, features).select(col(Columns.CUSTOMER_ID), col(CLUSTER_ID)), Columns.CUSTOMER_ID);
    int oldIds = previous.idOfPrediction().stream().mapToInt(Integer::intValue).max().orElse(-1) + 1;
    int size = Math.max(fresh.k(), oldIds);
    double[][] cost = new double[size][size];
    for (Row r : both.groupBy(PREDICTION, CLUSTER_ID).agg(count(lit(1))).collectAsList()) {
      // more shared customers = lower cost
      cost[((Number) r.get(0)).intValue()][r.getInt(1)] = -r.getLong(2);
    }
    int[] match = OptimalAssignment.minimumCost(cost);
    List<Integer> ids = new ArrayList<>();
    int next = oldIds;
    for (int i = 0; i < fresh.k(); i++) {
      ids.add(match[i] < oldIds ? match[i] : next++);
    }
    return new Model(fresh.pipeline(), ids, fresh.silhouetteByK());
  }

  /**
   * Adds {@code cluster_id}, {@code cluster_distance} (KMeans and BisectingKMeans: Euclidean distance to the centroid
   * in the model's scaled feature space; NULL otherwise) and {@code cluster_probability} (GaussianMixture: membership
   * probability of the assigned cluster; NULL otherwise). Built-in functions only.
   */
  public static Dataset<Row> assign(Model model, Dataset<Row> features) {
    Dataset<Row> scored = model.pipeline().transform(features);
    Column prediction = col(PREDICTION).cast("int");
    Column[] ids = model.idOfPrediction().stream().map(i -> lit(i)).toArray(Column[]::new);
    Column clusterId = element_at(array(ids), prediction.plus(1));
    Transformer estimator = model.pipeline().stages()[model.pipeline().stages().length - 1];
    Vector[] centers = estimator instanceof KMeansModel km ? km.clusterCenters()
        : estimator instanceof BisectingKMeansModel bkm ? bkm.clusterCenters() : null;
    Column distance = lit(null).cast("double");
    Column probability = lit(null).cast("double");
    if (centers != null) {
      Column[] centerArrays = new Column[centers.length];
      for (int c = 0; c < centers.length; c++) {
        double[] values = centers[c].toArray();
        Column[] literals = new Column[values.length];
        for (int d = 0; d < values.length; d++) {
          literals[d] = lit(values[d]);
        }
        centerArrays[c] = array(literals);
      }
      Column point = org.apache.spark.ml.functions.vector_to_array(col(FEATURES), "float64");
      Column center = element_at(array(centerArrays), prediction.plus(1));
      distance = sqrt(aggregate(zip_with(point, center, (x, y) -> x.minus(y).multiply(x.minus(y))), lit(0.0),
          (sum, x) -> sum.plus(x)));
    } else {
      probability = array_max(org.apache.spark.ml.functions.vector_to_array(col(PROBABILITY), "float64"));
    }
    List<Column> output = new ArrayList<>();
    for (String column : features.columns()) {
      output.add(col("`" + column + "`"));
    }
    output.add(clusterId.as(CLUSTER_ID));
    output.add(distance.as(CLUSTER_DISTANCE));
    output.add(probability.as(CLUSTER_PROBABILITY));
    return scored.select(output.toArray(Column[]::new));
  }

  private static int clusterCount(PipelineModel model) {
    Transformer estimator = model.stages()[model.stages().length - 1];
    if (estimator instanceof KMeansModel km) {
      return km.clusterCenters().length;
    }
    if (estimator instanceof BisectingKMeansModel bkm) {
      return bkm.clusterCenters().length;
    }
    return ((org.apache.spark.ml.clustering.GaussianMixtureModel) estimator).getK();
  }
}
