package org.segmentation.rfm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.math.BigDecimal;
import java.sql.Timestamp;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.functions;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.segmentation.TestSpark;
import org.segmentation.config.FeatureSettings.LineShare;
import org.segmentation.config.RfmSettings;
import org.segmentation.schema.Columns;

/**
 * The customers computed from the purchase state equal, row for row, those computed from the lines it folds: on
 * seeded random histories with multi-line orders, returns of earlier orders on later days, orders that net to zero,
 * lines without a category, lines after the run date, several run dates and look-back windows, both monetary
 * definitions, with and without the behaviour features.
 */
class PurchaseStateTest {
  static final LocalDate START = LocalDate.of(2026, 6, 1);
  static final StructType LINES = RfmAggregationTest.PURCHASES
      .add(Columns.PRODUCT_CATEGORY, DataTypes.StringType)
      .add("channel", DataTypes.StringType);
  static final RfmAggregation.Behaviour BEHAVIOUR = RfmAggregation.Behaviour.of(
      List.of(new LineShare("channel", "web"), new LineShare("channel", "store")));
  static Dataset<Row> lines;

  /** 80 customers' orders over 120 days from START: 1 to 4 lines each, some returned (in part) days later. */
  @BeforeAll
  static void randomHistory() {
    Random random = new Random(30);
    String[] categories = {"books", "music", "film", null};
    String[] channels = {"web", "store", "phone"};
    List<Row> rows = new ArrayList<>();
    for (int c = 0; c < 80; c++) {
      int orders = random.nextInt(6);
      for (int o = 0; o < orders; o++) {
        String order = "c" + c + "-o" + o;
        LocalDateTime at = START.atStartOfDay().plusMinutes(random.nextInt(120 * 24 * 60));
        String channel = channels[random.nextInt(channels.length)];
        int items = 1 + random.nextInt(4);
        for (int i = 0; i < items; i++) {
          BigDecimal amount = BigDecimal.valueOf(100 + random.nextInt(9_900), 2);
          rows.add(line(c, order, at, amount, categories[random.nextInt(categories.length)], channel));
          if (random.nextDouble() < 0.2) { // returned, often on a later day, sometimes the whole order
            rows.add(line(c, order, at.plusDays(random.nextInt(10)), amount.negate(),
                categories[random.nextInt(categories.length)], channel));
          }
        }
      }
      if (random.nextDouble() < 0.1) { // a refund without its order
        rows.add(line(c, "c" + c + "-refund", START.plusDays(random.nextInt(120)).atTime(9, 0),
            BigDecimal.valueOf(-2_500, 2), null, "phone"));
      }
    }
    lines = TestSpark.get().createDataFrame(rows, LINES);
  }

  static Row line(int customer, String order, LocalDateTime at, BigDecimal amount, String category, String channel) {
    return RowFactory.create("c" + customer, order, Timestamp.valueOf(at), amount, category, channel);
  }

  static List<String> sorted(Dataset<Row> customers) {
    return customers.collectAsList().stream().map(Row::toString).sorted().toList();
  }

  @Test
  void theCustomersFromTheStateAreThoseFromTheLines() {
    Dataset<Row> state = new PurchaseState(BEHAVIOUR).apply(lines).cache();
    Dataset<Row> rfmState = new PurchaseState(RfmAggregation.Behaviour.NONE).apply(lines).cache();
    try {
      assertTrue(state.count() < lines.count(), "the state folds lines: " + state.count() + " rows");
      // each run date, window and monetary definition at least once: a run date inside the history, one after it
      // (every line counted), one early (lines after it ignored)
      List<Object[]> cases = List.of(new Object[] {START.plusDays(30), 0, RfmSettings.Monetary.TOTAL},
          new Object[] {START.plusDays(75), 30, RfmSettings.Monetary.AVERAGE_ORDER_VALUE},
          new Object[] {START.plusDays(130), 30, RfmSettings.Monetary.TOTAL},
          new Object[] {START.plusDays(75), 0, RfmSettings.Monetary.AVERAGE_ORDER_VALUE});
      for (Object[] c : cases) {
        LocalDate runDate = (LocalDate) c[0];
        RfmSettings settings = RfmAggregationTest.settings((Integer) c[1], (RfmSettings.Monetary) c[2]);
        String what = "run date " + runDate + ", look-back " + c[1] + ", " + c[2];
        RfmAggregation withBehaviour = new RfmAggregation(settings, runDate, BEHAVIOUR);
        List<String> expected = sorted(withBehaviour.apply(lines));
        assertTrue(expected.size() > 10, what + ": " + expected.size() + " customers");
        assertEquals(expected, sorted(withBehaviour.fromState(state)), what + ", with behaviour");
        RfmAggregation rfmOnly = new RfmAggregation(settings, runDate);
        assertEquals(sorted(rfmOnly.apply(lines)), sorted(rfmOnly.fromState(rfmState)), what + ", RFM only");
      }
    } finally {
      state.unpersist();
      rfmState.unpersist();
    }
  }

  /**
   * The fold and the merges are aggregations of fixed-width sums, which Spark keeps in its managed memory and spills
   * by itself: no object aggregation (collect_list and the like), which past 128 keys a task sorts every row it has.
   */
  @Test
  void theStateIsFoldedAndMergedWithoutObjectAggregation() {
    PurchaseState fold = new PurchaseState(BEHAVIOUR);
    Dataset<Row> state = fold.apply(lines);
    for (Dataset<Row> plan : List.of(state, fold.merge(state, fold.negate(state)), fold.mergeFew(state, state))) {
      String executed = plan.queryExecution().executedPlan().toString();
      assertTrue(executed.contains("HashAggregate"), executed);
      assertFalse(executed.contains("ObjectHashAggregate") || executed.contains("SortAggregate"), executed);
    }
  }

  /**
   * The customers from the state shuffle its rows by customer alone: the orders, days and customers aggregate inside
   * those partitions, and the distinct categories shuffle (customer, category) pairs by customer as well (a state row
   * is already one per category of an order, so a combine before the shuffle would hardly shrink them), which the join
   * of the two then needs no other shuffle for.
   */
  @Test
  void theCustomersFromTheStateShuffleItsRowsByCustomerAlone() {
    PurchaseState fold = new PurchaseState(BEHAVIOUR);
    Dataset<Row> state = fold.apply(lines).localCheckpoint();
    RfmAggregation withBehaviour = new RfmAggregation(RfmAggregationTest.settings(30, RfmSettings.Monetary.TOTAL),
        START.plusDays(75), BEHAVIOUR);
    String executed = withBehaviour.fromState(state).queryExecution().executedPlan().toString();
    java.util.regex.Matcher exchanges = java.util.regex.Pattern.compile("Exchange hashpartitioning\\(([^)]*)\\)")
        .matcher(executed);
    int count = 0;
    while (exchanges.find()) {
      count++;
      assertTrue(exchanges.group(1).matches("customer_id#\\d+, \\d+"), exchanges.group() + " in " + executed);
    }
    assertEquals(2, count, executed);
  }

  /** State rows as text, sorted, the maps as their entries sorted by key (a map's order is not its content). */
  static List<String> stateRows(Dataset<Row> state) {
    List<Column> columns = new ArrayList<>();
    for (String name : state.columns()) {
      columns.add(state.schema().apply(name).dataType() instanceof org.apache.spark.sql.types.MapType
          ? functions.array_sort(functions.map_entries(functions.col(name))).as(name) : functions.col(name));
    }
    return sorted(state.select(columns.toArray(Column[]::new)));
  }

  @Test
  void linesThatArriveOrGoChangeTheStateByAddition() {
    // a fifth of the lines arrive later; another fifth are then taken away (deleted, or a correction's old values)
    Column later = functions.expr("pmod(hash(customer_id, order_id, order_ts, amount, product_category), 5) = 0");
    Column gone = functions.expr("pmod(hash(customer_id, order_id, order_ts, amount, product_category), 5) = 1");
    for (RfmAggregation.Behaviour behaviour : List.of(BEHAVIOUR, RfmAggregation.Behaviour.NONE)) {
      PurchaseState fold = new PurchaseState(behaviour);
      Dataset<Row> first = fold.apply(lines.where(functions.not(later)));
      Dataset<Row> all = fold.merge(first, fold.apply(lines.where(later)));
      assertEquals(stateRows(fold.apply(lines)), stateRows(all), "inserts, behaviour " + behaviour.enabled());

      Dataset<Row> kept = lines.where(functions.not(gone));
      Dataset<Row> after = fold.merge(all, fold.negate(fold.apply(lines.where(gone))));
      assertEquals(stateRows(fold.apply(kept)), stateRows(after), "deletes, behaviour " + behaviour.enabled());
      // the same with only the rows the changes touch merged (the few changes of a night, broadcast)
      assertEquals(stateRows(fold.apply(lines)), stateRows(fold.mergeFew(first, fold.apply(lines.where(later)))),
          "inserts merged where they touch, behaviour " + behaviour.enabled());
      assertEquals(stateRows(fold.apply(kept)), stateRows(fold.mergeFew(all,
          fold.negate(fold.apply(lines.where(gone))))), "deletes merged where they touch");
      RfmAggregation rfm = new RfmAggregation(RfmAggregationTest.settings(30, RfmSettings.Monetary.TOTAL),
          START.plusDays(75), behaviour);
      assertEquals(sorted(rfm.apply(kept)), sorted(rfm.fromState(after)), "customers after the deletes");
    }
  }
}
