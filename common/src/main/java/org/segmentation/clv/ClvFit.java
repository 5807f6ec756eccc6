package org.segmentation.clv;

import java.util.Optional;
import java.util.TreeMap;
import java.util.function.ToDoubleFunction;

/**
 * Maximum-likelihood fits of BG/NBD and Gamma-Gamma over aggregated customer histories: each distinct history comes
 * once with the number of customers who share it (the "weights" of Fader and Hardie's spreadsheet), so an evaluation
 * of the likelihood costs one pass over the distinct histories, however many customers there are. No Spark here:
 * {@link FitClv} aggregates the histories in Spark and hands over these arrays.
 *
 * <p>Scaling, for the optimiser's sake: times are divided so that the longest T is 10 (as {@code lifetimes} does) and
 * values by their weighted mean, so that the parameters start near 1 whatever the time unit or the currency. The
 * results are scaled back (α, γ), and the log-likelihood reported is the one of the data as given. The penalty, if
 * any, applies to the scaled parameters.
 */
public final class ClvFit {
  private static final double LONGEST_T = 10;

  private ClvFit() {}

  /**
   * Distinct purchase histories.
   *
   * @param x repeat purchases
   * @param tx time of the last purchase after the first
   * @param T time since the first purchase
   * @param customers how many customers have each history
   */
  public record Histories(double[] x, double[] tx, double[] T, double[] customers) {
    public int size() {
      return x.length;
    }

    long totalCustomers() {
      double total = 0;
      for (double count : customers) {
        total += count;
      }
      return Math.round(total);
    }
  }

  /**
   * Distinct (x, mean repeat value) pairs of repeat buyers (x > 0, value > 0).
   *
   * @param x repeat purchases
   * @param meanValue mean value of the repeat purchases
   * @param customers how many customers have each pair
   */
  public record RepeatValues(double[] x, double[] meanValue, double[] customers) {
    public int size() {
      return x.length;
    }
  }

  /** Fits BG/NBD. */
  public static ModelFit<BgNbd> bgNbd(Histories histories, double penalizer, int maxEvaluations) {
    double longest = 0;
    for (double t : histories.T()) {
      longest = Math.max(longest, t);
    }
    if (histories.size() == 0 || longest <= 0) {
      return new ModelFit<>(Optional.empty(), Double.NaN, histories.totalCustomers(), 0,
          Optional.of("no customer has been observed for any time yet (every T is 0)"));
    }
    double scale = LONGEST_T / longest;
    ScaledHistories scaled = new ScaledHistories(histories, scale);
    MaximumLikelihood.Result result = MaximumLikelihood.minimise(scaled::meanNegativeLogLikelihood, 4, penalizer,
        maxEvaluations);
    if (result.parameters() == null) {
      return new ModelFit<>(Optional.empty(), Double.NaN, histories.totalCustomers(), result.evaluations(),
          result.problem());
    }
    double[] p = result.parameters();
    BgNbd model = new BgNbd(p[0], p[1] / scale, p[2], p[3]);
    return new ModelFit<>(Optional.of(model), logLikelihood(model, histories), histories.totalCustomers(),
        result.evaluations(), result.problem());
  }

  /** The total log-likelihood of the histories under a model. */
  public static double logLikelihood(BgNbd model, Histories histories) {
    double total = 0;
    for (int i = 0; i < histories.size(); i++) {
      total += histories.customers()[i] * model.logLikelihood(histories.x()[i], histories.tx()[i], histories.T()[i]);
    }
    return total;
  }

  /** Fits Gamma-Gamma. */
  public static ModelFit<GammaGamma> gammaGamma(RepeatValues values, double penalizer, int maxEvaluations) {
    double weighted = 0;
    double weight = 0;
    for (int i = 0; i < values.size(); i++) {
      weighted += values.customers()[i] * values.meanValue()[i];
      weight += values.customers()[i];
    }
    long customers = Math.round(weight);
    if (values.size() == 0) {
      return new ModelFit<>(Optional.empty(), Double.NaN, 0, 0, Optional.of("no repeat buyer"));
    }
    double scale = weight / weighted;
    double totalWeight = weight;
    ToDoubleFunction<double[]> objective = parameters -> {
      GammaGamma model = new GammaGamma(parameters[0], parameters[1], parameters[2]);
      double sum = 0;
      for (int i = 0; i < values.size(); i++) {
        sum += values.customers()[i] * model.logLikelihood(values.x()[i], values.meanValue()[i] * scale);
      }
      return -sum / totalWeight;
    };
    MaximumLikelihood.Result result = MaximumLikelihood.minimise(objective, 3, penalizer, maxEvaluations);
    if (result.parameters() == null) {
      return new ModelFit<>(Optional.empty(), Double.NaN, customers, result.evaluations(), result.problem());
    }
    double[] p = result.parameters();
    GammaGamma model = new GammaGamma(p[0], p[1], p[2] / scale);
    double logLikelihood = 0;
    for (int i = 0; i < values.size(); i++) {
      logLikelihood += values.customers()[i] * model.logLikelihood(values.x()[i], values.meanValue()[i]);
    }
    return new ModelFit<>(Optional.of(model), logLikelihood, customers, result.evaluations(), result.problem());
  }

  /**
   * The histories with times scaled, and the terms of the likelihood that depend on x alone computed once per distinct
   * x and evaluation: the likelihood then costs two logarithms and an exponential per distinct history.
   */
  private static final class ScaledHistories {
    private final double[] x;
    private final double[] tx;
    private final double[] T;
    private final double[] customers;
    private final double totalCustomers;
    private final double[] distinctX;
    private final int[] xIndex;

    ScaledHistories(Histories histories, double scale) {
      int n = histories.size();
      x = histories.x().clone();
      tx = new double[n];
      T = new double[n];
      customers = histories.customers().clone();
      double total = 0;
      TreeMap<Double, Integer> indexOfX = new TreeMap<>();
      for (int i = 0; i < n; i++) {
        tx[i] = histories.tx()[i] * scale;
        T[i] = histories.T()[i] * scale;
        total += customers[i];
        indexOfX.putIfAbsent(x[i], 0);
      }
      totalCustomers = total;
      distinctX = new double[indexOfX.size()];
      int next = 0;
      for (Double value : indexOfX.keySet()) {
        indexOfX.put(value, next);
        distinctX[next++] = value;
      }
      xIndex = new int[n];
      for (int i = 0; i < n; i++) {
        xIndex[i] = indexOfX.get(x[i]);
      }
    }

    double meanNegativeLogLikelihood(double[] parameters) {
      BgNbd model = new BgNbd(parameters[0], parameters[1], parameters[2], parameters[3]);
      double[] termsOfX = new double[distinctX.length];
      for (int k = 0; k < distinctX.length; k++) {
        termsOfX[k] = model.termsOfX(distinctX[k]);
      }
      double sum = 0;
      for (int i = 0; i < x.length; i++) {
        sum += customers[i] * model.logLikelihood(x[i], tx[i], T[i], termsOfX[xIndex[i]]);
      }
      return -sum / totalCustomers;
    }
  }
}
