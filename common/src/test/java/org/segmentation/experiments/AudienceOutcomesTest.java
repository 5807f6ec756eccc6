package org.segmentation.experiments;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.segmentation.TestSpark.date;
import static org.segmentation.TestSpark.money;
import static org.segmentation.TestSpark.row;
import static org.segmentation.TestSpark.ts;

import java.time.LocalDate;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.Test;
import org.segmentation.TestSpark;
import org.segmentation.schema.Columns;

/**
 * Members' sends, windows and outcomes on a hand-made history, each figure worked out by hand: run date 2026-11-21,
 * a 7-day window, members first sent up to 30 days before.
 */
class AudienceOutcomesTest {
  static final LocalDate RUN_DATE = LocalDate.of(2026, 11, 21);

  static Dataset<Row> memberHistory() {
    StructType schema = new StructType().add("run_date", DataTypes.DateType).add("audience", DataTypes.StringType)
        .add("customer_id", DataTypes.StringType).add("arm", DataTypes.StringType)
        .add("destinations", DataTypes.createArrayType(DataTypes.StringType));
    return TestSpark.get().createDataFrame(List.of(
        row(date("2026-11-10"), "lapsing", "c1", "treatment", List.of("mail")),
        row(date("2026-11-14"), "lapsing", "c1", "treatment", List.of()), // the send is the first night
        row(date("2026-11-14"), "lapsing", "c2", "control", List.of()),
        row(date("2026-11-20"), "lapsing", "c3", "treatment", List.of()),  // no consent: not contacted
        row(date("2026-09-01"), "lapsing", "c4", "treatment", List.of("mail")), // older than 30 days
        row(date("2026-11-21"), "lapsing", "c5", "control", List.of())),   // tonight: no outcome yet
        schema);
  }

  static Dataset<Row> segmentHistory() {
    StructType schema = new StructType().add("run_date", DataTypes.DateType)
        .add("customer_id", DataTypes.StringType).add("rfm_segment", DataTypes.StringType)
        .add("predicted_clv", DataTypes.DoubleType);
    return TestSpark.rows(schema, row(date("2026-11-10"), "c1", "At Risk", 100.0),
        row(date("2026-11-14"), "c1", "Champions", 120.0), // after c1's send: not the segment at assignment
        row(date("2026-11-14"), "c2", "Champions", 50.0));
  }

  static Dataset<Row> tonight() {
    StructType schema = new StructType().add("customer_id", DataTypes.StringType)
        .add("predicted_clv", DataTypes.DoubleType);
    return TestSpark.rows(schema, row("c1", 130.0), row("c2", 40.0), row("c3", 10.0));
  }

  static Dataset<Row> purchases() {
    StructType schema = new StructType().add("customer_id", DataTypes.StringType)
        .add("order_id", DataTypes.StringType).add("order_ts", DataTypes.TimestampType)
        .add("amount", Columns.MONEY);
    return TestSpark.rows(schema,
        row("c1", "o1", ts("2026-11-05 10:00:00"), money("20")),   // before c1's send, in (11-03, 11-10]
        row("c1", "o2", ts("2026-11-12 09:00:00"), money("30")),   // after: one order netting 25
        row("c1", "o2", ts("2026-11-12 09:05:00"), money("-5")),
        row("c1", "o3", ts("2026-11-16 12:00:00"), money("-10")),  // a return: no order, but -10 of revenue
        row("c1", "o7", ts("2026-11-19 12:00:00"), money("99")),   // after c1's window (11-10, 11-17]
        row("c2", "o5", ts("2026-11-14 18:00:00"), money("10")),   // the send day counts before
        row("c2", "o4", ts("2026-11-22 08:00:00"), money("50")),   // after the run date
        row("c3", "o6", ts("2026-11-21 23:00:00"), money("5")));   // the run date's last hour, in c3's open window
  }

  @Test
  void eachMembersWindowsAreCountedAsRfmCountsOrders() {
    Map<String, Row> members = new AudienceOutcomes(RUN_DATE, 7, 30, List.of("rfm_segment"))
        .apply(memberHistory(), segmentHistory(), tonight(), purchases()).collectAsList().stream()
        .collect(Collectors.toMap(r -> r.getAs("customer_id"), r -> r));
    assertEquals(List.of("c1", "c2", "c3"), members.keySet().stream().sorted().toList(),
        "c4 was first sent too long ago, c5 only tonight");

    Row c1 = members.get("c1");
    assertEquals("lapsing", c1.getAs("experiment"));
    assertEquals("treatment", c1.getAs("variant"));
    assertEquals(date("2026-11-10"), c1.getAs("send_date"));
    assertEquals("At Risk", c1.getAs("rfm_segment"), "the segment of the send night");
    assertEquals(List.of(1.0, 1.0, 15.0, 1.0, 1.0, 20.0, 30.0, 1.0, false), figures(c1));

    Row c2 = members.get("c2");
    assertEquals("control", c2.getAs("variant"));
    assertEquals(List.of(0.0, 0.0, 0.0, 1.0, 1.0, 10.0, -10.0, 0.0, false), figures(c2));

    Row c3 = members.get("c3");
    assertNull(c3.getAs("rfm_segment"));
    assertNull(c3.getAs("clv_change"), "no customer_segments row of the send night");
    assertEquals(List.of(1.0, 1.0, 5.0, 0.0, 0.0, 0.0, 0.0, true), figures(c3).stream()
        .filter(java.util.Objects::nonNull).toList());
  }

  @Test
  void aMembersContactCostIsTheirSendNightsDestinations() {
    Map<String, Double> cost = new AudienceOutcomes(RUN_DATE, 7, 30, List.of(), Map.of("mail", 0.5, "sms", 2.0))
        .apply(memberHistory(), segmentHistory(), tonight(), purchases()).collectAsList().stream()
        .collect(Collectors.toMap(r -> r.getAs("customer_id"), r -> r.getAs("contact_cost")));
    assertEquals(Map.of("c1", 0.5, "c2", 0.0, "c3", 0.0), cost, "c1 was sent to mail on its send night only");
  }

  /**
   * Satisfaction is the mean score of the member's answers in their window: c1's (11-10, 11-17] holds 4 (11-12) and 2
   * (11-15), not the 5 of 11-18 nor the 1 of the send day; c2 answered only after the run date: no value, so c2 is
   * left out of the metric rather than counted as unhappy.
   */
  @Test
  void satisfactionIsTheMeanScoreInTheWindow() {
    StructType schema = new StructType().add("customer_id", DataTypes.StringType)
        .add("answered_ts", DataTypes.TimestampType).add("score", DataTypes.DoubleType);
    Dataset<Row> answers = TestSpark.rows(schema,
        row("c1", ts("2026-11-10 20:00:00"), 1.0),
        row("c1", ts("2026-11-12 10:00:00"), 4.0),
        row("c1", ts("2026-11-15 10:00:00"), 2.0),
        row("c1", ts("2026-11-18 10:00:00"), 5.0),
        row("c2", ts("2026-11-25 10:00:00"), 5.0));
    Map<String, Row> members = new AudienceOutcomes(RUN_DATE, 7, 30, List.of())
        .apply(memberHistory(), segmentHistory(), tonight(), purchases(), java.util.Optional.of(answers))
        .collectAsList().stream().collect(Collectors.toMap(r -> r.getAs("customer_id"), r -> r));
    assertEquals(3.0, members.get("c1").<Double>getAs("satisfaction"), 1e-12);
    assertNull(members.get("c2").getAs("satisfaction"));
    assertEquals(List.of(1.0, 1.0, 15.0, 1.0, 1.0, 20.0, 30.0, 1.0, false), figures(members.get("c1")),
        "the other outcomes are unchanged");
  }

  /** converted, orders, revenue, their pre-period, the CLV change, contacted, whether the window is open. */
  static List<Object> figures(Row member) {
    return java.util.Arrays.asList(member.getAs("converted"), member.getAs("orders"), member.getAs("revenue"),
        member.getAs("pre_converted"), member.getAs("pre_orders"), member.getAs("pre_revenue"),
        member.getAs("clv_change"), member.getAs("contacted"), member.getAs("window_open"));
  }
}
