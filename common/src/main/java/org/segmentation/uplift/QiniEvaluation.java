package org.segmentation.uplift;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.apache.commons.math3.random.RandomDataGenerator;
import org.apache.commons.math3.random.Well19937c;
import org.segmentation.propensity.HeldOutEvaluation;
import org.segmentation.propensity.HeldOutEvaluation.Interval;

/**
 * How well a ranking finds the members a campaign changes, from an experiment's held-out members
 * ({@link UpliftCells}); all on the driver.
 *
 * <p><b>The Qini curve</b> (Radcliffe 2007): contact the members in order of score; after the top share x of them,
 * the incremental outcomes found are {@code q(x) = (Y_T(x) - Y_C(x) * N_T(x) / N_C(x)) / N_T}, the variant's outcomes
 * in the top x less the control's scaled to the same number of members, per treated member of the whole experiment.
 * So q(1) is the average effect of the campaign, and a ranking that knows nothing (a random one) draws the straight
 * line from 0 to q(1). The <b>Qini coefficient</b> is the area between the curve and that line: 0 for a ranking no
 * better than chance, negative for one that puts the members who are put off first. The <b>AUUC</b> is the area under
 * the curve itself and the random ranking's AUUC is q(1) / 2. For a conversion the best possible curve is known (every
 * treated buyer first, every control buyer last) and the coefficient is also given as a share of its area.
 *
 * <p><b>Uplift at k</b>: the measured lift (the variant's mean outcome less the control's) among the top k % by
 * score, against the lift among the rest.
 *
 * <p><b>Intervals</b>: a seeded Poisson bootstrap of the members (each drawn a Poisson(1) number of times), which
 * resamples from the cells without the members: for a conversion, a cell's buyers and non-buyers are independent
 * Poisson counts with their numbers as means (exactly the Poisson bootstrap); for an amount, a cell's count is Poisson
 * and the sum of its outcomes over that many draws normal with the cell's mean and variance (the central limit theorem
 * over the cell's draws; cells hold about a hundredth of the members each).
 */
public final class QiniEvaluation {
  private QiniEvaluation() {}

  /** The shares of uplift at k, in percent. */
  public static final int[] SHARES = {10, 20, 30, 40, 50, 60, 70, 80, 90, 100};

  /**
   * A point of the Qini curve: the top {@code share} of the members by score.
   *
   * @param share the share of members at or above this point's score
   * @param qini incremental outcomes found per treated member of the experiment
   * @param lift the variant's mean outcome less the control's among the members at or above this point (NaN at 0 or
   *     with an empty arm): what contacting them changes per member
   */
  public record Point(double share, double qini, double lift) {}

  /**
   * Uplift at k.
   *
   * @param percent k
   * @param share the share of members actually in the top (groups are not split, so it may differ from k %)
   * @param members the members in the top
   * @param top the lift among them
   * @param rest the lift among the others (NaN at 100 %)
   */
  public record UpliftAt(int percent, double share, long members, Interval top, Interval rest) {}

  /**
   * @param curve the Qini curve, from (0, 0) to (1, q(1))
   * @param perfectCurve the best possible ranking's curve (a conversion), empty for an amount
   * @param qiniCoefficient the area between the curve and the random line
   * @param auuc the area under the curve
   * @param randomAuuc the area under the random line, q(1) / 2
   * @param normalisedQini the coefficient as a share of the best possible ranking's (NaN for an amount)
   * @param averageEffect q(1): the lift over the whole experiment, per treated member
   * @param upliftAt uplift at 10 %, 20 %, ... 100 %
   */
  public record Evaluation(List<Point> curve, List<Point> perfectCurve, Interval qiniCoefficient, Interval auuc,
      Interval randomAuuc, double normalisedQini, double averageEffect, List<UpliftAt> upliftAt, long members) {}

  /** The figures of {@code cells}, with percentile intervals at {@code confidence} from {@code resamples}. */
  public static Evaluation of(UpliftCells cells, int resamples, long seed, double confidence) {
    if (resamples < 1 || !(confidence > 0 && confidence < 1)) {
      throw new IllegalArgumentException("resamples >= 1 and a confidence in (0, 1)");
    }
    Figures estimate = figures(cells.treated(), cells.treatedSum(), cells.control(), cells.controlSum());
    RandomDataGenerator random = new RandomDataGenerator(new Well19937c(seed));
    int groups = cells.groups();
    double[][] resampled = new double[3 + 2 * SHARES.length][resamples];
    long[] nt = new long[groups];
    long[] nc = new long[groups];
    double[] st = new double[groups];
    double[] sc = new double[groups];
    for (int r = 0; r < resamples; r++) {
      for (int g = 0; g < groups; g++) {
        double[] treated = resampled(random, cells.treated()[g], cells.treatedSum()[g], cells.treatedSquares()[g],
            cells.binary());
        double[] control = resampled(random, cells.control()[g], cells.controlSum()[g], cells.controlSquares()[g],
            cells.binary());
        nt[g] = (long) treated[0];
        st[g] = treated[1];
        nc[g] = (long) control[0];
        sc[g] = control[1];
      }
      Figures f = figures(nt, st, nc, sc);
      resampled[0][r] = f.qini;
      resampled[1][r] = f.auuc;
      resampled[2][r] = f.randomAuuc;
      for (int k = 0; k < SHARES.length; k++) {
        resampled[3 + 2 * k][r] = f.top[k];
        resampled[4 + 2 * k][r] = f.rest[k];
      }
    }
    List<UpliftAt> upliftAt = new ArrayList<>();
    for (int k = 0; k < SHARES.length; k++) {
      upliftAt.add(new UpliftAt(SHARES[k], estimate.topShare[k], estimate.topMembers[k],
          interval(estimate.top[k], resampled[3 + 2 * k], confidence),
          interval(estimate.rest[k], resampled[4 + 2 * k], confidence)));
    }
    List<Point> perfect = cells.binary() ? perfectCurve(cells) : List.of();
    double perfectQini = perfect.isEmpty() ? Double.NaN : area(perfect) - estimate.averageEffect / 2;
    return new Evaluation(estimate.curve, perfect, interval(estimate.qini, resampled[0], confidence),
        interval(estimate.auuc, resampled[1], confidence), interval(estimate.randomAuuc, resampled[2], confidence),
        perfectQini > 0 ? estimate.qini / perfectQini : Double.NaN, estimate.averageEffect, upliftAt,
        cells.members());
  }

  /** Every figure of one sample of cells (the estimate, or a resample). */
  private record Figures(List<Point> curve, double qini, double auuc, double randomAuuc, double averageEffect,
      double[] top, double[] rest, double[] topShare, long[] topMembers) {}

  private static Figures figures(long[] nt, double[] st, long[] nc, double[] sc) {
    int groups = nt.length;
    long allTreated = Arrays.stream(nt).sum();
    long all = allTreated + Arrays.stream(nc).sum();
    double allSt = Arrays.stream(st).sum();
    double allSc = Arrays.stream(sc).sum();
    long allControl = all - allTreated;
    List<Point> curve = new ArrayList<>(List.of(new Point(0, 0, Double.NaN)));
    long[] cumNt = new long[groups];
    long[] cumNc = new long[groups];
    double[] cumSt = new double[groups];
    double[] cumSc = new double[groups];
    for (int g = 0; g < groups; g++) {
      cumNt[g] = nt[g] + (g == 0 ? 0 : cumNt[g - 1]);
      cumNc[g] = nc[g] + (g == 0 ? 0 : cumNc[g - 1]);
      cumSt[g] = st[g] + (g == 0 ? 0 : cumSt[g - 1]);
      cumSc[g] = sc[g] + (g == 0 ? 0 : cumSc[g - 1]);
      double control = cumNc[g] == 0 ? 0 : cumSc[g] * cumNt[g] / cumNc[g];
      curve.add(new Point(all == 0 ? 0 : (double) (cumNt[g] + cumNc[g]) / all,
          allTreated == 0 ? 0 : (cumSt[g] - control) / allTreated, lift(cumNt[g], cumSt[g], cumNc[g], cumSc[g])));
    }
    double averageEffect = curve.get(curve.size() - 1).qini();
    double auuc = area(curve);
    double[] top = new double[SHARES.length];
    double[] rest = new double[SHARES.length];
    double[] topShare = new double[SHARES.length];
    long[] topMembers = new long[SHARES.length];
    for (int k = 0; k < SHARES.length; k++) {
      int g = closestGroup(curve, SHARES[k] / 100.0);
      if (g < 0) { // no group at all
        top[k] = rest[k] = Double.NaN;
        continue;
      }
      topShare[k] = curve.get(g + 1).share();
      topMembers[k] = cumNt[g] + cumNc[g];
      top[k] = lift(cumNt[g], cumSt[g], cumNc[g], cumSc[g]);
      rest[k] = lift(allTreated - cumNt[g], allSt - cumSt[g], allControl - cumNc[g], allSc - cumSc[g]);
    }
    return new Figures(curve, auuc - averageEffect / 2, auuc, averageEffect / 2, averageEffect, top, rest,
        topShare, topMembers);
  }

  /** The group whose cumulative share is nearest to {@code share}; -1 without groups. */
  private static int closestGroup(List<Point> curve, double share) {
    int best = -1;
    for (int g = 0; g + 1 < curve.size(); g++) {
      if (best < 0 || Math.abs(curve.get(g + 1).share() - share) < Math.abs(curve.get(best + 1).share() - share)) {
        best = g;
      }
    }
    return best;
  }

  /** The variant's mean outcome less the control's; NaN when an arm is empty. */
  private static double lift(long nt, double st, long nc, double sc) {
    return nt == 0 || nc == 0 ? Double.NaN : st / nt - sc / nc;
  }

  /** The area under a curve by the trapezoid rule. */
  static double area(List<Point> curve) {
    double area = 0;
    for (int i = 1; i < curve.size(); i++) {
      Point a = curve.get(i - 1);
      Point b = curve.get(i);
      area += (b.share() - a.share()) * (a.qini() + b.qini()) / 2;
    }
    return area;
  }

  /**
   * The best possible ranking of a conversion experiment: every treated member who converted first (q rises to
   * R_T / N_T), then the members who did not convert (q stays), then every control member who converted (q falls to
   * q(1)).
   */
  private static List<Point> perfectCurve(UpliftCells cells) {
    long treated = Arrays.stream(cells.treated()).sum();
    long control = Arrays.stream(cells.control()).sum();
    double all = treated + control;
    double treatedBuyers = Arrays.stream(cells.treatedSum()).sum();
    double controlBuyers = Arrays.stream(cells.controlSum()).sum();
    if (treated == 0 || control == 0) {
      return List.of();
    }
    double peak = treatedBuyers / treated;
    return List.of(new Point(0, 0, Double.NaN), new Point(treatedBuyers / all, peak, Double.NaN),
        new Point(1 - controlBuyers / all, peak, Double.NaN),
        new Point(1, peak - controlBuyers / control, Double.NaN));
  }

  private static long poisson(RandomDataGenerator random, long mean) {
    return mean == 0 ? 0 : random.nextPoisson(mean);
  }

  /**
   * One cell resampled: {members, sum of their outcomes}. For a conversion, the buyers and the others drawn Poisson(1)
   * times each are independent Poisson counts with their numbers as means (exact); for an amount, the members' count
   * is Poisson and the sum of that many draws normal with the cell's mean and variance.
   */
  private static double[] resampled(RandomDataGenerator random, long n, double sum, double squares,
      boolean binary) {
    if (binary) {
      long buyers = poisson(random, Math.round(sum));
      return new double[] {buyers + poisson(random, n - Math.round(sum)), buyers};
    }
    long draws = poisson(random, n);
    if (draws == 0) {
      return new double[] {0, 0};
    }
    double mean = sum / n;
    double variance = Math.max(0, squares / n - mean * mean);
    return new double[] {draws, draws * mean + Math.sqrt(draws * variance) * random.nextGaussian(0, 1)};
  }

  private static Interval interval(double estimate, double[] resampled, double confidence) {
    double[] finite = Arrays.stream(resampled).filter(Double::isFinite).sorted().toArray();
    if (finite.length == 0) {
      return new Interval(estimate, Double.NaN, Double.NaN);
    }
    double tail = (1 - confidence) / 2;
    return new Interval(estimate, HeldOutEvaluation.quantile(finite, tail),
        HeldOutEvaluation.quantile(finite, 1 - tail));
  }
}
