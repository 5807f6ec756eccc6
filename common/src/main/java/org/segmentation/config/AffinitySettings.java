package org.segmentation.config;

import java.util.List;
import org.segmentation.schema.Columns;

/**
 * What each segment buys, and what to offer each customer (docs/affinity.md): segment_affinity, product_rules,
 * next_best_products and recommendation_metrics.
 *
 * @param enabled whether the night measures them
 * @param item the purchase column whose values are the items of the rules and the recommendations (product_category
 *     or product_id)
 * @param exclude a condition over the purchase lines left out of everything here (postage, fees, manual adjustments),
 *     though not out of revenue anywhere else; empty: none
 * @param segmentItems the purchase columns whose values segment_affinity measures per segment
 * @param dimensions the customer_segments columns whose values are the segments of segment_affinity
 * @param minCustomers the buyers a segment x item cell needs to be ranked and flagged
 * @param rules the association rules (product_rules)
 * @param recommendations the next-best items (next_best_products, recommendation_metrics)
 */
public record AffinitySettings(boolean enabled, String item, String exclude, List<String> segmentItems,
    List<String> dimensions, long minCustomers, Rules rules, Recommendations recommendations) {
  public static final String BLOCK = "affinity";
  public static final String DIMENSIONS = "dimensions";
  /** The purchase columns an item may be. */
  public static final List<String> ITEM_COLUMNS = List.of(Columns.PRODUCT_CATEGORY, Columns.PRODUCT_ID);

  /** What a basket of the rules is. */
  public enum Basket {
    /** The items of one order: "bought together". */
    ORDER,
    /** Every item a customer ever bought: "bought by the same people". */
    CUSTOMER
  }

  /**
   * @param enabled whether product_rules is written
   * @param basket what one basket holds
   * @param minBaskets the baskets an item set must be in (a count: a share such as MLlib's 0.3 finds nothing)
   * @param minConfidence the smallest P(consequent | antecedent) kept
   */
  public record Rules(boolean enabled, Basket basket, long minBaskets, double minConfidence) {}

  /** The recommenders a night can export. */
  public enum Recommender {
    /** MLlib's alternating least squares on implicit feedback. */
    ALS,
    /** The items most customers of the customer's segment bought. */
    SEGMENT_POPULARITY,
    /** The items most customers bought. */
    POPULARITY
  }

  /**
   * @param enabled whether next_best_products and recommendation_metrics are written
   * @param count the items per customer (the k of the offline measures)
   * @param evaluationDays the offline test's window: fitted on the lines up to run date - this, measured on the
   *     first purchases of an item after it
   * @param segment the customer_segments column of the segment-popularity baseline and of the cold customers' lists
   * @param coldBelowItems customers with fewer distinct items than this get their segment's list whatever wins
   * @param exportBaselineUnlessBetter when ALS does not beat the segment-popularity baseline offline, export the
   *     baseline's lists (on by default)
   * @param rank ALS's latent factors
   * @param iterations ALS's iterations
   * @param regParam ALS's regularisation
   * @param alpha ALS's confidence scale: confidence = 1 + alpha x lines of the item
   * @param seed the seed of ALS and of the bootstrap
   * @param bootstrapResamples resamples of the measures' intervals
   * @param confidence the intervals' confidence
   */
  public record Recommendations(boolean enabled, int count, int evaluationDays, String segment, int coldBelowItems,
      boolean exportBaselineUnlessBetter, int rank, int iterations, double regParam, double alpha, long seed,
      int bootstrapResamples, double confidence) {}

  public AffinitySettings {
    segmentItems = List.copyOf(segmentItems);
    dimensions = List.copyOf(dimensions);
  }

  /** Whether any of the night's lines reads product_id (otherwise load_validate does not keep it). */
  public boolean readsProductIds() {
    return enabled && (item.equals(Columns.PRODUCT_ID) || segmentItems.contains(Columns.PRODUCT_ID)
        || exclude.contains(Columns.PRODUCT_ID));
  }

  static AffinitySettings read(ConfigReader in) {
    String item = in.nonBlankString("item");
    if (!ITEM_COLUMNS.contains(item)) {
      in.problem("item", "\"" + item + "\" is not one of " + ITEM_COLUMNS);
    }
    List<String> segmentItems = in.strings("segment-items");
    segmentItems.stream().filter(i -> !ITEM_COLUMNS.contains(i)).forEach(i ->
        in.problem("segment-items", "\"" + i + "\" is not one of " + ITEM_COLUMNS));
    if (segmentItems.isEmpty()) {
      in.problem("segment-items", "name at least one of " + ITEM_COLUMNS);
    }
    List<String> dimensions = in.strings(DIMENSIONS);
    if (dimensions.isEmpty()) {
      in.problem(DIMENSIONS, "name at least one customer_segments column (rfm_segment, cluster_name, clv_tier)");
    }
    ConfigReader r = in.child("rules");
    Rules rules = new Rules(r.bool("enabled"), r.oneOf("basket", Basket.class), r.longAtLeast("min-baskets", 1),
        r.doubleBetween("min-confidence", 0, 1));
    r.rejectUnknownKeys();
    ConfigReader n = in.child("recommendations");
    Recommendations recommendations = new Recommendations(n.bool("enabled"), n.intBetween("count", 1, 100),
        n.intBetween("evaluation-days", 1, 365), n.nonBlankString("segment"), n.intBetween("cold-below-items", 0, 100),
        n.bool("export-baseline-unless-better"), n.intBetween("rank", 1, 200), n.intBetween("iterations", 1, 100),
        n.doubleBetween("reg-param", 0, 1e6), n.doubleBetween("alpha", 0, 1e6), n.longAtLeast("seed", Long.MIN_VALUE),
        n.intBetween("bootstrap-resamples", 50, 100_000), n.doubleBetween("confidence", 0.5, 0.999));
    n.rejectUnknownKeys();
    AffinitySettings settings = new AffinitySettings(in.bool("enabled"), item,
        in.has("exclude") ? in.string("exclude").strip() : "", segmentItems, dimensions,
        in.longAtLeast("min-customers", 1), rules, recommendations);
    in.rejectUnknownKeys();
    return settings;
  }
}
