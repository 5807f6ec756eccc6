package org.segmentation.clv;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * BG/NBD and Gamma-Gamma against the figures published for the CDNOW cohort (Fader, Hardie and Lee 2005; the worked
 * spreadsheet; R's BTYD), listed in common/src/test/resources/cdnow/README.md. The fits run on the published 39-week
 * cohort summaries, aggregated to distinct histories exactly as the job aggregates them.
 */
class PublishedCdnowFiguresTest {
  static final Path CDNOW = Path.of("src/test/resources/cdnow");
  static final BgNbd PUBLISHED = new BgNbd(0.243, 4.414, 0.793, 2.426);
  static final GammaGamma PUBLISHED_SPEND = new GammaGamma(6.25, 3.74, 15.44);

  static List<String[]> rows(String file) {
    try {
      List<String> lines = Files.readAllLines(CDNOW.resolve(file));
      List<String[]> rows = new ArrayList<>();
      lines.subList(1, lines.size()).forEach(line -> rows.add(line.split(",")));
      return rows;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The 2,357 customers as distinct (x, t_x, T) histories with counts. */
  static ClvFit.Histories cohortHistories() {
    Map<List<Double>, Double> counts = new LinkedHashMap<>();
    for (String[] row : rows("cdnow_customers_summary.csv")) {
      counts.merge(List.of(Double.parseDouble(row[1]), Double.parseDouble(row[2]), Double.parseDouble(row[3])), 1.0,
          Double::sum);
    }
    int n = counts.size();
    double[] x = new double[n];
    double[] tx = new double[n];
    double[] T = new double[n];
    double[] customers = new double[n];
    int i = 0;
    for (Map.Entry<List<Double>, Double> entry : counts.entrySet()) {
      x[i] = entry.getKey().get(0);
      tx[i] = entry.getKey().get(1);
      T[i] = entry.getKey().get(2);
      customers[i++] = entry.getValue();
    }
    return new ClvFit.Histories(x, tx, T, customers);
  }

  @Test
  void bgNbdFitMatchesThePublishedParametersAndLogLikelihood() {
    ClvFit.Histories histories = cohortHistories();
    assertTrue(histories.size() < 2357, "histories are aggregated: " + histories.size());
    ModelFit<BgNbd> fit = ClvFit.bgNbd(histories, 0, 5000);
    assertTrue(fit.converged(), fit.toString());
    BgNbd model = fit.model().orElseThrow();
    assertEquals(0.243, model.r(), 0.005, model.toString());
    assertEquals(4.414, model.alpha(), 0.005, model.toString());
    assertEquals(0.793, model.a(), 0.005, model.toString());
    assertEquals(2.426, model.b(), 0.005, model.toString());
    assertEquals(-9582.4, fit.logLikelihood(), 0.5);
    assertEquals(2357, fit.customers());
  }

  @Test
  void bgNbdFormulasMatchThePublishedWorkedExample() {
    // the worked example's figures come from the published (rounded) parameters ...
    assertEquals(1.226, PUBLISHED.conditionalExpectedPurchases(39, 2, 30.43, 38.86), 0.001);
    assertEquals(0.5737864, PUBLISHED.probabilityOfPurchases(0, 39), 1e-5);
    assertEquals(1.07869e-07, PUBLISHED.probabilityOfPurchases(10, 2), 1e-11);
    assertEquals(1.0, PUBLISHED.probabilityAlive(0, 0, 38.86));
    // ... the E[X(t)] series from the maximum itself (the rounded parameters give 1.0420 at t = 31.8571)
    BgNbd fitted = ClvFit.bgNbd(cohortHistories(), 0, 5000).model().orElseThrow();
    double[] times = {0.1429, 1, 3, 31.8571, 32, 78};
    double[] expected = {0.0078, 0.0532, 0.1506, 1.0405, 1.0437, 1.8576};
    for (int i = 0; i < times.length; i++) {
      assertEquals(expected[i], fitted.expectedPurchases(times[i]), 0.0005, "E[X(" + times[i] + ")]");
    }
    assertEquals(1.226, fitted.conditionalExpectedPurchases(39, 2, 30.43, 38.86), 0.001);
  }

  @Test
  void probabilityAliveFallsWithTimeSinceTheLastPurchase() {
    double recent = PUBLISHED.probabilityAlive(4, 37, 38.86);
    double lapsed = PUBLISHED.probabilityAlive(4, 5, 38.86);
    assertTrue(recent > 0.8 && lapsed < 0.05 && lapsed > 0, recent + " " + lapsed);
    // Bayes by hand: P(alive) = 1 / (1 + a/(b+x-1) * ((alpha+T)/(alpha+t_x))^(r+x))
    assertEquals(1 / (1 + 0.793 / (2.426 + 3) * Math.pow((4.414 + 38.86) / (4.414 + 5), 0.243 + 4)), lapsed, 1e-12);
  }

  @Test
  void gammaGammaFitMatchesThePublishedParametersAndExpectedValues() {
    Map<List<Double>, Double> counts = new LinkedHashMap<>();
    List<String[]> customers = rows("cdnow_customers_summary_with_transactions.csv");
    for (String[] row : customers) {
      double x = Double.parseDouble(row[1]);
      if (x > 0) {
        counts.merge(List.of(x, Double.parseDouble(row[4])), 1.0, Double::sum);
      }
    }
    double[] x = new double[counts.size()];
    double[] m = new double[counts.size()];
    double[] n = new double[counts.size()];
    int i = 0;
    for (Map.Entry<List<Double>, Double> entry : counts.entrySet()) {
      x[i] = entry.getKey().get(0);
      m[i] = entry.getKey().get(1);
      n[i++] = entry.getValue();
    }
    ModelFit<GammaGamma> fit = ClvFit.gammaGamma(new ClvFit.RepeatValues(x, m, n), 0, 5000);
    assertTrue(fit.converged(), fit.toString());
    assertEquals(946, fit.customers());
    GammaGamma model = fit.model().orElseThrow();
    assertEquals(6.25, model.p(), 0.005, model.toString());
    assertEquals(3.74, model.q(), 0.005, model.toString());
    // "to 2 decimals" as lifetimes checks it (numpy's assert_almost_equal, decimal=2: |difference| < 0.015)
    assertEquals(15.44, model.gamma(), 0.015, model.toString());

    double[] published = {24.65, 18.91, 35.17, 35.17, 35.17, 71.46, 18.91, 35.17, 27.28, 35.17};
    for (int c = 0; c < published.length; c++) {
      String[] row = customers.get(c);
      double expected = PUBLISHED_SPEND.conditionalExpectedValue(Double.parseDouble(row[1]),
          Double.parseDouble(row[4]));
      assertEquals(published[c], expected, 0.1, "customer " + row[0]);
      assertEquals(published[c], model.conditionalExpectedValue(Double.parseDouble(row[1]),
          Double.parseDouble(row[4])), 0.1, "customer " + row[0] + " with the fitted parameters");
    }
  }

  /** The fit's fast likelihood (indexed, parallel) is the model's reference formula, summed over customers. */
  @Test
  void theFastLikelihoodIsTheReferenceFormula() {
    ClvFit.Histories histories = cohortHistories();
    ClvFit.ScaledHistories fast = new ClvFit.ScaledHistories(histories, 1.0);
    for (BgNbd model : List.of(PUBLISHED, new BgNbd(1.5, 0.3, 2.0, 0.7), new BgNbd(0.05, 40, 0.2, 9))) {
      double reference = ClvFit.logLikelihood(model, histories) / 2357;
      assertEquals(-reference, fast.meanNegativeLogLikelihood(model.toArray()), 1e-9 * Math.abs(reference),
          model.toString());
    }
  }

  @Test
  void theFastSpendLikelihoodIsTheReferenceFormula() {
    double[] x = {1, 1, 2, 5, 12};
    double[] m = {10.5, 30, 22.25, 8, 64.1};
    double[] n = {3, 1, 2, 1, 4};
    ClvFit.ScaledValues fast = new ClvFit.ScaledValues(new ClvFit.RepeatValues(x, m, n), 1.0);
    for (GammaGamma model : List.of(PUBLISHED_SPEND, new GammaGamma(0.5, 2.5, 100), new GammaGamma(20, 1.2, 3))) {
      double reference = 0;
      for (int i = 0; i < x.length; i++) {
        reference += n[i] * model.logLikelihood(x[i], m[i]);
      }
      assertEquals(-reference / 11, fast.meanNegativeLogLikelihood(model.toArray()), 1e-9 * Math.abs(reference),
          model.toString());
    }
  }

  @Test
  void theFitIsTheSameInDaysAsInWeeks() {
    ClvFit.Histories weeks = cohortHistories();
    double[] txDays = weeks.tx().clone();
    double[] tDays = weeks.T().clone();
    for (int i = 0; i < txDays.length; i++) {
      txDays[i] *= 7;
      tDays[i] *= 7;
    }
    BgNbd inWeeks = ClvFit.bgNbd(weeks, 0, 5000).model().orElseThrow();
    BgNbd inDays = ClvFit.bgNbd(new ClvFit.Histories(weeks.x(), txDays, tDays, weeks.customers()), 0, 5000)
        .model().orElseThrow();
    assertEquals(inWeeks.r(), inDays.r(), 1e-4);
    assertEquals(inWeeks.alpha() * 7, inDays.alpha(), 1e-3);
    assertEquals(inWeeks.a(), inDays.a(), 1e-4);
    assertEquals(inWeeks.b(), inDays.b(), 1e-4);
  }

  @Test
  void aPenaltyShrinksTheParametersAndTooFewDataAreReportedNotHidden() {
    ClvFit.Histories histories = cohortHistories();
    BgNbd free = ClvFit.bgNbd(histories, 0, 5000).model().orElseThrow();
    BgNbd penalised = ClvFit.bgNbd(histories, 0.1, 5000).model().orElseThrow();
    assertTrue(penalised.b() < free.b() && penalised.a() < free.a(), free + " " + penalised);

    ModelFit<BgNbd> nothing = ClvFit.bgNbd(new ClvFit.Histories(new double[] {0}, new double[] {0},
        new double[] {0}, new double[] {3}), 0, 5000);
    assertTrue(!nothing.converged() && nothing.model().isEmpty(), nothing.toString());
  }
}
