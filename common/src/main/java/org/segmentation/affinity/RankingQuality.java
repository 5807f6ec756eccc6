package org.segmentation.affinity;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.count;
import static org.apache.spark.sql.functions.expr;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.pmod;
import static org.apache.spark.sql.functions.sum;
import static org.apache.spark.sql.functions.xxhash64;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.commons.math3.random.RandomDataGenerator;
import org.apache.commons.math3.random.Well19937c;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.segmentation.propensity.HeldOutEvaluation.Interval;
import org.segmentation.schema.Columns;

/**
 * How good a ranked list of recommendations is against what each customer went on to buy, at a cut-off k: the four
 * measures every recommender paper reports, averaged over the customers evaluated, each with a bootstrap interval.
 * <ul>
 *   <li><b>precision@k</b>: the share of the top k that the customer bought (hits / k);
 *   <li><b>recall@k</b>: the share of what the customer bought that is in the top k;
 *   <li><b>hit rate@k</b>: whether any of the top k was bought (0 or 1);
 *   <li><b>MAP@k</b>: the average precision at each hit among the top k, over min(bought, k) (MLlib's
 *       {@code RankingMetrics.meanAveragePrecisionAt}, whose definition this follows and whose figures the test
 *       compares).
 * </ul>
 * The per-customer values are Spark expressions over two array columns; the means and their intervals come from
 * {@value #GROUPS} groups of customers by a seeded hash of the id (sums and counts: no customer row reaches the
 * driver), resampled on the driver with Poisson(1) weights per group. Groups of random customers are exchangeable,
 * so resampling them is the bootstrap of the customers at a coarser grain (the test measures the coverage).
 *
 * @param k the cut-off
 */
public record RankingQuality(int k) {
  public static final String RECOMMENDED = "recommended";
  public static final String BOUGHT = "bought";
  public static final String PRECISION = Columns.PRECISION_AT_K;
  public static final String RECALL = Columns.RECALL_AT_K;
  public static final String HIT_RATE = Columns.HIT_RATE_AT_K;
  public static final String MAP = Columns.MAP_AT_K;
  /** The measures, in the order {@link #measure} returns them. */
  public static final List<String> MEASURES = List.of(MAP, PRECISION, RECALL, HIT_RATE);
  static final int GROUPS = 100;
  private static final String GROUP = "__group";

  public RankingQuality {
    if (k < 1) {
      throw new IllegalArgumentException("k must be at least 1, not " + k);
    }
  }

  /**
   * The four measures of each customer as columns named as {@link #MEASURES}.
   *
   * @param customers customer_id, {@value #RECOMMENDED} (the ranked items, best first, distinct) and {@value #BOUGHT}
   *     (the items bought in the evaluation window, not empty)
   */
  public Dataset<Row> perCustomer(Dataset<Row> customers) {
    String top = "slice(" + RECOMMENDED + ", 1, " + k + ")";
    String isHit = "array_contains(" + BOUGHT + ", x)";
    Column hits = expr("size(filter(" + top + ", x -> " + isHit + "))");
    // at the i-th item (0-based) of the top k, when it is a hit: the hits among the first i + 1, over i + 1
    Column precisionsAtHits = expr("aggregate(transform(" + top + ", (x, i) -> if(" + isHit + ", size(filter(slice("
        + top + ", 1, i + 1), y -> array_contains(" + BOUGHT + ", y))) / (i + 1), 0D)), 0D, (a, b) -> a + b)");
    return customers.select(col(Columns.CUSTOMER_ID),
        precisionsAtHits.divide(expr("least(size(" + BOUGHT + "), " + k + ")")).as(MAP),
        hits.divide(lit((double) k)).as(PRECISION),
        hits.divide(expr("size(" + BOUGHT + ")")).as(RECALL),
        expr("if(size(filter(" + top + ", x -> " + isHit + ")) > 0, 1D, 0D)").as(HIT_RATE));
  }

  /**
   * Each measure's mean over the customers, with a percentile interval from {@code resamples} Poisson-bootstrap
   * resamples of the customer groups. One Spark job.
   *
   * @param perCustomer the rows of {@link #perCustomer}
   * @return the measures by name (in {@link #MEASURES} order); NaN without customers
   */
  public Map<String, Interval> measure(Dataset<Row> perCustomer, int resamples, long seed, double confidence) {
    return measured(perCustomer, resamples, seed, confidence).byMeasure();
  }

  /**
   * The measures and the number of customers they average over.
   *
   * @param byMeasure the measures by name, in {@link #MEASURES} order
   */
  public record Measures(long customers, Map<String, Interval> byMeasure) {
    public Measures {
      byMeasure = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(byMeasure));
    }

    public Interval get(String measure) {
      return byMeasure.get(measure);
    }
  }

  /** {@link #measure}, with the number of customers measured. One Spark job. */
  public Measures measured(Dataset<Row> perCustomer, int resamples, long seed, double confidence) {
    List<Column> sums = new ArrayList<>(List.of(count(lit(1)).as(Columns.CUSTOMERS)));
    MEASURES.forEach(m -> sums.add(sum(col(m)).as(m)));
    List<Row> groups = perCustomer
        .groupBy(pmod(xxhash64(col(Columns.CUSTOMER_ID), lit(seed)), lit(GROUPS)).as(GROUP))
        .agg(sums.get(0), sums.subList(1, sums.size()).toArray(Column[]::new)).collectAsList();
    long[] customers = new long[groups.size()];
    double[][] totals = new double[MEASURES.size()][groups.size()];
    for (int g = 0; g < groups.size(); g++) {
      customers[g] = groups.get(g).getLong(1);
      for (int m = 0; m < MEASURES.size(); m++) {
        totals[m][g] = groups.get(g).getDouble(2 + m);
      }
    }
    return new Measures(Arrays.stream(customers).sum(), bootstrap(customers, totals, resamples, seed, confidence));
  }

  /**
   * The means of grouped sums and their percentile intervals: each resample weighs every group by a Poisson(1) draw
   * (seeded) and takes the weighted sums' ratio.
   *
   * @param customers customers per group
   * @param totals per measure (as {@link #MEASURES}), each group's sum
   */
  static Map<String, Interval> bootstrap(long[] customers, double[][] totals, int resamples, long seed,
      double confidence) {
    RandomDataGenerator random = new RandomDataGenerator(new Well19937c(seed));
    double[][] resampled = new double[totals.length][resamples];
    for (int r = 0; r < resamples; r++) {
      double weighedCustomers = 0;
      double[] weighed = new double[totals.length];
      for (int g = 0; g < customers.length; g++) {
        long weight = random.nextPoisson(1.0);
        weighedCustomers += weight * customers[g];
        for (int m = 0; m < totals.length; m++) {
          weighed[m] += weight * totals[m][g];
        }
      }
      for (int m = 0; m < totals.length; m++) {
        resampled[m][r] = weighedCustomers == 0 ? Double.NaN : weighed[m] / weighedCustomers;
      }
    }
    long all = Arrays.stream(customers).sum();
    Map<String, Interval> measures = new LinkedHashMap<>();
    for (int m = 0; m < totals.length; m++) {
      double estimate = all == 0 ? Double.NaN : Arrays.stream(totals[m]).sum() / all;
      double[] values = Arrays.stream(resampled[m]).filter(Double::isFinite).sorted().toArray();
      double tail = (1 - confidence) / 2;
      measures.put(MEASURES.get(m), values.length == 0 ? new Interval(estimate, Double.NaN, Double.NaN)
          : new Interval(estimate, values[(int) Math.floor(tail * (values.length - 1))],
              values[(int) Math.ceil((1 - tail) * (values.length - 1))]));
    }
    return measures;
  }
}
