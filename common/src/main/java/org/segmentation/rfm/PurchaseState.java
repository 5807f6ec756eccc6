package org.segmentation.rfm;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.collect_list;
import static org.apache.spark.sql.functions.count;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.map_from_arrays;
import static org.apache.spark.sql.functions.map_from_entries;
import static org.apache.spark.sql.functions.struct;
import static org.apache.spark.sql.functions.sum;
import static org.apache.spark.sql.functions.to_date;
import static org.apache.spark.sql.functions.when;
import static org.segmentation.schema.Columns.AMOUNT;
import static org.segmentation.schema.Columns.CATEGORY_LINES;
import static org.segmentation.schema.Columns.CUSTOMER_ID;
import static org.segmentation.schema.Columns.LINES;
import static org.segmentation.schema.Columns.ORDER_ID;
import static org.segmentation.schema.Columns.ORDER_TS;
import static org.segmentation.schema.Columns.PRODUCT_CATEGORY;
import static org.segmentation.schema.Columns.PURCHASE_DAY;
import static org.segmentation.schema.Columns.RETURN_LINES;
import static org.segmentation.schema.Columns.SHARE_LINES;

import java.util.ArrayList;
import java.util.List;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.functions;
import org.apache.spark.sql.types.DataType;
import org.segmentation.config.FeatureSettings.LineShare;
import org.segmentation.pipeline.Stage;
import org.segmentation.schema.Columns;

/**
 * The purchase lines folded to one row per customer, order and day: everything {@link RfmAggregation} reads of them,
 * whatever the number of lines, so that {@link RfmAggregation#fromState} gives the customers {@link
 * RfmAggregation#apply} gives for the lines themselves, for any run date and look-back window.
 *
 * <p>Why this grain: the look-back window and the run date cut at a line's day, so an order whose lines fall on two
 * days (a return a week later) keeps a row per day, and is netted when the customers are computed; the day a row
 * counts for is its {@value Columns#PURCHASE_DAY}, the order's first day in a window is the least of its rows' days. Every
 * column is a sum over the lines (the categories and the line shares as counts by key), so lines that arrive later
 * change the state by addition: the grain of an incremental night's per-customer state.
 *
 * <ul>
 *   <li>{@code customer_id}, {@code order_id}, {@value Columns#PURCHASE_DAY} ({@code order_ts}'s date in the session time
 *       zone), {@code amount} (their lines' sum, of the type Spark gives one sum of the line amounts), {@value Columns#LINES}
 *       (how many: a row whose lines were all taken away is no row);</li>
 *   <li>with behaviour: {@value Columns#RETURN_LINES} (lines with a negative amount), {@value Columns#SHARE_LINES}
 *       (each configured share's feature name to its lines, where it has any) and {@value Columns#CATEGORY_LINES} (each non-NULL product
 *       category to its lines; empty when none has one).</li>
 * </ul>
 */
public record PurchaseState(RfmAggregation.Behaviour behaviour) implements Stage {
  private static final String CATEGORY = "__category";

  @Override
  public Dataset<Row> apply(Dataset<Row> purchases) {
    DataType amountSum = purchases.limit(0).agg(sum(col(AMOUNT))).schema().fields()[0].dataType();
    Column day = to_date(col(ORDER_TS)).as(PURCHASE_DAY);
    if (!behaviour.enabled()) {
      return purchases.groupBy(col(CUSTOMER_ID), col(ORDER_ID), day)
          .agg(sum(col(AMOUNT)).as(AMOUNT), count(lit(1)).as(LINES));
    }
    // first by category as well (lines of one order and day, usually a handful), then one row per order and day
    List<Column> counts = new ArrayList<>(List.of(count(lit(1)).as(LINES),
        count(when(col(AMOUNT).lt(0), lit(1))).as(RETURN_LINES)));
    List<Column> shareNames = new ArrayList<>();
    List<Column> shareSums = new ArrayList<>();
    for (LineShare share : behaviour.shares()) {
      String lines = "__share_" + shareNames.size();
      counts.add(count(when(col(share.column()).cast("string").equalTo(share.value()), lit(1))).as(lines));
      shareNames.add(lit(share.feature()));
      shareSums.add(sum(col(lines)));
    }
    Dataset<Row> byCategory = purchases
        .groupBy(col(CUSTOMER_ID), col(ORDER_ID), day, col(PRODUCT_CATEGORY).as(CATEGORY))
        .agg(sum(col(AMOUNT)).as(AMOUNT), counts.toArray(Column[]::new));
    // a share's key only where it has lines, as merge leaves it
    Column shares = shareNames.isEmpty() ? functions.map().cast("map<string,bigint>")
        : functions.map_filter(map_from_arrays(functions.array(shareNames.toArray(Column[]::new)),
            functions.array(shareSums.toArray(Column[]::new))), (feature, lines) -> lines.notEqual(0));
    return byCategory
        .groupBy(col(CUSTOMER_ID), col(ORDER_ID), col(PURCHASE_DAY))
        .agg(sum(col(AMOUNT)).cast(amountSum).as(AMOUNT),
            sum(col(LINES)).as(LINES),
            sum(col(RETURN_LINES)).as(RETURN_LINES),
            shares.as(SHARE_LINES),
            // collect_list skips the NULL of a line without a category
            map_from_entries(collect_list(when(col(CATEGORY).isNotNull(), struct(col(CATEGORY), col(LINES)))))
                .as(CATEGORY_LINES));
  }

  /**
   * The state after {@code changes}: state rows of lines that arrived ({@link #apply} of them) or, {@link #negate}d,
   * of lines taken away (a deleted or corrected line's old values). Every sum adds up by row and, for the maps, by
   * key; a row or a key left with no line is dropped. Equal to the state of the lines themselves.
   */
  public Dataset<Row> merge(Dataset<Row> state, Dataset<Row> changes) {
    DataType amountType = state.schema().apply(AMOUNT).dataType();
    List<Column> sums = new ArrayList<>(List.of(sum(col(AMOUNT)).cast(amountType).as(AMOUNT),
        sum(col(LINES)).as(LINES)));
    if (behaviour.enabled()) {
      sums.add(sum(col(RETURN_LINES)).as(RETURN_LINES));
      sums.add(summedByKey(collect_list(col(SHARE_LINES))).as(SHARE_LINES));
      sums.add(summedByKey(collect_list(col(CATEGORY_LINES))).as(CATEGORY_LINES));
    }
    return state.unionByName(changes)
        .groupBy(col(CUSTOMER_ID), col(ORDER_ID), col(PURCHASE_DAY))
        .agg(sums.get(0), sums.subList(1, sums.size()).toArray(Column[]::new))
        .where(col(LINES).notEqual(0));
  }

  /**
   * {@link #merge}, for changes few enough to broadcast (a night's, against years of state): only the state rows whose
   * customer, order and day the changes touch are merged with them; every other row passes through as it is, without
   * being shuffled. The same rows as {@link #merge}.
   */
  public Dataset<Row> mergeFew(Dataset<Row> state, Dataset<Row> changes) {
    String[] key = {CUSTOMER_ID, ORDER_ID, PURCHASE_DAY};
    Dataset<Row> touchedKeys = functions.broadcast(changes.select(key[0], key[1], key[2]).distinct());
    return state.join(touchedKeys, key, "left_anti")
        .unionByName(merge(state.join(touchedKeys, key, "left_semi"), changes));
  }

  /** State rows with every sum negated: merged, they take their lines away. */
  public Dataset<Row> negate(Dataset<Row> rows) {
    List<Column> columns = new ArrayList<>(List.of(col(CUSTOMER_ID), col(ORDER_ID), col(PURCHASE_DAY),
        functions.negate(col(AMOUNT)).cast(rows.schema().apply(AMOUNT).dataType()).as(AMOUNT),
        functions.negate(col(LINES)).as(LINES)));
    if (behaviour.enabled()) {
      columns.add(functions.negate(col(RETURN_LINES)).as(RETURN_LINES));
      columns.add(functions.transform_values(col(SHARE_LINES), (k, v) -> functions.negate(v)).as(SHARE_LINES));
      columns.add(functions.transform_values(col(CATEGORY_LINES), (k, v) -> functions.negate(v)).as(CATEGORY_LINES));
    }
    return rows.select(columns.toArray(Column[]::new));
  }

  /**
   * State rows as purchase lines (customer_id, order_id, order_ts at the start of the row's day, amount): for a reader
   * that nets orders and cuts them by day, as {@link RfmAggregation} does ({@code experiments.AudienceOutcomes}),
   * the same orders as the lines give.
   */
  public static Dataset<Row> asLines(Dataset<Row> state) {
    return state.select(col(CUSTOMER_ID), col(ORDER_ID), col(PURCHASE_DAY).cast("timestamp").as(ORDER_TS),
        col(AMOUNT));
  }

  /** A list of maps of counts as one map, the counts of a key added up, the keys left at zero dropped. */
  private static Column summedByKey(Column maps) {
    Column sum = functions.aggregate(maps, functions.map().cast("map<string,bigint>"),
        (acc, next) -> functions.map_zip_with(acc, next,
            (key, a, b) -> functions.coalesce(a, lit(0L)).plus(functions.coalesce(b, lit(0L)))));
    return functions.map_filter(sum, (key, count) -> count.notEqual(0));
  }
}
