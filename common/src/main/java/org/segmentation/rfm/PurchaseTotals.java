package org.segmentation.rfm;

import static org.apache.spark.sql.functions.broadcast;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.datediff;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.map_from_arrays;
import static org.segmentation.schema.Columns.CUSTOMER_ID;

import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.functions;
import org.apache.spark.sql.types.StructField;
import org.segmentation.config.FeatureSettings.LineShare;
import org.segmentation.io.TableCatalog;
import org.segmentation.schema.Columns;

/**
 * Each buyer's figures of {@link RfmAggregation} but recency, kept from one night to the next (table
 * {@code purchase_totals}), so that a night that updates the purchase state computes again only the customers it
 * touches ({@link #touched}) and carries every other customer's figures ({@link #carry}), recency counted again from
 * its own run date.
 *
 * <p>Why this is exact: a customer's figures are a function of their state rows inside the look-back window alone
 * (and of the configuration, which an incremental night shares with the night it updates). A customer none of whose
 * rows changed, entered the window or left it since that night has the same rows in tonight's window, and so the same
 * figures, computed by the same deterministic aggregation; only recency, the run date minus the last purchase day,
 * moves. The equivalence suites compare such nights with a full recompute, {@code purchase_totals} included.
 *
 * @param aggregation tonight's aggregation (its run date, look-back window and line shares)
 */
public record PurchaseTotals(RfmAggregation aggregation) {
  /**
   * Up to how many touched customers a night broadcasts their ids to carry everyone else's figures: half a million ids
   * are some 20 MB on every executor; a night that touches more computes every customer from the state.
   */
  public static final long FEW_CUSTOMERS = 500_000;
  private static final String TOUCHED = "__touched_customer";

  /**
   * The table's rows for the night: one per customer of {@code customers} that has purchase lines in the window (the
   * customer features' buyers; {@link Columns#HAS_PURCHASES}), each line share packed in {@link Columns#LINE_SHARES}.
   *
   * @param customers rows with the columns of {@link RfmAggregation}'s output (the customer features)
   */
  public Dataset<Row> rows(Dataset<Row> customers) {
    List<Column> columns = new ArrayList<>();
    for (String name : TableCatalog.PURCHASE_TOTALS.columnNames()) {
      columns.add(switch (name) {
        case Columns.RUN_DATE -> lit(java.sql.Date.valueOf(aggregation.runDate())).as(name);
        case Columns.LINE_SHARES -> lineShares().as(name);
        default -> col(name);
      });
    }
    return customers.where(col(Columns.HAS_PURCHASES)).select(columns.toArray(Column[]::new));
  }

  /**
   * The customers (one column, distinct) whose figures tonight differ from the night {@code since} for a reason other
   * than recency: those with a changed state row (one of {@code changes}), and those with a state row whose day is
   * inside tonight's look-back window and was not inside that night's, or the other way round (a line stamped after
   * that night's run date; one the window let go since).
   *
   * @param state tonight's state ({@link PurchaseState})
   * @param changes the state rows merged into the night's state since {@code since} (added or negated)
   * @param since the run date of the night whose state tonight updates
   */
  public Dataset<Row> touched(Dataset<Row> state, Dataset<Row> changes, LocalDate since) {
    Column day = col(Columns.PURCHASE_DAY);
    RfmAggregation thatNight = new RfmAggregation(aggregation.settings(), since, aggregation.behaviour());
    Dataset<Row> moved = state.where(aggregation.inWindow(day).notEqual(thatNight.inWindow(day)));
    return changes.select(col(CUSTOMER_ID).as(TOUCHED))
        .union(moved.select(col(CUSTOMER_ID).as(TOUCHED)))
        .distinct();
  }

  /**
   * The customers of {@link RfmAggregation#fromState}: the {@code touched} ones computed from their state rows, every
   * other one's figures taken from {@code earlier} (this table's rows of the night the touched customers are counted
   * since), with recency counted from tonight's run date. A customer of {@code earlier} who is not touched has rows in
   * tonight's window, and one who has them but is not in {@code earlier} is touched, so the two parts are every
   * customer of the window once.
   *
   * @param touched {@link #touched}, few enough to broadcast ({@link #FEW_CUSTOMERS})
   */
  public Dataset<Row> carry(Dataset<Row> state, Dataset<Row> touched, Dataset<Row> earlier) {
    Dataset<Row> ids = broadcast(touched);
    Dataset<Row> computed = aggregation.fromState(
        state.join(ids, state.col(CUSTOMER_ID).equalTo(ids.col(TOUCHED)), "left_semi"));
    Dataset<Row> untouched = earlier.join(ids, earlier.col(CUSTOMER_ID).equalTo(ids.col(TOUCHED)), "left_anti");
    List<String> shares = aggregation.behaviour().shares().stream().map(LineShare::feature).toList();
    Column asOf = lit(java.sql.Date.valueOf(aggregation.runDate()));
    List<Column> carried = new ArrayList<>();
    for (StructField field : computed.schema().fields()) {
      String name = field.name();
      Column value = name.equals(Columns.RECENCY_DAYS) ? datediff(asOf, col(Columns.LAST_PURCHASE_DATE))
          : shares.contains(name) ? col(Columns.LINE_SHARES).getItem(name)
          : col(name);
      carried.add(value.cast(field.dataType()).as(name));
    }
    return computed.union(untouched.select(carried.toArray(Column[]::new)));
  }

  /** Each configured share's feature name to its value. */
  private Column lineShares() {
    List<LineShare> shares = aggregation.behaviour().shares();
    if (shares.isEmpty()) {
      return functions.map().cast("map<string,double>");
    }
    return map_from_arrays(functions.array(shares.stream().map(s -> lit(s.feature())).toArray(Column[]::new)),
        functions.array(shares.stream().map(s -> col(s.feature()).cast("double")).toArray(Column[]::new)));
  }
}
