package org.segmentation.propensity;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.count;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.pmod;
import static org.apache.spark.sql.functions.sum;
import static org.apache.spark.sql.functions.when;
import static org.apache.spark.sql.functions.xxhash64;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.spark.ml.Pipeline;
import org.apache.spark.ml.PipelineModel;
import org.apache.spark.ml.PipelineStage;
import org.apache.spark.ml.classification.GBTClassifier;
import org.apache.spark.ml.classification.LogisticRegression;
import org.apache.spark.ml.evaluation.BinaryClassificationEvaluator;
import org.apache.spark.ml.param.ParamMap;
import org.apache.spark.ml.regression.IsotonicRegression;
import org.apache.spark.ml.tuning.CrossValidator;
import org.apache.spark.ml.tuning.CrossValidatorModel;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.segmentation.clustering.FeaturePreparation;
import org.segmentation.config.ClusteringSettings.Feature;
import org.segmentation.pipeline.PersistedRows;
import org.segmentation.schema.Columns;

/**
 * Fits one propensity model and measures it on customers it never saw. Runs Spark jobs.
 *
 * <p>The customers are split three ways by a seeded hash of their id, so that a customer stays on the same side from
 * one night to the next: {@code evaluation} (held out: every figure of the model's evaluation), {@code calibration}
 * (the isotonic regression that turns a learner's score into a probability) and the rest, {@code training}. On the
 * training rows each learner (MLlib logistic regression and gradient-boosted trees) is cross-validated on seeded folds
 * by its AUC; the better is refitted on all training rows. The two classes are weighed to equal total weight
 * (rare positives are not drowned out, and no row is dropped); the calibration then maps the weighted learner's
 * score back to the observed rate, so that a score of 0.2 means a one-in-five chance.
 *
 * <p>The features go through the clustering's preparation ({@link FeaturePreparation}: median imputation, scaling,
 * one-hot and multi-hot encodings), fitted inside each fold like the learner.
 *
 * @param features the features and their transforms
 * @param settings the split, the folds and the learners' sizes
 */
public record PropensityFit(List<Feature> features, Settings settings) {
  public PropensityFit {
    features = List.copyOf(features);
  }

  /**
   * @param evaluationShare the held-out share of customers
   * @param calibrationShare the share of customers whose scores fit the calibration
   * @param folds cross-validation folds
   * @param trees the gradient-boosted trees' iterations (0: logistic regression only)
   * @param depth the trees' depth
   * @param seed the seed of the split, the folds and the learners
   */
  public record Settings(double evaluationShare, double calibrationShare, int folds, int trees, int depth,
      long seed) {
    public Settings {
      if (!(evaluationShare > 0 && calibrationShare > 0 && evaluationShare + calibrationShare < 0.9)) {
        throw new IllegalArgumentException("evaluation and calibration shares above 0 that leave rows to train on");
      }
      if (folds < 2) {
        throw new IllegalArgumentException("at least 2 folds");
      }
    }
  }

  /** Which part of the customers a row belongs to. */
  public enum Part { TRAINING, CALIBRATION, EVALUATION }

  public static final String LABEL = "__label";
  public static final String WEIGHT = "__weight";
  /** The prepared features' vector ({@link FeaturePreparation}'s output). */
  static final String VECTOR = "__features";
  static final String PROBABILITY = "probability";
  static final String PREDICTION = "__prediction";
  /** The calibrated probability of the label. */
  public static final String SCORE = "score";

  /**
   * The fitted model: the learner and its calibration in one MLlib pipeline (saved and loaded as one), and what was
   * measured on the way.
   *
   * @param learner the learner's name ({@link #learnerNames()})
   * @param scorer the feature preparation, the learner and the isotonic calibration: {@code transform} adds
   *     {@value #SCORE}
   * @param crossValidatedAuc each learner's mean AUC over the folds; empty with one learner (trees = 0), which is
   *     fitted without cross-validation, and for a loaded model
   */
  public record Fitted(String learner, PipelineModel scorer, Map<String, Double> crossValidatedAuc) {

    /**
     * What the features weigh in the learner, by slot of the prepared vector ({@link FeatureSlots}): the logistic
     * regression's coefficients (log-odds per standard deviation of a numeric feature, or for a category against
     * the others) or the trees' importances (shares summing to 1).
     */
    public Map<String, Double> featureWeights(List<Feature> features) {
      PipelineModel model = (PipelineModel) scorer.stages()[0];
      org.apache.spark.ml.Transformer learner = model.stages()[model.stages().length - 1];
      org.apache.spark.ml.linalg.Vector weights = learner
          instanceof org.apache.spark.ml.classification.LogisticRegressionModel lr ? lr.coefficients()
          : ((org.apache.spark.ml.classification.GBTClassificationModel) learner).featureImportances();
      List<String> names = FeatureSlots.of(model, features, weights.size());
      Map<String, Double> byName = new LinkedHashMap<>();
      for (int i = 0; i < names.size(); i++) {
        byName.put(names.get(i), weights.apply(i));
      }
      return byName;
    }

    /** {@code customers} with the calibrated {@value #SCORE} (a pure transformation: no Spark job). */
    public Dataset<Row> score(Dataset<Row> customers) {
      List<Column> kept = new ArrayList<>();
      for (String column : customers.columns()) {
        kept.add(col("`" + column + "`"));
      }
      kept.add(col(SCORE));
      return scorer.transform(customers).select(kept.toArray(Column[]::new));
    }
  }

  /** Where a customer falls, from a seeded hash of the id: the same part every night for the same seed. */
  public Column part() {
    Column bucket = pmod(xxhash64(col(Columns.CUSTOMER_ID), lit(settings.seed())), lit(10_000L));
    long evaluation = Math.round(settings.evaluationShare() * 10_000);
    long calibration = evaluation + Math.round(settings.calibrationShare() * 10_000);
    return when(bucket.lt(evaluation), lit(Part.EVALUATION.name()))
        .when(bucket.lt(calibration), lit(Part.CALIBRATION.name()))
        .otherwise(lit(Part.TRAINING.name()));
  }

  /**
   * Fits on {@code customers}' training and calibration rows.
   *
   * @param customers customer_id, the features and {@value #LABEL} (1.0 or 0.0); the caller persists them
   */
  public Fitted fit(Dataset<Row> customers) {
    Dataset<Row> parted = customers.withColumn("__part", part());
    Dataset<Row> training = PersistedRows.of(weighted(parted.where(col("__part").equalTo(Part.TRAINING.name()))));
    try {
      Map<String, Double> aucs = new LinkedHashMap<>();
      Map<String, PipelineModel> models = new LinkedHashMap<>();
      Map<String, PipelineStage> learners = learners();
      if (learners.size() == 1) { // nothing to choose between: no cross-validation (its folds would triple the cost)
        learners.forEach((name, learner) ->
            models.put(name, new Pipeline().setStages(stagesWith(learner)).fit(training)));
      } else {
        for (Map.Entry<String, PipelineStage> learner : learners.entrySet()) {
          CrossValidatorModel validated = new CrossValidator()
              .setEstimator(new Pipeline().setStages(stagesWith(learner.getValue())))
              .setEstimatorParamMaps(new ParamMap[] {new ParamMap()})
              .setEvaluator(new BinaryClassificationEvaluator().setLabelCol(LABEL)
                  .setRawPredictionCol(PROBABILITY))
              .setNumFolds(settings.folds()).setSeed(settings.seed())
              .fit(training);
          aucs.put(learner.getKey(), validated.avgMetrics()[0]);
          models.put(learner.getKey(), (PipelineModel) validated.bestModel());
        }
      }
      String best = models.size() == 1 ? models.keySet().iterator().next()
          : aucs.entrySet().stream().max(Map.Entry.comparingByValue()).orElseThrow().getKey();
      // the calibration maps the learner's probability of the label (element 1) to the rate observed
      PipelineModel scorer = new Pipeline().setStages(new PipelineStage[] {models.get(best),
          new IsotonicRegression().setFeaturesCol(PROBABILITY).setFeatureIndex(1).setLabelCol(LABEL)
              .setPredictionCol(SCORE)})
          .fit(parted.where(col("__part").equalTo(Part.CALIBRATION.name())));
      return new Fitted(best, scorer, aucs);
    } finally {
      PersistedRows.release(training);
    }
  }

  /** The evaluation rows of {@code customers}, scored by {@code fitted}. */
  public Dataset<Row> evaluationRows(Fitted fitted, Dataset<Row> customers) {
    return fitted.score(customers.where(part().equalTo(Part.EVALUATION.name())));
  }

  /** The feature preparation, then the learner. */
  private PipelineStage[] stagesWith(PipelineStage learner) {
    List<PipelineStage> stages = new ArrayList<>(List.of(FeaturePreparation.pipeline(features).getStages()));
    stages.add(learner);
    return stages.toArray(PipelineStage[]::new);
  }

  private Map<String, PipelineStage> learners() {
    Map<String, PipelineStage> learners = new LinkedHashMap<>();
    learners.put("logistic_regression", new LogisticRegression().setFeaturesCol(VECTOR).setLabelCol(LABEL)
        .setWeightCol(WEIGHT).setPredictionCol(PREDICTION).setMaxIter(100).setRegParam(1e-4));
    if (settings.trees() > 0) {
      learners.put("gradient_boosted_trees", new GBTClassifier().setFeaturesCol(VECTOR).setLabelCol(LABEL)
          .setWeightCol(WEIGHT).setPredictionCol(PREDICTION).setMaxIter(settings.trees()).setMaxDepth(settings.depth()).setSeed(settings.seed()));
    }
    return learners;
  }

  /** Each class weighed to half the total weight: weight = rows / (2 × rows of the class). One aggregation. */
  private static Dataset<Row> weighted(Dataset<Row> rows) {
    Row counts = rows.agg(count(lit(1)), sum(col(LABEL))).first();
    double all = counts.getLong(0);
    double positives = counts.isNullAt(1) ? 0 : counts.getDouble(1);
    if (positives == 0 || positives == all) {
      throw new IllegalArgumentException("the training customers are all of one class (" + (long) positives
          + " positives of " + (long) all + "): nothing to learn");
    }
    return rows.withColumn(WEIGHT, when(col(LABEL).equalTo(1.0), lit(all / (2 * positives)))
        .otherwise(lit(all / (2 * (all - positives)))));
  }

  /** The names of the learners tried, in order. */
  public List<String> learnerNames() {
    return new ArrayList<>(learners().keySet());
  }
}
