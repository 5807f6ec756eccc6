package org.segmentation.rfm;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.coalesce;
import static org.apache.spark.sql.functions.count;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.map_from_arrays;
import static org.apache.spark.sql.functions.sum;
import static org.apache.spark.sql.functions.to_date;
import static org.apache.spark.sql.functions.when;
import static org.segmentation.schema.Columns.AMOUNT;
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
 * The purchase lines folded to one row per customer, order, day and product category: everything {@link
 * RfmAggregation} reads of them, whatever the number of lines, so that {@link RfmAggregation#fromState} gives the
 * customers {@link RfmAggregation#apply} gives for the lines themselves, for any run date and look-back window.
 *
 * <p>Why this grain: the look-back window and the run date cut at a line's day, so an order whose lines fall on two
 * days (a return a week later) keeps a row per day, and is netted when the customers are computed; the day a row
 * counts for is its {@value Columns#PURCHASE_DAY}, the order's first day in a window is the least of its rows' days.
 * The category is in the key so that every column is a plain sum over the lines (the line shares as counts by a key
 * the configuration fixes): lines that arrive later change the state by addition, and both the fold and the merge are
 * one aggregation of fixed-width sums, which Spark keeps in its managed memory and spills by itself. (A map of counts
 * per category in an order's row needs {@code collect_list}, an object aggregation that sorts every row past 128 keys
 * a task: at 30M lines the fold spilled 29 GB and a 2 GiB driver ran out of memory.)
 *
 * <ul>
 *   <li>{@code customer_id}, {@code order_id}, {@value Columns#PURCHASE_DAY} ({@code order_ts}'s date in the session
 *       time zone), with behaviour {@value Columns#PRODUCT_CATEGORY} (NULL for lines without one), {@code amount}
 *       (their lines' sum, of the type Spark gives one sum of the line amounts), {@value Columns#LINES} (how many: a
 *       row whose lines were all taken away is no row);</li>
 *   <li>with behaviour: {@value Columns#RETURN_LINES} (lines with a negative amount) and {@value Columns#SHARE_LINES}
 *       (each configured share's feature name to its lines, where it has any).</li>
 * </ul>
 */
public record PurchaseState(RfmAggregation.Behaviour behaviour) implements Stage {

  /** The columns a row is one of: customer, order, day and, with behaviour, product category. */
  public List<String> key() {
    return behaviour.enabled() ? List.of(CUSTOMER_ID, ORDER_ID, PURCHASE_DAY, PRODUCT_CATEGORY)
        : List.of(CUSTOMER_ID, ORDER_ID, PURCHASE_DAY);
  }

  @Override
  public Dataset<Row> apply(Dataset<Row> purchases) {
    Column day = to_date(col(ORDER_TS)).as(PURCHASE_DAY);
    if (!behaviour.enabled()) {
      return purchases.groupBy(col(CUSTOMER_ID), col(ORDER_ID), day)
          .agg(sum(col(AMOUNT)).as(AMOUNT), count(lit(1)).as(LINES));
    }
    List<Column> counts = new ArrayList<>(List.of(count(lit(1)).as(LINES),
        count(when(col(AMOUNT).lt(0), lit(1))).as(RETURN_LINES)));
    List<Column> shareLines = new ArrayList<>();
    for (LineShare share : behaviour.shares()) {
      String lines = "__share_" + shareLines.size();
      counts.add(count(when(col(share.column()).cast("string").equalTo(share.value()), lit(1))).as(lines));
      shareLines.add(col(lines));
    }
    Dataset<Row> rows = purchases.groupBy(col(CUSTOMER_ID), col(ORDER_ID), day, col(PRODUCT_CATEGORY))
        .agg(sum(col(AMOUNT)).as(AMOUNT), counts.toArray(Column[]::new));
    return rows.select(col(CUSTOMER_ID), col(ORDER_ID), col(PURCHASE_DAY), col(PRODUCT_CATEGORY), col(AMOUNT),
        col(LINES), col(RETURN_LINES), shares(shareLines).as(SHARE_LINES));
  }

  /**
   * The state after {@code changes}: state rows of lines that arrived ({@link #apply} of them) or, {@link #negate}d,
   * of lines taken away (a deleted or corrected line's old values). Every sum adds up by row and, for the line
   * shares, by feature; a row left with no line is dropped, and so is a feature's key left with none. Equal to the
   * state of the lines themselves.
   */
  public Dataset<Row> merge(Dataset<Row> state, Dataset<Row> changes) {
    DataType amountType = state.schema().apply(AMOUNT).dataType();
    List<Column> sums = new ArrayList<>(List.of(sum(col(LINES)).as(LINES)));
    List<Column> shareLines = new ArrayList<>();
    if (behaviour.enabled()) {
      sums.add(sum(col(RETURN_LINES)).as(RETURN_LINES));
      for (LineShare share : behaviour.shares()) {
        String lines = "__share_" + shareLines.size();
        sums.add(sum(coalesce(col(SHARE_LINES).getItem(share.feature()), lit(0L))).as(lines));
        shareLines.add(col(lines));
      }
    }
    Dataset<Row> merged = state.unionByName(changes)
        .groupBy(key().stream().map(functions::col).toArray(Column[]::new))
        .agg(sum(col(AMOUNT)).cast(amountType).as(AMOUNT), sums.toArray(Column[]::new))
        .where(col(LINES).notEqual(0));
    List<Column> columns = new ArrayList<>(key().stream().map(functions::col).toList());
    columns.addAll(List.of(col(AMOUNT), col(LINES)));
    if (behaviour.enabled()) {
      columns.addAll(List.of(col(RETURN_LINES), shares(shareLines).as(SHARE_LINES)));
    }
    return merged.select(columns.toArray(Column[]::new));
  }

  /**
   * {@link #merge}, for changes few enough to broadcast (a night's, against years of state): only the state rows whose
   * key the changes touch are merged with them; every other row passes through as it is, without being shuffled. The
   * same rows as {@link #merge}. (The category of a key may be NULL: the keys match NULL to NULL.)
   */
  public Dataset<Row> mergeFew(Dataset<Row> state, Dataset<Row> changes) {
    Dataset<Row> touchedKeys = functions.broadcast(changes.select(key().stream().map(functions::col)
        .toArray(Column[]::new)).distinct());
    Column touched = key().stream().map(k -> state.col(k).eqNullSafe(touchedKeys.col(k)))
        .reduce(Column::and).orElseThrow();
    return state.join(touchedKeys, touched, "left_anti")
        .unionByName(merge(state.join(touchedKeys, touched, "left_semi"), changes));
  }

  /** State rows with every sum negated: merged, they take their lines away. */
  public Dataset<Row> negate(Dataset<Row> rows) {
    List<Column> columns = new ArrayList<>(key().stream().map(functions::col).toList());
    columns.add(functions.negate(col(AMOUNT)).cast(rows.schema().apply(AMOUNT).dataType()).as(AMOUNT));
    columns.add(functions.negate(col(LINES)).as(LINES));
    if (behaviour.enabled()) {
      columns.add(functions.negate(col(RETURN_LINES)).as(RETURN_LINES));
      columns.add(functions.transform_values(col(SHARE_LINES), (k, v) -> functions.negate(v)).as(SHARE_LINES));
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

  /** Each configured share's feature name to its lines, in the order of the shares, where it has any. */
  private Column shares(List<Column> shareLines) {
    if (shareLines.isEmpty()) {
      return functions.map().cast("map<string,bigint>");
    }
    Column features = functions.array(behaviour.shares().stream().map(s -> lit(s.feature())).toArray(Column[]::new));
    return functions.map_filter(map_from_arrays(features, functions.array(shareLines.toArray(Column[]::new))),
        (feature, lines) -> lines.notEqual(0));
  }
}
