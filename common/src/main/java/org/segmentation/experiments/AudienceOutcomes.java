package org.segmentation.experiments;

import static org.apache.spark.sql.functions.aggregate;
import static org.apache.spark.sql.functions.avg;
import static org.apache.spark.sql.functions.coalesce;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.date_add;
import static org.apache.spark.sql.functions.date_sub;
import static org.apache.spark.sql.functions.element_at;
import static org.apache.spark.sql.functions.least;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.map;
import static org.apache.spark.sql.functions.max;
import static org.apache.spark.sql.functions.min;
import static org.apache.spark.sql.functions.min_by;
import static org.apache.spark.sql.functions.size;
import static org.apache.spark.sql.functions.sum;
import static org.apache.spark.sql.functions.to_date;
import static org.apache.spark.sql.functions.when;
import static org.segmentation.schema.Columns.AMOUNT;
import static org.segmentation.schema.Columns.ARM;
import static org.segmentation.schema.Columns.AUDIENCE;
import static org.segmentation.schema.Columns.CUSTOMER_ID;
import static org.segmentation.schema.Columns.DESTINATIONS;
import static org.segmentation.schema.Columns.EXPERIMENT;
import static org.segmentation.schema.Columns.ORDER_ID;
import static org.segmentation.schema.Columns.ORDER_TS;
import static org.segmentation.schema.Columns.PREDICTED_CLV;
import static org.segmentation.schema.Columns.RUN_DATE;
import static org.segmentation.schema.Columns.VARIANT;

import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.segmentation.schema.Columns;
import org.segmentation.experiments.ExperimentSums.Metric;

/**
 * The members of the audiences' experiments with their outcomes, one row per audience and member: the variant is the
 * member's arm, the send is the first night they were a member (their first export, for the treatment arm), and the
 * outcome is what they bought in the attribution window after it, (send, send + window], cut at the run date. The
 * same figures over the window before the send, (send − window, send], are the CUPED covariates. Orders are counted
 * as RFM counts them: lines netted per order, an order that nets to more than zero is a purchase, and revenue is the
 * sum of every amount (returns subtract).
 *
 * <p>The breakdown columns and the predicted CLV are the member's customer_segments row of the send night: the
 * customer as they stood at assignment, never after (a member who converted has not moved segment because of it).
 *
 * @param runDate the night measured: members first sent before it, outcomes up to its end
 * @param windowDays the attribution window and the pre-period, in days
 * @param maxAgeDays members first sent more than this many days before the run date are left out
 * @param breakdowns customer_segments columns carried from the send night (a profile attribute as
 *     {@code profile_attributes.<name>}), each named as configured
 * @param contactCosts the cost of a contact by destination: each member's {@value CampaignReturn#COST} is the sum over
 *     the destinations of their send night (empty: no such column)
 */
public record AudienceOutcomes(LocalDate runDate, int windowDays, int maxAgeDays, List<String> breakdowns,
    Map<String, Double> contactCosts) {
  public static final String SEND_DATE = "send_date";
  /** Whether the member's window was still open on the run date. */
  public static final String WINDOW_OPEN = "window_open";
  public static final String CONVERTED = "converted";
  public static final String ORDERS = "orders";
  public static final String REVENUE = "revenue";
  public static final String CLV_CHANGE = "clv_change";
  public static final String CONTACTED = "contacted";
  /** A member's mean survey score in their window (NULL without an answer there): with a surveys input. */
  public static final String SATISFACTION = "satisfaction";
  private static final String PRE = "pre_";
  private static final String SENT_TO = "__sent_to";

  /** Without costs. */
  public AudienceOutcomes(LocalDate runDate, int windowDays, int maxAgeDays, List<String> breakdowns) {
    this(runDate, windowDays, maxAgeDays, breakdowns, Map.of());
  }
  private static final String CLV_AT_SEND = "__clv_at_send";
  private static final String ORDER_DATE = "__order_date";
  private static final String ORDER_NET = "__order_net";

  /**
   * The metrics the rows carry: conversion, orders and revenue with their pre-period covariates, the change in
   * predicted CLV since the send (with lifetime value on), and the share contacted (the treatment members with a
   * destination on the send night; 0 in control by design).
   */
  public static List<Metric> metrics(boolean withLifetimeValue, boolean withCosts) {
    return metrics(withLifetimeValue, withCosts, false);
  }

  /**
   * As {@link #metrics(boolean, boolean)}, with satisfaction (the mean score of the member's answers in the window;
   * members who did not answer there are left out of it) when there is a surveys input.
   */
  public static List<Metric> metrics(boolean withLifetimeValue, boolean withCosts, boolean withSurveys) {
    List<Metric> metrics = new ArrayList<>(List.of(
        new Metric(CONVERTED, CONVERTED, Optional.of(PRE + CONVERTED)),
        new Metric(ORDERS, ORDERS, Optional.of(PRE + ORDERS)),
        new Metric(REVENUE, REVENUE, Optional.of(PRE + REVENUE))));
    if (withLifetimeValue) {
      metrics.add(new Metric(CLV_CHANGE, CLV_CHANGE, Optional.empty()));
    }
    metrics.add(new Metric(CONTACTED, CONTACTED, Optional.empty()));
    if (withCosts) {
      metrics.add(new Metric(CampaignReturn.COST, CampaignReturn.COST, Optional.empty()));
    }
    if (withSurveys) {
      metrics.add(new Metric(SATISFACTION, SATISFACTION, Optional.empty()));
    }
    return metrics;
  }

  /**
   * @param memberHistory audience_members rows of the published nights (any dates; only those before the run date
   *     count), of the measured audiences
   * @param segmentHistory customer_segments rows of the published nights (the send nights are read)
   * @param tonight tonight's customer_segments rows (predicted CLV now)
   * @param purchases the accepted purchase lines
   */
  public Dataset<Row> apply(Dataset<Row> memberHistory, Dataset<Row> segmentHistory, Dataset<Row> tonight,
      Dataset<Row> purchases) {
    return apply(memberHistory, segmentHistory, tonight, purchases, Optional.empty());
  }

  /**
   * As {@link #apply(Dataset, Dataset, Dataset, Dataset)}, and with {@code answers} (the accepted survey answers:
   * customer_id, answered_ts, score) each member's {@value #SATISFACTION} in their window.
   */
  public Dataset<Row> apply(Dataset<Row> memberHistory, Dataset<Row> segmentHistory, Dataset<Row> tonight,
      Dataset<Row> purchases, Optional<Dataset<Row>> answers) {
    Dataset<Row> outcomes = outcomes(memberHistory, segmentHistory, tonight, purchases);
    if (answers.isEmpty()) {
      return outcomes;
    }
    Column asOf = lit(java.sql.Date.valueOf(runDate));
    Column send = col(SEND_DATE);
    Column day = to_date(col(Columns.ANSWERED_TS));
    Dataset<Row> satisfaction = outcomes.select(col(EXPERIMENT), col(CUSTOMER_ID), send)
        .join(answers.get().select(col(CUSTOMER_ID), day.as(ORDER_DATE), col(Columns.SCORE)),
            new String[] {CUSTOMER_ID})
        .where(col(ORDER_DATE).gt(send).and(col(ORDER_DATE).leq(least(date_add(send, windowDays), asOf))))
        .groupBy(col(EXPERIMENT), col(CUSTOMER_ID))
        .agg(avg(col(Columns.SCORE)).as(SATISFACTION));
    return outcomes.join(satisfaction, new String[] {EXPERIMENT, CUSTOMER_ID}, "left");
  }

  private Dataset<Row> outcomes(Dataset<Row> memberHistory, Dataset<Row> segmentHistory, Dataset<Row> tonight,
      Dataset<Row> purchases) {
    Column asOf = lit(java.sql.Date.valueOf(runDate));
    Column earliestSend = date_sub(asOf, maxAgeDays);
    Dataset<Row> sent = memberHistory
        .where(col(RUN_DATE).lt(asOf))
        .groupBy(col(AUDIENCE), col(CUSTOMER_ID))
        .agg(min(col(RUN_DATE)).as(SEND_DATE), min_by(col(ARM), col(RUN_DATE)).as(ARM),
            min_by(col(DESTINATIONS), col(RUN_DATE)).as(SENT_TO))
        .where(col(SEND_DATE).geq(earliestSend));

    List<Column> atSend = new ArrayList<>(List.of(col(RUN_DATE).as(SEND_DATE), col(CUSTOMER_ID),
        col(PREDICTED_CLV).as(CLV_AT_SEND)));
    breakdowns.forEach(b -> atSend.add(col(b).as(b))); // a top-level column, or a profile attribute's field
    Dataset<Row> members = sent.join(segmentHistory
            .where(col(RUN_DATE).geq(earliestSend).and(col(RUN_DATE).lt(asOf)))
            .select(atSend.toArray(Column[]::new)), new String[] {SEND_DATE, CUSTOMER_ID}, "left")
        .join(tonight.select(col(CUSTOMER_ID), col(PREDICTED_CLV)), new String[] {CUSTOMER_ID}, "left");

    // orders netted as RFM nets them, over the days any measured member's windows can reach, of the members alone:
    // an audience is a small part of the customers, and the semi-join (broadcast where the members are few) keeps the
    // other customers' lines out of the shuffle that nets the orders
    Column day = to_date(col(ORDER_TS));
    Dataset<Row> orders = purchases
        .where(day.leq(asOf).and(day.gt(date_sub(earliestSend, windowDays))))
        .join(sent.select(col(CUSTOMER_ID)).distinct(), new String[] {CUSTOMER_ID}, "left_semi")
        .groupBy(col(CUSTOMER_ID), col(ORDER_ID))
        .agg(sum(col(AMOUNT)).cast("double").as(ORDER_NET), min(day).as(ORDER_DATE));

    Column send = col(SEND_DATE);
    Column orderDate = col(ORDER_DATE);
    Column after = orderDate.gt(send).and(orderDate.leq(least(date_add(send, windowDays), asOf)));
    Column before = orderDate.gt(date_sub(send, windowDays)).and(orderDate.leq(send));
    Column counted = col(ORDER_NET).gt(0);

    List<Column> carried = new ArrayList<>(List.of(col(CUSTOMER_ID), col(AUDIENCE).as(EXPERIMENT),
        col(ARM).as(VARIANT), send,
        date_add(send, windowDays).gt(asOf).as(WINDOW_OPEN),
        when(size(col(SENT_TO)).gt(0), 1.0).otherwise(0.0).as(CONTACTED),
        col(PREDICTED_CLV).minus(col(CLV_AT_SEND)).as(CLV_CHANGE)));
    breakdowns.forEach(b -> carried.add(col("`" + b + "`"))); // (named as configured, dots and all)
    if (!contactCosts.isEmpty()) {
      List<Column> prices = new ArrayList<>();
      contactCosts.forEach((destination, cost) -> prices.addAll(List.of(lit(destination), lit(cost))));
      Column price = map(prices.toArray(Column[]::new));
      carried.add(aggregate(col(SENT_TO), lit(0.0), (total, destination) -> total.plus(
          coalesce(element_at(price, destination), lit(0.0)))).as(CampaignReturn.COST));
    }
    return members.join(orders, new String[] {CUSTOMER_ID}, "left")
        .groupBy(carried.toArray(Column[]::new))
        .agg(outcome(after, counted, ""), outcomes(after, before, counted));
  }

  /** converted (max of a counted order in the window), as 0/1. */
  private static Column outcome(Column window, Column counted, String prefix) {
    return coalesce(max(when(window.and(counted), 1.0).otherwise(0.0)), lit(0.0)).as(prefix + CONVERTED);
  }

  private static Column[] outcomes(Column after, Column before, Column counted) {
    return new Column[] {
        coalesce(sum(when(after.and(counted), 1.0).otherwise(0.0)), lit(0.0)).as(ORDERS),
        coalesce(sum(when(after, col(ORDER_NET)).otherwise(0.0)), lit(0.0)).as(REVENUE),
        outcome(before, counted, PRE),
        coalesce(sum(when(before.and(counted), 1.0).otherwise(0.0)), lit(0.0)).as(PRE + ORDERS),
        coalesce(sum(when(before, col(ORDER_NET)).otherwise(0.0)), lit(0.0)).as(PRE + REVENUE)};
  }
}
