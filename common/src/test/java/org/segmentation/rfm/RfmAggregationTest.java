package org.segmentation.rfm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.segmentation.TestSpark.money;
import static org.segmentation.TestSpark.row;
import static org.segmentation.TestSpark.ts;

import java.math.BigDecimal;
import java.sql.Timestamp;
import java.time.LocalDate;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.Test;
import org.segmentation.TestSpark;
import org.segmentation.config.RfmSettings;
import org.segmentation.schema.Columns;

public class RfmAggregationTest {
  static final LocalDate RUN_DATE = LocalDate.of(2026, 6, 30);
  public static final StructType PURCHASES = new StructType()
      .add("customer_id", DataTypes.StringType)
      .add("order_id", DataTypes.StringType)
      .add("order_ts", DataTypes.TimestampType)
      .add("amount", Columns.MONEY);

  /**
   * Hand-computed fixture, run date 2026-06-30:
   * c1: O1 06-01 two lines 10 + 5, O2 06-20 20            -> frequency 2, last 06-20, recency 10, monetary 35
   * c2: O3 05-01 50, O4 06-25 30, return R4 06-28 -30      -> R4 nets -30 (not counted): frequency 2, last 06-25,
   *                                                           recency 5, monetary 50
   * c3: O5 06-10 40 cancelled by a -40 line in the same order (nets 0: not counted), O6 03-31 15
   *                                                        -> frequency 1, last 03-31, recency 91, monetary 15
   * c4: O7 07-01 100, after the run date                   -> absent
   * c5: R9 06-15 -20 only                                   -> frequency 0, no recency, monetary -20
   */
  static Dataset<Row> fixture() {
    return TestSpark.rows(PURCHASES,
        row("c1", "O1", ts("2026-06-01 09:00:00"), money("10.00")),
        row("c1", "O1", ts("2026-06-01 09:00:00"), money("5.00")),
        row("c1", "O2", ts("2026-06-20 23:59:59"), money("20.00")),
        row("c2", "O3", ts("2026-05-01 12:00:00"), money("50.00")),
        row("c2", "O4", ts("2026-06-25 08:00:00"), money("30.00")),
        row("c2", "R4", ts("2026-06-28 08:00:00"), money("-30.00")),
        row("c3", "O5", ts("2026-06-10 10:00:00"), money("40.00")),
        row("c3", "O5", ts("2026-06-11 10:00:00"), money("-40.00")),
        row("c3", "O6", ts("2026-03-31 10:00:00"), money("15.00")),
        row("c4", "O7", ts("2026-07-01 00:00:00"), money("100.00")),
        row("c5", "R9", ts("2026-06-15 10:00:00"), money("-20.00")));
  }

  @Test
  void netsOrdersIgnoresNonPositiveOrdersAndFuturePurchases() {
    Map<String, String> actual = summarise(new RfmAggregation(settings(0, RfmSettings.Monetary.TOTAL), RUN_DATE)
        .apply(fixture()));
    assertEquals(Map.of(
        "c1", "10|2|35.0000|35.0000",
        "c2", "5|2|50.0000|50.0000",
        "c3", "91|1|15.0000|15.0000",
        "c5", "null|0|-20.0000|-20.0000"), actual);
  }

  /**
   * The lifetime-value inputs, by hand. A purchase day is a day with a counted order, worth the net of its counted
   * orders; the repeat value is the mean over the purchase days after the first.
   * c1: 06-01 (15), 06-20 (20)                       -> 2 purchase days, repeat value 20
   * c2: 05-01 (50), 06-25 (30); 06-28 nets -30         -> 2 purchase days, repeat value 30 (the return day is none)
   * c3: 03-31 (15); O5 nets 0 (not counted)            -> 1 purchase day, no repeat value
   * c5: only a return                                  -> 0 purchase days
   * c6: 06-01 two orders (10 and 30, one day worth 40), 06-02 (8), 06-05 (12) and a return of -5 on 06-05
   *                                                    -> 3 purchase days, repeat value (8 + 12) / 2 = 10
   */
  @Test
  void purchaseDaysAndTheMeanValueOfTheRepeatDays() {
    Dataset<Row> purchases = fixture().union(TestSpark.rows(PURCHASES,
        row("c6", "A", ts("2026-06-01 09:00:00"), money("10.00")),
        row("c6", "B", ts("2026-06-01 18:00:00"), money("30.00")),
        row("c6", "C", ts("2026-06-02 09:00:00"), money("8.00")),
        row("c6", "D", ts("2026-06-05 09:00:00"), money("12.00")),
        row("c6", "E", ts("2026-06-05 10:00:00"), money("-5.00"))));
    Map<String, String> actual = new TreeMap<>();
    new RfmAggregation(settings(0, RfmSettings.Monetary.TOTAL), RUN_DATE).apply(purchases).collectAsList()
        .forEach(r -> actual.put(r.getAs("customer_id"), r.getAs(Columns.PURCHASE_DAYS) + "|"
            + r.getAs(Columns.REPEAT_PURCHASE_VALUE)));
    assertEquals(Map.of("c1", "2|20.0", "c2", "2|30.0", "c3", "1|null", "c5", "0|null", "c6", "3|10.0"), actual);
  }

  /**
   * Two shops of one chain reuse order numbers: "A1" is an order of c1 (10 + 5) and another of c2 (7). An order is a
   * (customer, order id) pair, so each customer has one order: c1 frequency 1, monetary 15; c2 frequency 1,
   * monetary 7 (not one shared order of 22, nor a line of c2 merged into c1's).
   */
  @Test
  void anOrderIdReusedByTwoCustomersCountsOnceForEach() {
    Dataset<Row> purchases = TestSpark.rows(PURCHASES,
        row("c1", "A1", ts("2026-06-01 09:00:00"), money("10.00")),
        row("c1", "A1", ts("2026-06-01 09:00:00"), money("5.00")),
        row("c2", "A1", ts("2026-06-10 09:00:00"), money("7.00")));
    Map<String, String> actual = summarise(new RfmAggregation(settings(0, RfmSettings.Monetary.TOTAL), RUN_DATE)
        .apply(purchases));
    assertEquals(Map.of("c1", "29|1|15.0000|15.0000", "c2", "20|1|7.0000|7.0000"), actual);
  }

  @Test
  void lookbackWindowCountsBackFromTheRunDate() {
    // 60 days back from 06-30: days after 05-01 count. c2 loses O3; c3 loses O6 and has only the netted-out O5.
    Map<String, String> actual = summarise(new RfmAggregation(settings(60, RfmSettings.Monetary.TOTAL), RUN_DATE)
        .apply(fixture()));
    assertEquals(Map.of(
        "c1", "10|2|35.0000|35.0000",
        "c2", "5|1|0.0000|0.0000",
        "c3", "null|0|0.0000|0.0000",
        "c5", "null|0|-20.0000|-20.0000"), actual);
  }

  @Test
  void averageOrderValueDividesNetRevenueByCountedOrders() {
    Map<String, String> actual = summarise(new RfmAggregation(
        settings(0, RfmSettings.Monetary.AVERAGE_ORDER_VALUE), RUN_DATE).apply(fixture()));
    assertEquals("10|2|17.5000|35.0000", actual.get("c1"));
    assertEquals("5|2|25.0000|50.0000", actual.get("c2"));
    assertEquals("null|0|null|-20.0000", actual.get("c5"));
  }

  @Test
  void readsThePurchasesOnceAndShufflesThemOnce() {
    String plan = TestSpark.plan(new RfmAggregation(settings(0, RfmSettings.Monetary.TOTAL), RUN_DATE)
        .apply(fixture()));
    assertEquals(1, occurrences(plan, "Exchange"), plan);
    assertEquals(1, occurrences(plan, "LocalTableScan"), plan);
  }

  public static RfmSettings settings(int lookbackDays, RfmSettings.Monetary monetary) {
    return new RfmSettings(lookbackDays, 5, RfmSettings.Scoring.QUANTILE,
        new RfmSettings.Thresholds(List.of(), List.of(), List.of()), monetary, "No Purchases", List.of());
  }

  private static Map<String, String> summarise(Dataset<Row> rfm) {
    Map<String, String> byCustomer = new TreeMap<>();
    for (Row r : rfm.collectAsList()) {
      byCustomer.put(r.getAs("customer_id"), r.getAs("recency_days") + "|" + r.getAs("frequency") + "|"
          + r.getAs("monetary") + "|" + r.getAs("net_revenue"));
    }
    return byCustomer;
  }

  private static int occurrences(String text, String word) {
    return text.split(java.util.regex.Pattern.quote(word), -1).length - 1;
  }
}
