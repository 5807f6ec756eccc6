package org.segmentation.clv;

import java.util.Optional;
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
  static final double LONGEST_T = 10;
  /** A likelihood's rows are summed in this many chunks, whatever the number of cores. */
  static final int CHUNKS = 64;

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
      return ModelFit.none(histories.totalCustomers(), 0,
          Optional.of("no customer has been observed for any time yet (every T is 0)"));
    }
    double scale = LONGEST_T / longest;
    ScaledHistories scaled = new ScaledHistories(histories, scale);
    MaximumLikelihood.Result result = MaximumLikelihood.minimise(scaled::meanNegativeLogLikelihood, 4, penalizer,
        maxEvaluations);
    if (result.parameters() == null) {
      return ModelFit.none(histories.totalCustomers(), result.evaluations(), result.problem());
    }
    double[] p = result.parameters();
    BgNbd model = new BgNbd(p[0], p[1] / scale, p[2], p[3]);
    return new ModelFit<>(Optional.of(model), logLikelihood(model, histories), histories.totalCustomers(),
        result.evaluations(), result.problem(), result.starts(), result.gapToSecondBest() * histories.totalCustomers());
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
      return ModelFit.none(0, 0, Optional.of("no repeat buyer"));
    }
    double scale = weight / weighted;
    ToDoubleFunction<double[]> objective = new ScaledValues(values, scale)::meanNegativeLogLikelihood;
    MaximumLikelihood.Result result = MaximumLikelihood.minimise(objective, 3, penalizer, maxEvaluations);
    if (result.parameters() == null) {
      return ModelFit.none(customers, result.evaluations(), result.problem());
    }
    double[] p = result.parameters();
    GammaGamma model = new GammaGamma(p[0], p[1], p[2] / scale);
    double logLikelihood = 0;
    for (int i = 0; i < values.size(); i++) {
      logLikelihood += values.customers()[i] * model.logLikelihood(values.x()[i], values.meanValue()[i]);
    }
    return new ModelFit<>(Optional.of(model), logLikelihood, customers, result.evaluations(), result.problem(),
        result.starts(), result.gapToSecondBest() * weight);
  }

  /**
   * The histories with times scaled, indexed for a fast likelihood: the terms that depend on x alone, and the
   * logarithms of α + T and α + t_x, are computed once per distinct value and evaluation, so a distinct history
   * costs an exponential and a logarithm. The sum runs over a fixed number of chunks in parallel (the same chunks on
   * any machine, so the same result). {@link BgNbd#logLikelihood} is the reference this must equal.
   */
  static final class ScaledHistories {
    private final double totalCustomers;
    private final double[] customers;
    private final Distinct x;
    private final Distinct tx;
    private final Distinct T;

    ScaledHistories(Histories histories, double scale) {
      double[] scaledTx = new double[histories.size()];
      double[] scaledT = new double[histories.size()];
      double total = 0;
      for (int i = 0; i < histories.size(); i++) {
        scaledTx[i] = histories.tx()[i] * scale;
        scaledT[i] = histories.T()[i] * scale;
        total += histories.customers()[i];
      }
      totalCustomers = total;
      customers = histories.customers().clone();
      x = new Distinct(histories.x());
      tx = new Distinct(scaledTx);
      T = new Distinct(scaledT);
    }

    double meanNegativeLogLikelihood(double[] parameters) {
      BgNbd model = new BgNbd(parameters[0], parameters[1], parameters[2], parameters[3]);
      double[] termsOfX = x.map(model::termsOfX);
      double[] rPlusX = x.map(value -> model.r() + value);
      double[] logDropOutOdds = x.map(value -> value > 0 ? Math.log(model.a()) - Math.log(model.b() + value - 1) : 0);
      double[] logAlphaT = T.map(value -> Math.log(model.alpha() + value));
      double[] logAlphaTx = tx.map(value -> Math.log(model.alpha() + value));
      int n = customers.length;
      double sum = inChunks(chunk -> {
        double partial = 0;
        for (int i = (int) ((long) n * chunk / CHUNKS); i < (int) ((long) n * (chunk + 1) / CHUNKS); i++) {
          int k = x.index[i];
          double stillAlive = -rPlusX[k] * logAlphaT[T.index[i]];
          double logLikelihood;
          if (x.values[k] <= 0) {
            logLikelihood = stillAlive;
          } else {
            double droppedOut = logDropOutOdds[k] - rPlusX[k] * logAlphaTx[tx.index[i]];
            double larger = Math.max(stillAlive, droppedOut);
            logLikelihood = larger + Math.log1p(Math.exp(Math.min(stillAlive, droppedOut) - larger));
          }
          partial += customers[i] * (termsOfX[k] + logLikelihood);
        }
        return partial;
      });
      return -sum / totalCustomers;
    }
  }

  /**
   * The repeat values scaled, indexed as {@link ScaledHistories}: the log-gamma terms per distinct x, ln m once for
   * all evaluations, so a distinct (x, m) costs one logarithm. {@link GammaGamma#logLikelihood} is the reference.
   */
  static final class ScaledValues {
    private final double totalCustomers;
    private final double[] customers;
    private final double[] scaledMean;
    private final double[] logMean;
    private final Distinct x;

    ScaledValues(RepeatValues values, double scale) {
      customers = values.customers().clone();
      scaledMean = new double[values.size()];
      logMean = new double[values.size()];
      double total = 0;
      for (int i = 0; i < values.size(); i++) {
        scaledMean[i] = values.meanValue()[i] * scale;
        logMean[i] = Math.log(scaledMean[i]);
        total += customers[i];
      }
      totalCustomers = total;
      x = new Distinct(values.x());
    }

    double meanNegativeLogLikelihood(double[] parameters) {
      double p = parameters[0];
      double q = parameters[1];
      double gamma = parameters[2];
      double constant = -org.apache.commons.math3.special.Gamma.logGamma(q) + q * Math.log(gamma);
      double[] termsOfX = x.map(value -> org.apache.commons.math3.special.Gamma.logGamma(p * value + q)
          - org.apache.commons.math3.special.Gamma.logGamma(p * value) + p * value * Math.log(value) + constant);
      int n = customers.length;
      double sum = inChunks(chunk -> {
        double partial = 0;
        for (int i = (int) ((long) n * chunk / CHUNKS); i < (int) ((long) n * (chunk + 1) / CHUNKS); i++) {
          int k = x.index[i];
          double px = p * x.values[k];
          partial += customers[i] * (termsOfX[k] + (px - 1) * logMean[i]
              - (px + q) * Math.log(x.values[k] * scaledMean[i] + gamma));
        }
        return partial;
      });
      return -sum / totalCustomers;
    }
  }

  /**
   * Sums {@code partialSum} of each of the {@value #CHUNKS} chunks of a likelihood's rows: the chunks in parallel,
   * their sums in chunk order, so the total is the same bits whatever the machine's cores.
   */
  private static double inChunks(java.util.function.IntToDoubleFunction partialSum) {
    double[] partials = new double[CHUNKS];
    java.util.stream.IntStream.range(0, CHUNKS).parallel().forEach(chunk -> partials[chunk] = partialSum
        .applyAsDouble(chunk));
    double total = 0;
    for (double partial : partials) {
      total += partial;
    }
    return total;
  }

  /** The distinct values of a column and, per row, the index of its value. */
  private static final class Distinct {
    final double[] values;
    final int[] index;

    Distinct(double[] column) {
      values = java.util.Arrays.stream(column).distinct().sorted().toArray();
      index = new int[column.length];
      for (int i = 0; i < column.length; i++) {
        index[i] = java.util.Arrays.binarySearch(values, column[i]);
      }
    }

    double[] map(java.util.function.DoubleUnaryOperator f) {
      double[] mapped = new double[values.length];
      for (int k = 0; k < values.length; k++) {
        mapped[k] = f.applyAsDouble(values[k]);
      }
      return mapped;
    }
  }
}
