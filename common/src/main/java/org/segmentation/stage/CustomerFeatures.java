package org.segmentation.stage;

import static org.apache.spark.sql.functions.coalesce;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.count;
import static org.apache.spark.sql.functions.count_distinct;
import static org.apache.spark.sql.functions.date_sub;
import static org.apache.spark.sql.functions.datediff;
import static org.apache.spark.sql.functions.floor;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.months_between;
import static org.apache.spark.sql.functions.to_date;
import static org.apache.spark.sql.functions.when;
import static org.segmentation.schema.Columns.AMOUNT;
import static org.segmentation.schema.Columns.CHANNEL;
import static org.segmentation.schema.Columns.CUSTOMER_ID;
import static org.segmentation.schema.Columns.FIRST_PURCHASE_DATE;
import static org.segmentation.schema.Columns.FREQUENCY;
import static org.segmentation.schema.Columns.LAST_PURCHASE_DATE;
import static org.segmentation.schema.Columns.NET_REVENUE;
import static org.segmentation.schema.Columns.ORDER_TS;
import static org.segmentation.schema.Columns.PRODUCT_CATEGORY;

import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.segmentation.config.FeatureSettings;
import org.segmentation.config.RfmSettings;
import org.segmentation.schema.Columns;

/**
 * One row per customer of the run with the features that clustering and rule segments use: the RFM values, behaviour
 * from the purchases in the RFM window (average order value, tenure, mean days between orders, distinct categories,
 * return rate, channel shares) and the profile's attributes (age from age or birth date, gender, income, education,
 * occupation, country, region, city, interests, lifestyle, marketing consent). Missing values stay NULL here; the
 * clustering pipeline imputes them.
 */
public record CustomerFeatures(FeatureSettings settings, RfmSettings rfm, LocalDate runDate) {
  public static final String AVERAGE_ORDER_VALUE = "average_order_value";
  public static final String TENURE_DAYS = "tenure_days";
  public static final String MEAN_DAYS_BETWEEN_ORDERS = "mean_days_between_orders";
  public static final String DISTINCT_CATEGORIES = "distinct_categories";
  public static final String RETURN_RATE = "return_rate";

  public static String channelShare(String channel) {
    return "channel_" + channel + "_share";
  }

  /**
   * @param customers the run's customers with their RFM values (RfmAggregation joined with the profile ids)
   * @param purchases accepted purchases (canonical columns)
   * @param profiles accepted profiles (canonical columns), or NULL without a profiles input
   */
  public Dataset<Row> apply(Dataset<Row> customers, Dataset<Row> purchases, Dataset<Row> profiles) {
    Column asOf = lit(java.sql.Date.valueOf(runDate));
    Column day = to_date(col(ORDER_TS));
    Column inWindow = day.leq(asOf);
    if (rfm.lookbackDays() > 0) {
      inWindow = inWindow.and(day.gt(date_sub(asOf, rfm.lookbackDays())));
    }
    List<Column> behaviour = new ArrayList<>();
    behaviour.add(count_distinct(col(PRODUCT_CATEGORY)).as(DISTINCT_CATEGORIES));
    behaviour.add(count(when(col(AMOUNT).lt(0), lit(1))).divide(count(lit(1))).as(RETURN_RATE));
    for (String channel : settings.channels()) {
      behaviour.add(count(when(col(CHANNEL).equalTo(channel), lit(1))).divide(count(lit(1)))
          .as(channelShare(channel)));
    }
    Dataset<Row> perCustomer = purchases.where(inWindow).groupBy(col(CUSTOMER_ID).as("__behaviour_id"))
        .agg(behaviour.get(0), behaviour.subList(1, behaviour.size()).toArray(Column[]::new));

    Dataset<Row> features = customers.join(perCustomer,
            customers.col(CUSTOMER_ID).equalTo(perCustomer.col("__behaviour_id")), "left_outer")
        .drop("__behaviour_id")
        .withColumn(AVERAGE_ORDER_VALUE, when(col(FREQUENCY).gt(0),
            col(NET_REVENUE).divide(col(FREQUENCY)).cast("double")))
        .withColumn(TENURE_DAYS, datediff(asOf, col(FIRST_PURCHASE_DATE)))
        .withColumn(MEAN_DAYS_BETWEEN_ORDERS, when(col(FREQUENCY).gt(1),
            datediff(col(LAST_PURCHASE_DATE), col(FIRST_PURCHASE_DATE)).divide(col(FREQUENCY).minus(1))));
    if (profiles == null) {
      return withoutProfileColumns(features);
    }
    Dataset<Row> attributes = profiles.select(
        col(CUSTOMER_ID).as("__profile_id"),
        coalesce(col(Columns.AGE), floor(months_between(asOf, col(Columns.BIRTH_DATE)).divide(12)).cast("int"))
            .as(Columns.AGE),
        col(Columns.GENDER), col(Columns.INCOME), col(Columns.EDUCATION), col(Columns.OCCUPATION),
        col(Columns.COUNTRY), col(Columns.REGION), col(Columns.CITY), col(Columns.INTERESTS),
        col(Columns.LIFESTYLE), col(Columns.MARKETING_CONSENT));
    return features.join(attributes, features.col(CUSTOMER_ID).equalTo(attributes.col("__profile_id")),
        "left_outer").drop("__profile_id");
  }

  /** Without profiles the attribute columns exist (NULL) so that rules and configuration stay valid. */
  private static Dataset<Row> withoutProfileColumns(Dataset<Row> features) {
    Dataset<Row> result = features;
    for (var column : Columns.PROFILES) {
      if (!column.name().equals(CUSTOMER_ID) && !List.of(Columns.BIRTH_DATE, Columns.SIGNUP_TS, Columns.EMAIL,
          Columns.POSTAL_CODE).contains(column.name())) {
        result = result.withColumn(column.name(), lit(null).cast(column.type()));
      }
    }
    return result;
  }
}
