package org.segmentation.rfm;

import static org.apache.spark.sql.functions.coalesce;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.count;
import static org.apache.spark.sql.functions.count_distinct;
import static org.apache.spark.sql.functions.date_sub;
import static org.apache.spark.sql.functions.datediff;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.max;
import static org.apache.spark.sql.functions.min;
import static org.apache.spark.sql.functions.min_by;
import static org.apache.spark.sql.functions.sum;
import static org.apache.spark.sql.functions.to_date;
import static org.apache.spark.sql.functions.when;
import static org.segmentation.schema.Columns.AMOUNT;
import static org.segmentation.schema.Columns.CUSTOMER_ID;
import static org.segmentation.schema.Columns.FIRST_PURCHASE_DATE;
import static org.segmentation.schema.Columns.FREQUENCY;
import static org.segmentation.schema.Columns.LAST_PURCHASE_DATE;
import static org.segmentation.schema.Columns.MONETARY;
import static org.segmentation.schema.Columns.NET_REVENUE;
import static org.segmentation.schema.Columns.ORDER_ID;
import static org.segmentation.schema.Columns.ORDER_TS;
import static org.segmentation.schema.Columns.PURCHASE_DAYS;
import static org.segmentation.schema.Columns.REPEAT_PURCHASE_VALUE;
import static org.segmentation.schema.Columns.PRODUCT_CATEGORY;
import static org.segmentation.schema.Columns.RECENCY_DAYS;
import static org.segmentation.schema.Columns.DISTINCT_CATEGORIES;
import static org.segmentation.schema.Columns.RETURN_RATE;

import org.segmentation.pipeline.Stage;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DataTypes;
import org.segmentation.config.FeatureSettings.LineShare;
import org.segmentation.config.RfmSettings;
import org.segmentation.schema.Columns;

/**
 * Per customer, as of the end of the run date: recency, frequency and monetary value over the look-back window, and,
 * when asked for, the behaviour features that come from the same order lines.
 *
 * <ul>
 *   <li>A purchase's day is its {@code order_ts} in the session time zone (the configured business time zone);
 *       purchases after the run date are ignored, so a backfill sees exactly what was known that night.</li>
 *   <li>Lines are first netted per order (returns and cancellations carry negative amounts). An order that nets to
 *       zero or less is not a purchase: it counts neither for frequency nor for recency, but its amount is still
 *       subtracted from revenue.</li>
 *   <li>{@code purchase_days} = days with a counted order; {@code repeat_purchase_value} = mean value (counted
 *       orders' net) of those days after the first, NULL without one: the lifetime-value models' x and mean repeat
 *       value. A day level between the order and the customer level computes them, in the same partitions.</li>
 *   <li>{@code frequency} = counted orders; {@code recency_days} = run date minus the day of the last counted order
 *       (NULL without one); {@code net_revenue} = sum of all amounts; {@code monetary} = net revenue, or net revenue
 *       per counted order when {@code rfm.monetary = average-order-value}.</li>
 *   <li>Behaviour ({@link Behaviour}): {@code distinct_categories} (non-NULL product categories),
 *       {@code return_rate} (share of lines with a negative amount) and {@code <column>_<value>_share} (share of
 *       lines with each listed value: {@code channel_web_share}, or of a declared purchase attribute such as
 *       {@code payment_card_share}).</li>
 * </ul>
 *
 * <p>The purchase lines are shuffled once, by customer: the order level and the customer level both aggregate inside
 * those partitions. Distinct categories (behaviour only) shuffle (customer, category) pairs after a map-side
 * combine.
 */
public record RfmAggregation(RfmSettings settings, LocalDate runDate, Behaviour behaviour) implements Stage {
  private static final String ORDER_DATE = "order_date";
  private static final String ORDER_NET = "order_net";
  private static final String LINES = "lines";
  private static final String RETURN_LINES = "return_lines";
  private static final String CATEGORY_CUSTOMER = "__category_customer";
  private static final String COUNTED_ORDERS = "counted_orders";
  private static final String DAY_VALUE = "day_value";
  private static final String FIRST_DAY_VALUE = "first_day_value";

  /** Which behaviour features to compute along with RFM. */
  public record Behaviour(boolean enabled, List<LineShare> shares) {
    public static final Behaviour NONE = new Behaviour(false, List.of());

    public Behaviour {
      shares = List.copyOf(shares);
    }

    public static Behaviour of(List<LineShare> shares) {
      return new Behaviour(true, shares);
    }

    /** The purchase columns the shares read, each once. */
    List<String> shareColumns() {
      return shares.stream().map(LineShare::column).distinct().toList();
    }
  }

  /** RFM only (the scoring path and its benchmark). */
  public RfmAggregation(RfmSettings settings, LocalDate runDate) {
    this(settings, runDate, Behaviour.NONE);
  }

  private static String shareLines(LineShare share) {
    return "__lines_" + share.feature();
  }

  @Override
  public Dataset<Row> apply(Dataset<Row> purchases) {
    Column day = to_date(col(ORDER_TS));
    Column inWindow = inWindow(day);
    List<Column> carried = new ArrayList<>(List.of(col(CUSTOMER_ID), col(ORDER_ID), day.as(ORDER_DATE), col(AMOUNT)));
    if (behaviour.enabled()) {
      behaviour.shareColumns().forEach(column -> carried.add(col(column)));
    }
    // The one shuffle: hash-partitioning by customer also satisfies the (customer, order) grouping below.
    Dataset<Row> lines = purchases.where(inWindow).select(carried.toArray(Column[]::new)).repartition(col(CUSTOMER_ID));

    List<Column> perOrder = new ArrayList<>(List.of(min(col(ORDER_DATE)).as(ORDER_DATE)));
    if (behaviour.enabled()) {
      perOrder.add(count(lit(1)).as(LINES));
      perOrder.add(count(when(col(AMOUNT).lt(0), lit(1))).as(RETURN_LINES));
      for (LineShare share : behaviour.shares()) {
        perOrder.add(count(when(col(share.column()).cast("string").equalTo(share.value()), lit(1)))
            .as(shareLines(share)));
      }
    }
    Dataset<Row> orders = lines
        .groupBy(col(CUSTOMER_ID), col(ORDER_ID))
        .agg(sum(col(AMOUNT)).as(ORDER_NET), perOrder.toArray(Column[]::new));
    // Distinct categories, from the same lines but not through the exchange above: Spark combines (customer,
    // category) pairs before shuffling them, so this branch moves a fraction of the lines.
    return customers(orders, !behaviour.enabled() ? null : distinctCategories(purchases.where(inWindow)));
  }

  /**
   * The same customers as {@link #apply} gives for the lines that {@code state} folds ({@link PurchaseState}, with the
   * same behaviour): the state's rows are filtered by the same look-back window on their day, and each order is netted
   * from its days' sums.
   */
  public Dataset<Row> fromState(Dataset<Row> state) {
    Dataset<Row> rows = state.where(inWindow(col(Columns.PURCHASE_DAY)));
    // the order level's net has the type of one sum over the lines, as in apply(): the state's amount has it
    DataType orderNet = state.schema().apply(AMOUNT).dataType();
    List<Column> perOrder = new ArrayList<>(List.of(min(col(Columns.PURCHASE_DAY)).as(ORDER_DATE)));
    if (behaviour.enabled()) {
      perOrder.add(sum(col(Columns.LINES)).as(LINES));
      perOrder.add(sum(col(Columns.RETURN_LINES)).as(RETURN_LINES));
      for (LineShare share : behaviour.shares()) {
        perOrder.add(sum(coalesce(col(Columns.SHARE_LINES).getItem(share.feature()), lit(0L)))
            .as(shareLines(share)));
      }
    }
    // The rows' one shuffle, as in apply(). The distinct categories shuffle their (customer, category) pairs by
    // customer as well (Spark prunes the other columns, so this is an exchange of its own), without the map-side
    // combine of apply(): a state row is already one per category of an order, so a combine would hardly shrink them
    // (9.66 million to 7.55 million at 10M lines) before a second shuffle; partitioned alike, the two sides then join
    // without another
    Dataset<Row> byCustomer = rows.repartition(col(CUSTOMER_ID));
    Dataset<Row> orders = byCustomer
        .groupBy(col(CUSTOMER_ID), col(ORDER_ID))
        .agg(sum(col(AMOUNT)).cast(orderNet).as(ORDER_NET), perOrder.toArray(Column[]::new));
    return customers(orders, !behaviour.enabled() ? null : distinctCategories(byCustomer));
  }

  /** Each customer's distinct non-NULL product categories, of lines or of state rows (both have the column). */
  private static Dataset<Row> distinctCategories(Dataset<Row> rows) {
    return rows.groupBy(col(CUSTOMER_ID).as(CATEGORY_CUSTOMER))
        .agg(count_distinct(col(PRODUCT_CATEGORY)).as(DISTINCT_CATEGORIES));
  }

  /** Whether a line's (or a state row's) day is inside the look-back window ending with the run date. */
  Column inWindow(Column day) {
    Column asOf = lit(java.sql.Date.valueOf(runDate));
    Column inWindow = day.leq(asOf);
    return settings.lookbackDays() > 0 ? inWindow.and(day.gt(date_sub(asOf, settings.lookbackDays()))) : inWindow;
  }

  /**
   * From the orders (customer, order, net, first day and, with behaviour, line counts) to the customers: the day
   * level, then the customer level, then the output columns; with behaviour, joined with {@code categories}
   * (customer as {@value #CATEGORY_CUSTOMER}, distinct categories), both sides partitioned by the customer.
   */
  private Dataset<Row> customers(Dataset<Row> orders, Dataset<Row> categories) {
    Column asOf = lit(java.sql.Date.valueOf(runDate));
    List<String> lineCounts = new ArrayList<>();
    if (behaviour.enabled()) {
      lineCounts.addAll(List.of(LINES, RETURN_LINES));
      behaviour.shares().forEach(share -> lineCounts.add(shareLines(share)));
    }
    // The day level, for lifetime value: a purchase day is a day with a counted order, worth its counted orders.
    Column counted = col(ORDER_NET).gt(0);
    List<Column> perDay = new ArrayList<>(List.of(
        count(when(counted, lit(1))).as(COUNTED_ORDERS),
        sum(when(counted, col(ORDER_NET))).as(DAY_VALUE)));
    lineCounts.forEach(c -> perDay.add(sum(col(c)).as(c)));
    Dataset<Row> days = orders
        .groupBy(col(CUSTOMER_ID), col(ORDER_DATE))
        .agg(sum(col(ORDER_NET)).as(ORDER_NET), perDay.toArray(Column[]::new));

    Column purchaseDay = when(col(COUNTED_ORDERS).gt(0), col(ORDER_DATE));
    List<Column> perCustomer = new ArrayList<>(List.of(
        max(purchaseDay).as(LAST_PURCHASE_DATE),
        sum(col(COUNTED_ORDERS)).as(FREQUENCY),
        sum(col(ORDER_NET)).cast(Columns.MONEY).as(NET_REVENUE),
        count(purchaseDay).cast(DataTypes.LongType).as(PURCHASE_DAYS),
        sum(col(DAY_VALUE)).as(DAY_VALUE),
        min_by(col(DAY_VALUE), purchaseDay).as(FIRST_DAY_VALUE)));
    lineCounts.forEach(c -> perCustomer.add(sum(col(c)).as(c)));
    Dataset<Row> customers = days
        .groupBy(col(CUSTOMER_ID))
        .agg(min(purchaseDay).as(FIRST_PURCHASE_DATE), perCustomer.toArray(Column[]::new));
    Column monetary = settings.monetary() == RfmSettings.Monetary.TOTAL
        ? col(NET_REVENUE)
        : when(col(FREQUENCY).gt(0), col(NET_REVENUE).divide(col(FREQUENCY)));
    List<Column> output = new ArrayList<>(List.of(
        col(CUSTOMER_ID), col(FIRST_PURCHASE_DATE), col(LAST_PURCHASE_DATE),
        datediff(asOf, col(LAST_PURCHASE_DATE)).as(RECENCY_DAYS),
        col(FREQUENCY).cast(DataTypes.LongType).as(FREQUENCY),
        monetary.cast(Columns.MONEY).as(MONETARY),
        col(NET_REVENUE),
        col(PURCHASE_DAYS),
        when(col(PURCHASE_DAYS).gt(1), col(DAY_VALUE).minus(col(FIRST_DAY_VALUE))
            .divide(col(PURCHASE_DAYS).minus(1)).cast(DataTypes.DoubleType)).as(REPEAT_PURCHASE_VALUE)));
    if (!behaviour.enabled()) {
      return customers.select(output.toArray(Column[]::new));
    }
    output.add(col(DISTINCT_CATEGORIES));
    output.add(col(RETURN_LINES).divide(col(LINES)).as(RETURN_RATE));
    for (LineShare share : behaviour.shares()) {
      output.add(col(shareLines(share)).divide(col(LINES)).as(share.feature()));
    }
    return customers
        .join(categories, customers.col(CUSTOMER_ID).equalTo(categories.col(CATEGORY_CUSTOMER)), "left_outer")
        .select(output.toArray(Column[]::new));
  }
}
