package org.segmentation.affinity;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.segmentation.TestSpark.row;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.apache.spark.ml.evaluation.RankingEvaluator;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.Test;
import org.segmentation.TestSpark;
import org.segmentation.propensity.HeldOutEvaluation.Interval;
import org.segmentation.schema.Columns;

class RankingQualityTest {
  static final StructType LISTS = new StructType()
      .add(Columns.CUSTOMER_ID, DataTypes.StringType)
      .add(RankingQuality.RECOMMENDED, DataTypes.createArrayType(DataTypes.DoubleType))
      .add(RankingQuality.BOUGHT, DataTypes.createArrayType(DataTypes.DoubleType));

  static Row list(String id, List<Double> recommended, List<Double> bought) {
    return row(id, scala.jdk.javaapi.CollectionConverters.asScala(recommended).toSeq(),
        scala.jdk.javaapi.CollectionConverters.asScala(bought).toSeq());
  }

  /**
   * k = 3. Customer a: recommended 1, 2, 3, 4, 5, bought 1, 3, 6: hits at ranks 1 and 3, precision 2/3, recall 2/3,
   * a hit, AP (1/1 + 2/3) / min(3, 3) = 5/9. Customer b: 7, 8 against 9: all 0. Customer c: 4, 9, 1 against 9: a hit
   * at rank 2, precision 1/3, recall 1, AP (1/2) / min(1, 3) = 1/2.
   */
  @Test
  void measuresEqualAHandComputation() {
    Dataset<Row> lists = TestSpark.rows(LISTS, list("a", List.of(1.0, 2.0, 3.0, 4.0, 5.0), List.of(1.0, 3.0, 6.0)),
        list("b", List.of(7.0, 8.0), List.of(9.0)), list("c", List.of(4.0, 9.0, 1.0), List.of(9.0)));
    RankingQuality quality = new RankingQuality(3);
    Map<String, Interval> measures = quality.measure(quality.perCustomer(lists), 200, 1, 0.9);
    assertEquals((5.0 / 9 + 0 + 0.5) / 3, measures.get(RankingQuality.MAP).estimate(), 1e-12);
    assertEquals((2.0 / 3 + 0 + 1.0 / 3) / 3, measures.get(RankingQuality.PRECISION).estimate(), 1e-12);
    assertEquals((2.0 / 3 + 0 + 1) / 3, measures.get(RankingQuality.RECALL).estimate(), 1e-12);
    assertEquals(2.0 / 3, measures.get(RankingQuality.HIT_RATE).estimate(), 1e-12);
  }

  /** On random lists, MAP@k, precision@k and recall@k equal MLlib's RankingEvaluator, at three cut-offs. */
  @Test
  void measuresEqualMllibsRankingEvaluator() {
    Random random = new Random(11);
    List<Row> rows = new ArrayList<>();
    for (int c = 0; c < 300; c++) {
      List<Double> items = new ArrayList<>();
      for (int i = 0; i < 30; i++) {
        items.add((double) i);
      }
      java.util.Collections.shuffle(items, random);
      List<Double> recommended = items.subList(0, 1 + random.nextInt(12));
      List<Double> bought = new ArrayList<>(items.subList(random.nextInt(5), 5 + random.nextInt(6)));
      rows.add(list("c" + c, recommended, bought));
    }
    Dataset<Row> lists = TestSpark.rows(LISTS, rows.toArray(Row[]::new));
    for (int k : new int[] {1, 5, 10}) {
      RankingQuality quality = new RankingQuality(k);
      Map<String, Interval> ours = quality.measure(quality.perCustomer(lists), 50, 1, 0.9);
      RankingEvaluator mllib = new RankingEvaluator().setK(k).setPredictionCol(RankingQuality.RECOMMENDED)
          .setLabelCol(RankingQuality.BOUGHT);
      assertEquals(mllib.setMetricName("meanAveragePrecisionAtK").evaluate(lists),
          ours.get(RankingQuality.MAP).estimate(), 1e-12, "MAP@" + k);
      assertEquals(mllib.setMetricName("precisionAtK").evaluate(lists),
          ours.get(RankingQuality.PRECISION).estimate(), 1e-12, "precision@" + k);
      assertEquals(mllib.setMetricName("recallAtK").evaluate(lists),
          ours.get(RankingQuality.RECALL).estimate(), 1e-12, "recall@" + k);
    }
  }

  /**
   * The interval's promise: over 300 seeded evaluations of 2,000 customers whose hit is a coin of probability 0.3,
   * spread over the 100 groups at random, the 90 % interval of the hit rate contains 0.3 between 84 % and 96 % of
   * the time (the binomial spread of a true 90 % over 300 trials is about ± 1.7 points; the rest allows for a
   * percentile bootstrap's small-sample shortfall).
   */
  @Test
  void theHitRateIntervalCoversTheTruthAsOftenAsItPromises() {
    Random random = new Random(3);
    int covered = 0;
    int trials = 300;
    for (int t = 0; t < trials; t++) {
      long[] customers = new long[RankingQuality.GROUPS];
      double[][] totals = new double[RankingQuality.MEASURES.size()][RankingQuality.GROUPS];
      for (int c = 0; c < 2000; c++) {
        int group = random.nextInt(RankingQuality.GROUPS);
        customers[group]++;
        totals[3][group] += random.nextDouble() < 0.3 ? 1 : 0;
      }
      Interval hitRate = RankingQuality.bootstrap(customers, totals, 200, t, 0.9).get(RankingQuality.HIT_RATE);
      covered += hitRate.contains(0.3) ? 1 : 0;
    }
    double coverage = covered / (double) trials;
    System.out.printf("RankingQualityTest: 90 %% hit-rate interval coverage %.3f over %d trials%n", coverage, trials);
    assertTrue(coverage >= 0.84 && coverage <= 0.96, "coverage " + coverage);
  }
}
