package org.segmentation.uplift;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.count;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.percent_rank;
import static org.apache.spark.sql.functions.when;
import static org.apache.spark.sql.functions.xxhash64;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.apache.spark.ml.Pipeline;
import org.apache.spark.ml.PipelineModel;
import org.apache.spark.ml.PipelineStage;
import org.apache.spark.ml.classification.GBTClassifier;
import org.apache.spark.ml.classification.LogisticRegression;
import org.apache.spark.ml.regression.GBTRegressor;
import org.apache.spark.ml.regression.LinearRegression;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.expressions.Window;
import org.segmentation.clustering.FeaturePreparation;
import org.segmentation.config.ClusteringSettings.Feature;
import org.segmentation.pipeline.PersistedRows;
import org.segmentation.schema.Columns;

/**
 * Learns, from an experiment's members, what the campaign changes for each customer: the uplift score, the predicted
 * outcome with the variant less the predicted outcome without it. Runs Spark jobs.
 *
 * <p>Two learners, each on MLlib's logistic (or, for an amount, linear) regression and gradient-boosted trees:
 * <ul>
 *   <li><b>Two models</b> (the T-learner): one model of the outcome per arm, fitted on that arm's members; the score of
 *       a variant is its model's prediction less the control's. Any number of variants, conversions or amounts.</li>
 *   <li><b>Class transformation</b> (Jaskowski and Jaroszewicz 2012): for a conversion and one variant, the label
 *       z = 1 for a treated member who converted or a control member who did not; with the arms weighed to equal
 *       total weight (the split need not be 50/50), P(z = 1 | x) = (1 + uplift(x)) / 2, so one classifier learns the
 *       uplift directly.</li>
 * </ul>
 *
 * <p>The members are split three ways, stratified by arm: within each arm, ordered by a seeded hash of the customer
 * id, the first {@code evaluationShare} are held out for every figure of the model's evaluation, the next
 * {@code validationShare} choose the learner by their Qini coefficient ({@link QiniEvaluation}), and the rest train.
 * The same customers fall on the same side every night. The features are prepared as the clustering prepares them
 * ({@link FeaturePreparation}), fitted on the training members of every arm.
 *
 * @param features the features and their transforms
 * @param settings the arms, the outcome, the split and the learners' sizes
 */
public record UpliftFit(List<Feature> features, Settings settings) {
  public UpliftFit {
    features = List.copyOf(features);
  }

  /** What is measured of each member. */
  public enum Outcome {
    /** 1 when the member converted, else 0. */
    CONVERSION,
    /** An amount (revenue). */
    AMOUNT
  }

  /** Which part of the members a row belongs to. */
  public enum Part { TRAINING, VALIDATION, EVALUATION }

  /**
   * @param control the control arm
   * @param variants the variants, each scored against the control
   * @param outcome what is measured
   * @param validationShare the share of each arm that chooses the learner
   * @param evaluationShare the share of each arm held out for the evaluation
   * @param trees gradient-boosted trees' iterations (0: regressions only)
   * @param depth the trees' depth
   * @param seed the seed of the split and the trees
   */
  public record Settings(String control, List<String> variants, Outcome outcome, double validationShare,
      double evaluationShare, int trees, int depth, long seed) {
    public Settings {
      variants = List.copyOf(variants);
      if (variants.isEmpty() || variants.contains(control)) {
        throw new IllegalArgumentException("at least one variant besides the control " + control);
      }
      if (!(validationShare > 0 && evaluationShare > 0 && validationShare + evaluationShare <= 0.8)) {
        throw new IllegalArgumentException("validation and evaluation shares above 0 that leave members to train on");
      }
    }

    /** The arms, the control first. */
    List<String> arms() {
      List<String> arms = new ArrayList<>(List.of(control));
      arms.addAll(variants);
      return arms;
    }
  }

  /** The member's arm (a string). */
  public static final String VARIANT = "__variant";
  /** The member's outcome (a double). */
  public static final String OUTCOME = "__outcome";
  /** The member's part ({@link Part}), added by {@link #split}. */
  public static final String PART = "__part";
  private static final String VECTOR = "__features";
  private static final String LABEL = "__label";
  private static final String WEIGHT = "__weight";
  private static final String TRANSFORMED = "ct";

  /** The column of a variant's uplift score in {@link Fitted#score}'s output. */
  public static String upliftColumn(String variant) {
    return "__uplift_" + variant;
  }

  /**
   * A fitted uplift model.
   *
   * @param learner {@code <two_models|class_transformation>_<base learner>}
   * @param model the feature preparation and every arm's model (or the transformed class's) in one pipeline, saved
   *     and loaded as one
   * @param control the control arm
   * @param variants the variants scored
   * @param outcome what the models predict
   * @param validationQini each learner's Qini coefficient on the validation members (mean over the variants); empty
   *     for a loaded model
   */
  public record Fitted(String learner, PipelineModel model, String control, List<String> variants, Outcome outcome,
      Map<String, Double> validationQini) {

    /** {@code customers} with {@link #upliftColumn} of each variant. A pure transformation: no Spark job. */
    public Dataset<Row> score(Dataset<Row> customers) {
      Dataset<Row> transformed = model.transform(customers);
      List<Column> kept = new ArrayList<>();
      for (String column : customers.columns()) {
        kept.add(col("`" + column + "`"));
      }
      List<String> arms = new ArrayList<>(List.of(control));
      arms.addAll(variants);
      for (String variant : variants) {
        Column uplift = learner.startsWith("class_transformation")
            ? predicted(TRANSFORMED, true).multiply(2).minus(1)
            : predicted(String.valueOf(arms.indexOf(variant)), outcome == Outcome.CONVERSION)
                .minus(predicted("0", outcome == Outcome.CONVERSION));
        kept.add(uplift.as(upliftColumn(variant)));
      }
      return transformed.select(kept.toArray(Column[]::new));
    }
  }

  /** A model's predicted outcome: a classifier's probability of 1, or a regressor's prediction. */
  private static Column predicted(String model, boolean classifier) {
    return classifier
        ? org.apache.spark.ml.functions.vector_to_array(col("__probability_" + model), "float64").getItem(1)
        : col("__prediction_" + model);
  }

  /**
   * {@code members} with {@value #PART}: within each arm, ordered by a seeded hash of the customer id. One sort per
   * arm when it runs.
   */
  public Dataset<Row> split(Dataset<Row> members) {
    Column rank = percent_rank().over(Window.partitionBy(col(VARIANT))
        .orderBy(xxhash64(col(Columns.CUSTOMER_ID), lit(settings.seed())), col(Columns.CUSTOMER_ID)));
    return members.withColumn(PART, when(rank.lt(settings.evaluationShare()), lit(Part.EVALUATION.name()))
        .when(rank.lt(settings.evaluationShare() + settings.validationShare()), lit(Part.VALIDATION.name()))
        .otherwise(lit(Part.TRAINING.name())));
  }

  /**
   * Fits every learner on the training members and keeps the one with the best Qini coefficient on the validation
   * members.
   *
   * @param split members with customer_id, the features, {@value #VARIANT}, {@value #OUTCOME} and {@value #PART}
   *     ({@link #split}); the caller persists them
   * @throws IllegalArgumentException when an arm has no training member, or a conversion never or always happens
   */
  public Fitted fit(Dataset<Row> split) {
    Dataset<Row> training = split.where(col(PART).equalTo(Part.TRAINING.name())
        .and(col(VARIANT).isin(settings.arms().toArray())));
    checkLearnable(training);
    PipelineModel preparation = FeaturePreparation.pipeline(features).fit(training);
    Dataset<Row> vectors = PersistedRows.of(preparation.transform(training));
    Dataset<Row> validation = split.where(col(PART).equalTo(Part.VALIDATION.name()));
    try {
      Map<String, Double> qini = new LinkedHashMap<>();
      Fitted best = null;
      for (Map.Entry<String, Map<String, PipelineStage>> candidate : candidates().entrySet()) {
        List<PipelineStage> stages = new ArrayList<>(List.of(preparation));
        for (Map.Entry<String, PipelineStage> model : candidate.getValue().entrySet()) {
          stages.add(fitOne(model.getKey(), model.getValue(), vectors));
        }
        // a pipeline of fitted stages only: fit() assembles them without a Spark job
        PipelineModel assembled = new Pipeline().setStages(stages.toArray(PipelineStage[]::new)).fit(training);
        Fitted fitted = new Fitted(candidate.getKey(), assembled, settings.control(), settings.variants(),
            settings.outcome(), Map.of());
        double score = meanQini(fitted, validation);
        qini.put(candidate.getKey(), score);
        if (best == null || score > qini.get(best.learner())) {
          best = fitted;
        }
      }
      return new Fitted(best.learner(), best.model(), best.control(), best.variants(), best.outcome(), qini);
    } finally {
      PersistedRows.release(vectors);
    }
  }

  /** The Qini coefficient of each variant's evaluation, from {@code split}'s evaluation members. */
  public Map<String, QiniEvaluation.Evaluation> evaluate(Fitted fitted, Dataset<Row> split, int resamples,
      double confidence) {
    Map<String, QiniEvaluation.Evaluation> evaluations = new LinkedHashMap<>();
    Dataset<Row> scored = fitted.score(split.where(col(PART).equalTo(Part.EVALUATION.name())));
    for (String variant : fitted.variants()) {
      evaluations.put(variant, QiniEvaluation.of(cells(scored, variant, col(upliftColumn(variant))), resamples,
          settings.seed(), confidence));
    }
    return evaluations;
  }

  /** The cells of one variant against the control, ranked by {@code score}. */
  public UpliftCells cells(Dataset<Row> members, String variant, Column score) {
    return UpliftCells.collect(members.where(col(VARIANT).isin(variant, settings.control())), score,
        col(VARIANT).equalTo(variant), col(OUTCOME), settings.outcome() == Outcome.CONVERSION, UpliftCells.GROUPS);
  }

  private double meanQini(Fitted fitted, Dataset<Row> validation) {
    Dataset<Row> scored = fitted.score(validation);
    double total = 0;
    for (String variant : fitted.variants()) {
      total += QiniEvaluation.of(cells(scored, variant, col(upliftColumn(variant))), 1, settings.seed(), 0.5)
          .qiniCoefficient().estimate();
    }
    return total / fitted.variants().size();
  }

  /** Fits one arm's model (or the transformed class's) on its members' prepared rows. */
  private org.apache.spark.ml.Model<?> fitOne(String arm, PipelineStage learner, Dataset<Row> vectors) {
    if (arm.equals(TRANSFORMED)) { // z = 1: treated and converted, or control and did not; arms weighed equally
      Column treated = col(VARIANT).equalTo(settings.variants().get(0));
      Row counts = vectors.agg(count(when(treated, 1)), count(lit(1))).first();
      double all = counts.getLong(1);
      double inVariant = counts.getLong(0);
      Dataset<Row> transformed = vectors
          .withColumn(LABEL, when(treated.equalTo(col(OUTCOME).equalTo(1.0)), 1.0).otherwise(0.0))
          .withColumn(WEIGHT, when(treated, all / (2 * inVariant)).otherwise(all / (2 * (all - inVariant))));
      return (org.apache.spark.ml.Model<?>) ((org.apache.spark.ml.Estimator<?>) learner).fit(transformed);
    }
    String armName = settings.arms().get(Integer.parseInt(arm));
    return (org.apache.spark.ml.Model<?>) ((org.apache.spark.ml.Estimator<?>) learner)
        .fit(vectors.where(col(VARIANT).equalTo(armName)).withColumn(LABEL, col(OUTCOME)));
  }

  /** The learners tried, by name: each a model per arm (by index, "0" the control) or one transformed-class model. */
  private Map<String, Map<String, PipelineStage>> candidates() {
    Map<String, Map<String, PipelineStage>> candidates = new LinkedHashMap<>();
    boolean conversion = settings.outcome() == Outcome.CONVERSION;
    List<String> bases = new ArrayList<>(List.of(conversion ? "logistic_regression" : "linear_regression"));
    if (settings.trees() > 0) {
      bases.add("gradient_boosted_trees");
    }
    for (String base : bases) {
      Map<String, PipelineStage> perArm = new LinkedHashMap<>();
      for (int arm = 0; arm < settings.arms().size(); arm++) {
        perArm.put(String.valueOf(arm), learner(base, String.valueOf(arm), conversion, false));
      }
      candidates.put("two_models_" + base, perArm);
      if (conversion && settings.variants().size() == 1) {
        candidates.put("class_transformation_" + base,
            Map.of(TRANSFORMED, learner(base, TRANSFORMED, true, true)));
      }
    }
    return candidates;
  }

  private PipelineStage learner(String base, String model, boolean classifier, boolean weighted) {
    String prediction = "__prediction_" + model;
    String probability = "__probability_" + model;
    String raw = "__raw_" + model;
    return switch (base) {
      case "logistic_regression" -> {
        LogisticRegression lr = new LogisticRegression().setFeaturesCol(VECTOR).setLabelCol(LABEL)
            .setPredictionCol(prediction).setProbabilityCol(probability).setRawPredictionCol(raw).setMaxIter(100)
            .setRegParam(1e-4);
        yield weighted ? lr.setWeightCol(WEIGHT) : lr;
      }
      case "linear_regression" -> new LinearRegression().setFeaturesCol(VECTOR).setLabelCol(LABEL)
          .setPredictionCol(prediction).setRegParam(1e-4);
      case "gradient_boosted_trees" -> {
        if (classifier) {
          GBTClassifier trees = new GBTClassifier().setFeaturesCol(VECTOR).setLabelCol(LABEL)
              .setPredictionCol(prediction).setProbabilityCol(probability).setRawPredictionCol(raw)
              .setMaxIter(settings.trees()).setMaxDepth(settings.depth()).setSeed(settings.seed());
          yield weighted ? trees.setWeightCol(WEIGHT) : trees;
        }
        yield new GBTRegressor().setFeaturesCol(VECTOR).setLabelCol(LABEL).setPredictionCol(prediction)
            .setMaxIter(settings.trees()).setMaxDepth(settings.depth()).setSeed(settings.seed());
      }
      default -> throw new IllegalStateException("unknown learner " + base);
    };
  }

  /** Every arm has training members and, for a conversion, both outcomes occur. One aggregation. */
  private void checkLearnable(Dataset<Row> training) {
    Map<String, long[]> byArm = new LinkedHashMap<>();
    for (Row row : training.groupBy(col(VARIANT))
        .agg(count(lit(1)), count(when(col(OUTCOME).notEqual(0.0), 1))).collectAsList()) {
      byArm.put(row.getString(0), new long[] {row.getLong(1), row.getLong(2)});
    }
    for (String arm : settings.arms()) {
      long[] counts = byArm.getOrDefault(arm, new long[2]);
      if (counts[0] == 0) {
        throw new IllegalArgumentException("the arm " + arm + " has no member to train on (arms with members: "
            + byArm.keySet() + ")");
      }
      if (settings.outcome() == Outcome.CONVERSION && (counts[1] == 0 || counts[1] == counts[0])) {
        throw new IllegalArgumentException(String.format(Locale.ROOT,
            "in the arm %s, %d of %d training members converted: nothing to learn", arm, counts[1], counts[0]));
      }
    }
  }
}
