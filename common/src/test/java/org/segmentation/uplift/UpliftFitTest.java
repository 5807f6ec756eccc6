package org.segmentation.uplift;

import static org.apache.spark.sql.functions.avg;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.concat;
import static org.apache.spark.sql.functions.count;
import static org.apache.spark.sql.functions.element_at;
import static org.apache.spark.sql.functions.floor;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.rand;
import static org.apache.spark.sql.functions.sum;
import static org.apache.spark.sql.functions.when;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.storage.StorageLevel;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.segmentation.TestSpark;
import org.segmentation.config.ClusteringSettings.Feature;
import org.segmentation.config.ClusteringSettings.Transform;
import org.segmentation.experiments.ArmSums;
import org.segmentation.experiments.LiftTest;
import org.segmentation.propensity.HeldOutEvaluation.Interval;
import org.segmentation.uplift.UpliftFit.Outcome;

/**
 * Planted heterogeneous effects: a campaign that adds 4 points of conversion in segment A, nothing in B and takes 2
 * points away in C, plus 3 points wherever a numeric feature x lies in (0.4, 0.6) (an effect no straight line in x
 * describes), on a baseline conversion rate set by another feature z that the campaign does not change. The truth is
 * known for every member, so the planted effect itself is the best possible ranking (the oracle) and the baseline rate
 * a ranking with no uplift information at all.
 */
class UpliftFitTest {
  static final List<Feature> FEATURES = List.of(new Feature("segment", Transform.ONE_HOT, false),
      new Feature("x", Transform.BUCKETIZE, false, 10), new Feature("z", Transform.STANDARDIZE, false));
  static Dataset<Row> planted;

  /**
   * Members with segment, x, z, the planted effect {@code true_uplift}, the baseline rate {@code baseline}, the arm
   * and the outcome.
   *
   * @param effects whether the campaign has the planted effects (false: none anywhere, a null experiment)
   * @param treatedShare the variant's share of the members
   */
  static Dataset<Row> members(long n, long seed, boolean effects, double treatedShare) {
    Column segment = element_at(org.apache.spark.sql.functions.array(lit("A"), lit("B"), lit("C")),
        floor(rand(seed).multiply(3)).cast("int").plus(1));
    Dataset<Row> drawn = TestSpark.get().range(0, n, 1, 2).select(
        concat(lit("c"), col("id").cast("string")).as("customer_id"), segment.as("segment"),
        rand(seed + 1).as("x"), rand(seed + 2).as("z"), rand(seed + 3).as("__arm_draw"),
        rand(seed + 4).as("__outcome_draw"));
    Column x = col("x");
    Column uplift = effects
        ? when(col("segment").equalTo("A"), 0.04).when(col("segment").equalTo("B"), 0.0).otherwise(-0.02)
            .plus(when(x.gt(0.4).and(x.lt(0.6)), 0.03).otherwise(0.0))
        : lit(0.0);
    Column treated = col("__arm_draw").lt(treatedShare);
    return drawn.withColumn("true_uplift", uplift)
        .withColumn("baseline", lit(0.05).plus(col("z").multiply(0.10)))
        .withColumn(UpliftFit.VARIANT, when(treated, "email").otherwise("control"))
        .withColumn(UpliftFit.OUTCOME, when(col("__outcome_draw").lt(col("baseline")
            .plus(when(treated, col("true_uplift")).otherwise(0.0))), 1.0).otherwise(0.0))
        .drop("__arm_draw", "__outcome_draw");
  }

  static UpliftFit fit(int trees) {
    return new UpliftFit(FEATURES, new UpliftFit.Settings("control", List.of("email"), Outcome.CONVERSION, 0.2, 0.3,
        trees, 3, 7));
  }

  @BeforeAll
  static void plant() {
    planted = fit(0).split(members(150_000, 11, true, 0.5)).persist(StorageLevel.MEMORY_AND_DISK());
  }

  @AfterAll
  static void release() {
    planted.unpersist();
  }

  @Test
  void theModelFindsThePlantedEffectsAndRanksCloseToTheOracle() {
    UpliftFit fit = fit(4);
    UpliftFit.Fitted fitted = fit.fit(planted);
    assertEquals(List.of("two_models_logistic_regression", "class_transformation_logistic_regression",
        "two_models_gradient_boosted_trees", "class_transformation_gradient_boosted_trees"),
        List.copyOf(fitted.validationQini().keySet()));
    double chosen = fitted.validationQini().get(fitted.learner());
    fitted.validationQini().values().forEach(q -> assertTrue(q <= chosen, "the best validation Qini wins"));

    Dataset<Row> heldOut = fitted.score(planted.where(col(UpliftFit.PART).equalTo("EVALUATION")))
        .persist(StorageLevel.MEMORY_AND_DISK());
    long evaluated = heldOut.count();
    assertTrue(Math.abs(evaluated - 45_000) < 100, "30 % of each arm held out: " + evaluated);
    QiniEvaluation.Evaluation model = QiniEvaluation.of(fit.cells(heldOut, "email",
        col(UpliftFit.upliftColumn("email"))), 200, 3, 0.95);
    QiniEvaluation.Evaluation oracle = QiniEvaluation.of(fit.cells(heldOut, "email", col("true_uplift")), 200, 3,
        0.95);
    QiniEvaluation.Evaluation baseline = QiniEvaluation.of(fit.cells(heldOut, "email", col("baseline")), 200, 3,
        0.95);
    double share = model.qiniCoefficient().estimate() / oracle.qiniCoefficient().estimate();
    System.out.printf("UpliftFitTest: %s Qini %s, oracle %s (%.2f of it), baseline-rate ranking %s, validation %s%n",
        fitted.learner(), model.qiniCoefficient(), oracle.qiniCoefficient(), share, baseline.qiniCoefficient(),
        fitted.validationQini());
    assertTrue(share >= 0.6, fitted.learner() + ": Qini " + model.qiniCoefficient() + " against the oracle's "
        + oracle.qiniCoefficient() + " (" + share + ")");
    assertTrue(model.qiniCoefficient().low() > 0, "better than random: " + model.qiniCoefficient());
    assertTrue(baseline.qiniCoefficient().contains(0), "ranking by the baseline rate knows nothing of the uplift: "
        + baseline.qiniCoefficient());
    // uplift at 10 %: the top tenth by the model gains more than the rest
    QiniEvaluation.UpliftAt top10 = model.upliftAt().get(0);
    assertTrue(top10.top().estimate() > top10.rest().estimate() + 0.02, top10.toString());

    // per segment, the mean score agrees with the lift measured in that segment on the held-out members: within 3.29
    // standard errors (Welch's 99.9 % interval), a bound an unbiased model misses about once in a hundred segments
    // (the model's own estimate, from the training members, adds its noise to the measurement's)
    for (Row segment : heldOut.groupBy(col("segment"))
        .agg(avg(col(UpliftFit.upliftColumn("email"))), armSums("email"), armSums("control")).collectAsList()) {
      LiftTest.Lift measured = LiftTest.welch(sums(segment, 3), sums(segment, 2), 0.999).orElseThrow();
      double mean = segment.getDouble(1);
      assertTrue(measured.absoluteLow() <= mean && mean <= measured.absoluteHigh(), "segment "
          + segment.getString(0) + ": mean uplift score " + mean + " against the measured lift " + measured);
    }
    heldOut.unpersist();
  }

  private static Column armSums(String arm) {
    Column in = col(UpliftFit.VARIANT).equalTo(arm);
    Column y = col(UpliftFit.OUTCOME);
    return org.apache.spark.sql.functions.struct(count(when(in, 1)).as("n"), sum(when(in, y)).as("s"))
        .as(arm);
  }

  private static ArmSums sums(Row segment, int field) {
    Row arm = segment.getStruct(field);
    long n = arm.getLong(0);
    double s = arm.getDouble(1);
    return new ArmSums(n, s, s, 0, 0, 0); // a conversion: y² = y
  }

  /**
   * End to end at one seed each, with 99 % intervals (a correct interval misses 0 here once in a hundred seeds; that the
   * intervals hold 0 as often as they promise under the null is QiniEvaluationTest's, over 400 repetitions).
   */
  @Test
  void aNullExperimentAndAShuffledTreatmentGiveIntervalsThatContainZero() {
    UpliftFit fit = fit(0);
    Dataset<Row> nothing = fit.split(members(60_000, 21, false, 0.5)).persist(StorageLevel.MEMORY_AND_DISK());
    UpliftFit.Fitted onNothing = fit.fit(nothing);
    Interval nullQini = fit.evaluate(onNothing, nothing, 200, 0.99).get("email").qiniCoefficient();
    assertTrue(nullQini.contains(0), "a campaign that changes nothing: " + nullQini);
    nothing.unpersist();

    // the planted members with the arm drawn again, independently of everything: the effects are gone
    Dataset<Row> shuffled = fit.split(planted.sample(false, 0.25, 5).drop(UpliftFit.PART)
        .withColumn(UpliftFit.VARIANT, when(rand(99).lt(0.5), "email").otherwise("control")))
        .persist(StorageLevel.MEMORY_AND_DISK());
    UpliftFit.Fitted onShuffled = fit.fit(shuffled);
    Interval shuffledQini = fit.evaluate(onShuffled, shuffled, 200, 0.99).get("email").qiniCoefficient();
    assertTrue(shuffledQini.contains(0), "a shuffled treatment column: " + shuffledQini);
    shuffled.unpersist();
  }

  @Test
  void theSameSeedGivesTheSameScores() {
    UpliftFit fit = fit(3);
    Dataset<Row> some = fit.split(planted.sample(false, 0.1, 3).drop(UpliftFit.PART)).cache();
    Map<String, Double> first = scores(fit.fit(some), some);
    Map<String, Double> second = scores(fit.fit(some), some);
    assertEquals(first, second);
    some.unpersist();
  }

  private static Map<String, Double> scores(UpliftFit.Fitted fitted, Dataset<Row> members) {
    Map<String, Double> scores = new java.util.TreeMap<>();
    for (Row row : fitted.score(members.orderBy("customer_id").limit(50))
        .select(col("customer_id"), col(UpliftFit.upliftColumn("email"))).collectAsList()) {
      scores.put(row.getString(0), row.getDouble(1));
    }
    return scores;
  }

  @Test
  void twoVariantsAreScoredEachAgainstTheControlAndTheRightOneWinsInEachSegment() {
    // e1 adds 5 points in A only, e2 adds 5 points in C only
    Dataset<Row> drawn = members(90_000, 31, false, 0.0).drop(UpliftFit.VARIANT, UpliftFit.OUTCOME)
        .withColumn("__arm", rand(32)).withColumn("__draw", rand(33));
    Column arm = when(col("__arm").lt(1 / 3.0), "control").when(col("__arm").lt(2 / 3.0), "e1").otherwise("e2");
    Column effect = when(arm.equalTo("e1").and(col("segment").equalTo("A")), 0.05)
        .when(arm.equalTo("e2").and(col("segment").equalTo("C")), 0.05).otherwise(0.0);
    Dataset<Row> members = drawn.withColumn(UpliftFit.VARIANT, arm)
        .withColumn(UpliftFit.OUTCOME, when(col("__draw").lt(col("baseline").plus(effect)), 1.0).otherwise(0.0));
    UpliftFit fit = new UpliftFit(FEATURES, new UpliftFit.Settings("control", List.of("e1", "e2"),
        Outcome.CONVERSION, 0.2, 0.3, 0, 3, 7));
    Dataset<Row> split = fit.split(members).persist(StorageLevel.MEMORY_AND_DISK());
    UpliftFit.Fitted fitted = fit.fit(split);
    assertEquals(List.of("two_models_logistic_regression"), List.copyOf(fitted.validationQini().keySet()),
        "the class transformation takes one variant");
    Map<String, Row> bySegment = new java.util.HashMap<>();
    for (Row row : fitted.score(split).groupBy(col("segment"))
        .agg(avg(col(UpliftFit.upliftColumn("e1"))), avg(col(UpliftFit.upliftColumn("e2")))).collectAsList()) {
      bySegment.put(row.getString(0), row);
    }
    assertTrue(bySegment.get("A").getDouble(1) > bySegment.get("A").getDouble(2) + 0.03, bySegment.toString());
    assertTrue(bySegment.get("C").getDouble(2) > bySegment.get("C").getDouble(1) + 0.03, bySegment.toString());
    assertTrue(Math.abs(bySegment.get("B").getDouble(1)) < 0.015 && Math.abs(bySegment.get("B").getDouble(2)) < 0.015,
        bySegment.toString());
    split.unpersist();
  }
}
