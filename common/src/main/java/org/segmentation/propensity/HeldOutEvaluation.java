package org.segmentation.propensity;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.apache.commons.math3.random.RandomDataGenerator;
import org.apache.commons.math3.random.Well19937c;

/**
 * How good a propensity model's scores are on customers it was not trained on, from their {@link ScoreHistogram}:
 * how well it ranks (AUC, with a bootstrap interval), how honest its probabilities are (the calibration table by
 * decile and the expected calibration error) and what targeting by it gains (the gain and lift table). All on the
 * driver, from at most a thousand bins.
 */
public final class HeldOutEvaluation {
  private HeldOutEvaluation() {}

  /** An estimate with its interval. */
  public record Interval(double estimate, double low, double high) {
    public boolean contains(double value) {
      return low <= value && value <= high;
    }
  }

  /**
   * One group of customers by score, the highest-scored first.
   *
   * @param decile 1 for the top tenth of scores, and so on (a group may hold more than a tenth when many customers
   *     share one score; an empty group is left out)
   * @param meanScore the mean predicted probability: what the model promises
   * @param observedRate the share of positives: what happened
   * @param lift the observed rate over the base rate of all held-out customers
   * @param cumulativeGain the share of all positives found in this group and those above it
   */
  public record Decile(int decile, long customers, long positives, double meanScore, double observedRate,
      double lift, double cumulativeGain) {}

  /**
   * The area under the ROC curve: the probability that a positive customer scores above a negative one, tied scores
   * counting half. NaN when the customers are all positive or all negative.
   */
  public static double auc(ScoreHistogram histogram) {
    return auc(histogram.positives(), histogram.negatives());
  }

  private static double auc(long[] positives, long[] negatives) {
    double pairs = 0;
    double negativesBelow = 0;
    double totalPositives = 0;
    for (int i = 0; i < positives.length; i++) {
      pairs += positives[i] * (negativesBelow + 0.5 * negatives[i]);
      negativesBelow += negatives[i];
      totalPositives += positives[i];
    }
    return totalPositives == 0 || negativesBelow == 0 ? Double.NaN : pairs / (totalPositives * negativesBelow);
  }

  /**
   * The AUC with a percentile interval from {@code resamples} bootstrap resamples of the customers, seeded. Each
   * resample is a Poisson bootstrap (every customer drawn a Poisson(1) number of times, so a bin's count is Poisson
   * with its count as mean), which resamples from the bins without the customers.
   */
  public static Interval aucInterval(ScoreHistogram histogram, int resamples, long seed, double confidence) {
    if (resamples < 1 || !(confidence > 0 && confidence < 1)) {
      throw new IllegalArgumentException("resamples >= 1 and a confidence in (0, 1)");
    }
    RandomDataGenerator random = new RandomDataGenerator(new Well19937c(seed));
    double[] aucs = new double[resamples];
    long[] positives = new long[histogram.bins()];
    long[] negatives = new long[histogram.bins()];
    int kept = 0;
    for (int r = 0; r < resamples; r++) {
      for (int i = 0; i < histogram.bins(); i++) {
        positives[i] = poisson(random, histogram.positives()[i]);
        negatives[i] = poisson(random, histogram.negatives()[i]);
      }
      double auc = auc(positives, negatives);
      if (!Double.isNaN(auc)) {
        aucs[kept++] = auc;
      }
    }
    double estimate = auc(histogram);
    if (kept == 0) {
      return new Interval(estimate, Double.NaN, Double.NaN);
    }
    double[] sorted = Arrays.copyOf(aucs, kept);
    Arrays.sort(sorted);
    double tail = (1 - confidence) / 2;
    return new Interval(estimate, quantile(sorted, tail), quantile(sorted, 1 - tail));
  }

  private static long poisson(RandomDataGenerator random, long mean) {
    return mean == 0 ? 0 : random.nextPoisson(mean);
  }

  /** The {@code p} quantile of sorted values, interpolated between order statistics. */
  public static double quantile(double[] sorted, double p) {
    double position = p * (sorted.length - 1);
    int below = (int) Math.floor(position);
    int above = Math.min(sorted.length - 1, below + 1);
    return sorted[below] + (position - below) * (sorted[above] - sorted[below]);
  }

  /**
   * The customers in {@code groups} groups of about equal size by score, the highest first: a score bin is never
   * split, it goes to the group where its middle customer falls.
   */
  public static List<Decile> deciles(ScoreHistogram histogram, int groups) {
    long total = histogram.totalPositives() + histogram.totalNegatives();
    long allPositives = histogram.totalPositives();
    long[] customers = new long[groups];
    long[] positives = new long[groups];
    double[] scoreSums = new double[groups];
    long above = 0;
    for (int i = histogram.bins() - 1; i >= 0; i--) {
      long n = histogram.positives()[i] + histogram.negatives()[i];
      int group = (int) Math.min(groups - 1, (long) Math.floor((above + n / 2.0) * groups / total));
      customers[group] += n;
      positives[group] += histogram.positives()[i];
      scoreSums[group] += histogram.scoreSum()[i];
      above += n;
    }
    double baseRate = total == 0 ? Double.NaN : (double) allPositives / total;
    List<Decile> deciles = new ArrayList<>();
    long found = 0;
    for (int g = 0; g < groups; g++) {
      if (customers[g] == 0) {
        continue;
      }
      found += positives[g];
      double rate = (double) positives[g] / customers[g];
      deciles.add(new Decile(g + 1, customers[g], positives[g], scoreSums[g] / customers[g], rate, rate / baseRate,
          allPositives == 0 ? Double.NaN : (double) found / allPositives));
    }
    return deciles;
  }

  /**
   * The expected calibration error: the mean gap between promised and observed rates, |mean score - observed rate|,
   * over the groups, each weighed by its customers.
   */
  public static double expectedCalibrationError(List<Decile> deciles) {
    long total = deciles.stream().mapToLong(Decile::customers).sum();
    double error = 0;
    for (Decile d : deciles) {
      error += (double) d.customers() / total * Math.abs(d.meanScore() - d.observedRate());
    }
    return error;
  }
}
