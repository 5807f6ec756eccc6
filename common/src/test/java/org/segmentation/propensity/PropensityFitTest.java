package org.segmentation.propensity;

import static org.apache.spark.sql.functions.col;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.segmentation.config.ClusteringSettings.Feature;
import org.segmentation.config.ClusteringSettings.Transform;
import org.segmentation.TestSpark;
import org.segmentation.propensity.HeldOutEvaluation.Decile;
import org.segmentation.propensity.HeldOutEvaluation.Interval;

/**
 * Planted data whose label follows a known logistic model of four features (the fourth irrelevant): the fitted,
 * calibrated model must rank held-out customers within 0.01 of AUC of the planted probabilities themselves (the best
 * any model can do, the Bayes-optimal AUC, on the same customers), promise what happens (expected calibration error at
 * most 0.02), and, on a label drawn independently of the features, rank no better than chance.
 */
class PropensityFitTest {
  static final List<Feature> FEATURES = Stream.of("x1", "x2", "x3", "x4")
      .map(name -> new Feature(name, Transform.STANDARDIZE, false)).toList();
  static final StructType SCHEMA = new StructType().add("customer_id", DataTypes.StringType)
      .add("x1", DataTypes.DoubleType).add("x2", DataTypes.DoubleType).add("x3", DataTypes.DoubleType)
      .add("x4", DataTypes.DoubleType).add("true_p", DataTypes.DoubleType).add(PropensityFit.LABEL, DataTypes.DoubleType);

  /** @param planted true: the label follows the logistic model; false: a coin of the same base rate */
  static Dataset<Row> customers(int n, long seed, boolean planted) {
    Random random = new Random(seed);
    List<Row> rows = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      double x1 = random.nextGaussian();
      double x2 = random.nextGaussian();
      double x3 = random.nextGaussian();
      double x4 = random.nextGaussian();
      double p = planted ? 1 / (1 + Math.exp(-(-1.5 + 1.0 * x1 - 0.8 * x2 + 0.6 * x3))) : 0.25;
      rows.add(RowFactory.create("c" + i, x1, x2, x3, x4, p, random.nextDouble() < p ? 1.0 : 0.0));
    }
    return TestSpark.get().createDataFrame(rows, SCHEMA);
  }

  @Test
  void onAPlantedLogisticModelItRanksAsWellAsTheTruthAndItsScoresMeanWhatTheySay() {
    Dataset<Row> customers = customers(40_000, 5, true).cache();
    PropensityFit fit = new PropensityFit(FEATURES, new PropensityFit.Settings(0.2, 0.2, 2, 10, 3, 42));
    PropensityFit.Fitted fitted = fit.fit(customers);
    assertEquals(fit.learnerNames(), List.copyOf(fitted.crossValidatedAuc().keySet()));
    // the irrelevant x4 weighs least, whichever learner won
    java.util.Map<String, Double> weights = fitted.featureWeights(FEATURES);
    for (String feature : List.of("x1", "x2", "x3")) {
      assertTrue(Math.abs(weights.get(feature)) > Math.abs(weights.get("x4")), fitted.learner() + " " + weights);
    }

    Dataset<Row> heldOut = fit.evaluationRows(fitted, customers).cache();
    long evaluated = heldOut.count();
    assertTrue(Math.abs(evaluated - 8_000) < 300, "a fifth of the customers held out: " + evaluated);
    ScoreHistogram model = ScoreHistogram.collect(heldOut, col(PropensityFit.SCORE), col(PropensityFit.LABEL));
    ScoreHistogram truth = ScoreHistogram.collect(heldOut, col("true_p"), col(PropensityFit.LABEL));
    double bayes = HeldOutEvaluation.auc(truth);
    double auc = HeldOutEvaluation.auc(model);
    assertTrue(Math.abs(auc - bayes) <= 0.01, "AUC " + auc + " against the planted model's " + bayes);

    List<Decile> deciles = HeldOutEvaluation.deciles(model, 10);
    double ece = HeldOutEvaluation.expectedCalibrationError(deciles);
    assertTrue(ece <= 0.02, "expected calibration error " + ece + ": " + deciles);
    assertTrue(deciles.get(0).lift() > 2, "the top tenth is the likeliest: " + deciles.get(0));
  }

  @Test
  void aLabelIndependentOfTheFeaturesRanksNoBetterThanChance() {
    Dataset<Row> customers = customers(12_000, 9, false).cache();
    PropensityFit fit = new PropensityFit(FEATURES, new PropensityFit.Settings(0.3, 0.2, 2, 0, 3, 42));
    PropensityFit.Fitted fitted = fit.fit(customers);
    ScoreHistogram model = ScoreHistogram.collect(fit.evaluationRows(fitted, customers), col(PropensityFit.SCORE),
        col(PropensityFit.LABEL));
    Interval auc = HeldOutEvaluation.aucInterval(model, 400, 1, 0.95);
    assertTrue(auc.contains(0.5), auc.toString());
  }
}
