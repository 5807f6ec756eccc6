package org.segmentation.uplift;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.segmentation.uplift.QiniEvaluation.Evaluation;
import org.segmentation.uplift.QiniEvaluation.Point;

class QiniEvaluationTest {
  /**
   * Two groups of 20 members, 10 per arm. Top: 5 of 10 treated converted, 1 of 10 control. Bottom: 1 of 10 treated,
   * 3 of 10 control. By hand (q per treated member of all 20): after the top, share 0.5, q = (5 - 1 * 10/10) / 20 =
   * 0.2; after both, q = (6 - 4 * 20/20) / 20 = 0.1. AUUC = 0.5 * 0.1 + 0.5 * 0.15 = 0.125, the random line's area
   * 0.05, Qini 0.075. The best ranking: 6 treated buyers first (share 0.15, q 0.3), 4 control buyers last (from share
   * 0.9 down to 0.1): area 0.0225 + 0.225 + 0.02 = 0.2675, its Qini 0.2175.
   */
  static UpliftCells twoGroups() {
    return new UpliftCells(new long[] {10, 10}, new double[] {5, 1}, new double[] {5, 1}, new long[] {10, 10},
        new double[] {1, 3}, new double[] {1, 3}, true);
  }

  @Test
  void theCurveItsAreasAndUpliftAtKAreTheHandComputedOnes() {
    Evaluation e = QiniEvaluation.of(twoGroups(), 200, 1, 0.95);
    assertEquals(3, e.curve().size());
    assertEquals(0.5, e.curve().get(1).share(), 1e-12);
    assertEquals(0.2, e.curve().get(1).qini(), 1e-12);
    assertEquals(0.4, e.curve().get(1).lift(), 1e-12);
    assertEquals(0.1, e.averageEffect(), 1e-12);
    assertEquals(0.125, e.auuc().estimate(), 1e-12);
    assertEquals(0.05, e.randomAuuc().estimate(), 1e-12);
    assertEquals(0.075, e.qiniCoefficient().estimate(), 1e-12);
    assertEquals(0.075 / 0.2175, e.normalisedQini(), 1e-12);
    QiniEvaluation.UpliftAt half = e.upliftAt().get(4);
    assertEquals(50, half.percent());
    assertEquals(20, half.members());
    assertEquals(0.4, half.top().estimate(), 1e-12);
    assertEquals(-0.2, half.rest().estimate(), 1e-12);
    assertTrue(Double.isNaN(e.upliftAt().get(9).rest().estimate()), "nobody is left at 100 %");
    assertEquals(List.of(0.0, 0.15, 0.9, 1.0), e.perfectCurve().stream().map(Point::share).toList());
  }

  @Test
  void theBudgetContactsTheShareWithTheHighestExpectedProfit() {
    Evaluation e = QiniEvaluation.of(twoGroups(), 50, 1, 0.95);
    // value 10 per conversion, contact 1: top half 500 * (10 * 0.4 - 1) = 1,500; everyone 1,000 * (10 * 0.1 - 1) = 0
    BudgetedTargeting.Plan plan = new BudgetedTargeting(1, 10).plan(e.curve(), 1_000);
    assertEquals(0.5, plan.best().share(), 1e-12);
    assertEquals(500, plan.best().customers());
    assertEquals(1_500, plan.best().profit(), 1e-9);
    assertEquals(0, plan.curve().get(2).profit(), 1e-9);
    // contacts dearer than any lift pays for: contact no one
    assertEquals(0, new BudgetedTargeting(5, 10).plan(e.curve(), 1_000).best().customers());
  }

  /**
   * Coverage: ten groups of 400 + 400 members whose true conversion rates are known; over 400 seeded experiments the
   * 90 % interval of the lift among the top half must hold the true lift 90 % of the time, within the binomial noise
   * of 400 repetitions (sd 1.5 points): 86-94 %.
   */
  @Test
  void theUpliftAtKIntervalCoversTheTrueLiftAsOftenAsItPromises() {
    double[] treatedRate = new double[10];
    double[] controlRate = new double[10];
    for (int g = 0; g < 10; g++) {
      controlRate[g] = 0.10;
      treatedRate[g] = 0.10 + 0.01 * (9 - g); // the top groups gain most
    }
    double trueTopHalf = 0;
    for (int g = 0; g < 5; g++) {
      trueTopHalf += (treatedRate[g] - controlRate[g]) / 5;
    }
    Random random = new Random(17);
    int covered = 0;
    int repetitions = 400;
    for (int r = 0; r < repetitions; r++) {
      long[] n = new long[10];
      double[] treatedBuyers = new double[10];
      double[] controlBuyers = new double[10];
      for (int g = 0; g < 10; g++) {
        n[g] = 400;
        treatedBuyers[g] = binomial(random, 400, treatedRate[g]);
        controlBuyers[g] = binomial(random, 400, controlRate[g]);
      }
      Evaluation e = QiniEvaluation.of(new UpliftCells(n, treatedBuyers, treatedBuyers, n.clone(), controlBuyers,
          controlBuyers, true), 100, r, 0.90);
      if (e.upliftAt().get(4).top().contains(trueTopHalf)) {
        covered++;
      }
    }
    double coverage = (double) covered / repetitions;
    assertTrue(coverage >= 0.86 && coverage <= 0.94, "90 % intervals covered " + coverage);
  }

  private static int binomial(Random random, int n, double p) {
    int k = 0;
    for (int i = 0; i < n; i++) {
      if (random.nextDouble() < p) {
        k++;
      }
    }
    return k;
  }

  /**
   * The false-positive rate: 400 seeded null experiments (the same conversion rates in both arms of every group, so a
   * ranking finds nothing); the 95 % interval of the Qini coefficient excludes 0 in 5 % of them, within the binomial
   * noise of 400 (sd 1.1 points): 2-8 %.
   */
  @Test
  void onANullExperimentTheQiniIntervalExcludesZeroAsRarelyAsItPromises() {
    Random random = new Random(23);
    int excluded = 0;
    int repetitions = 400;
    for (int r = 0; r < repetitions; r++) {
      long[] n = new long[20];
      double[] treatedBuyers = new double[20];
      double[] controlBuyers = new double[20];
      for (int g = 0; g < 20; g++) {
        double rate = 0.05 + 0.01 * g; // groups differ in their rate, never in their lift
        n[g] = 300;
        treatedBuyers[g] = binomial(random, 300, rate);
        controlBuyers[g] = binomial(random, 300, rate);
      }
      Evaluation e = QiniEvaluation.of(new UpliftCells(n, treatedBuyers, treatedBuyers, n.clone(), controlBuyers,
          controlBuyers, true), 100, 1000 + r, 0.95);
      if (!e.qiniCoefficient().contains(0)) {
        excluded++;
      }
    }
    double rate = (double) excluded / repetitions;
    assertTrue(rate >= 0.02 && rate <= 0.08, "false-positive rate " + rate);
  }
}
