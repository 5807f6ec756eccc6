package org.segmentation.stage;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.count;
import static org.apache.spark.sql.functions.date_sub;
import static org.apache.spark.sql.functions.datediff;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.max;
import static org.apache.spark.sql.functions.min;
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
import static org.segmentation.schema.Columns.RECENCY_DAYS;

import java.time.LocalDate;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.types.DataTypes;
import org.segmentation.config.RfmSettings;
import org.segmentation.schema.Columns;

/**
 * Per customer, as of the end of the run date: recency, frequency and monetary value over the look-back window.
 *
 * <ul>
 *   <li>A purchase's day is its {@code order_ts} in the session time zone (the configured business time zone);
 *       purchases after the run date are ignored, so a backfill sees exactly what was known that night.</li>
 *   <li>Lines are first netted per order (returns and cancellations carry negative amounts). An order that nets to
 *       zero or less is not a purchase: it counts neither for frequency nor for recency, but its amount is still
 *       subtracted from revenue.</li>
 *   <li>{@code frequency} = counted orders; {@code recency_days} = run date minus the day of the last counted order
 *       (NULL without one); {@code net_revenue} = sum of all amounts; {@code monetary} = net revenue, or net revenue
 *       per counted order when {@code rfm.monetary = average-order-value}.</li>
 * </ul>
 *
 * <p>The purchases are shuffled once, by customer: both aggregation levels then run inside the same partitions.
 */
public record RfmAggregation(RfmSettings settings, LocalDate runDate) implements Stage {
  private static final String ORDER_DATE = "order_date";
  private static final String ORDER_NET = "order_net";

  @Override
  public Dataset<Row> apply(Dataset<Row> purchases) {
    Column asOf = lit(java.sql.Date.valueOf(runDate));
    Column day = to_date(col(ORDER_TS));
    Column inWindow = day.leq(asOf);
    if (settings.lookbackDays() > 0) {
      inWindow = inWindow.and(day.gt(date_sub(asOf, settings.lookbackDays())));
    }
    Dataset<Row> orders = purchases
        .where(inWindow)
        .select(col(CUSTOMER_ID), col(ORDER_ID), day.as(ORDER_DATE), col(AMOUNT))
        // One shuffle: hash-partitioning by customer also satisfies the (customer, order) grouping below.
        .repartition(col(CUSTOMER_ID))
        .groupBy(col(CUSTOMER_ID), col(ORDER_ID))
        .agg(sum(col(AMOUNT)).as(ORDER_NET), min(col(ORDER_DATE)).as(ORDER_DATE));

    Column counted = col(ORDER_NET).gt(0);
    Column countedDay = when(counted, col(ORDER_DATE));
    Dataset<Row> customers = orders
        .groupBy(col(CUSTOMER_ID))
        .agg(
            min(countedDay).as(FIRST_PURCHASE_DATE),
            max(countedDay).as(LAST_PURCHASE_DATE),
            count(when(counted, lit(1))).as(FREQUENCY),
            sum(col(ORDER_NET)).cast(Columns.MONEY).as(NET_REVENUE));
    Column monetary = settings.monetary() == RfmSettings.Monetary.TOTAL
        ? col(NET_REVENUE)
        : when(col(FREQUENCY).gt(0), col(NET_REVENUE).divide(col(FREQUENCY)));
    return customers
        .withColumn(RECENCY_DAYS, datediff(asOf, col(LAST_PURCHASE_DATE)))
        .withColumn(MONETARY, monetary.cast(Columns.MONEY))
        .withColumn(FREQUENCY, col(FREQUENCY).cast(DataTypes.LongType))
        .select(CUSTOMER_ID, FIRST_PURCHASE_DATE, LAST_PURCHASE_DATE, RECENCY_DAYS, FREQUENCY, MONETARY, NET_REVENUE);
  }
}
