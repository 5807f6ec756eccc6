package org.segmentation.rfm;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.date_add;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.pmod;
import static org.apache.spark.sql.functions.to_date;
import static org.apache.spark.sql.functions.xxhash64;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.segmentation.rfm.PurchaseStateTest.BEHAVIOUR;
import static org.segmentation.rfm.PurchaseStateTest.START;
import static org.segmentation.rfm.PurchaseStateTest.sorted;

import java.time.LocalDate;
import java.util.List;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.segmentation.config.RfmSettings;
import org.segmentation.io.TableCatalog;
import org.segmentation.schema.Columns;

/**
 * A night that computes only the customers it touches and carries the others' figures from the last night's totals
 * gives the customers a computation of every one from the state gives, row for row: night after night, each carrying
 * from the one before, on PurchaseStateTest's seeded history as it arrives (lines up to three days late, some a day
 * before their own day, returns of earlier orders, lines deleted from the fourth night on), with and without a
 * look-back window, quiet nights and a rerun of a night included.
 */
class PurchaseTotalsTest {
  /** The nights, in order: a day of lines, a quiet rerun, a jump of a week with deletes, a night after the history. */
  static final List<LocalDate> NIGHTS = List.of(START.plusDays(20), START.plusDays(21), START.plusDays(21),
      START.plusDays(28), START.plusDays(140));

  @BeforeAll
  static void randomHistory() {
    PurchaseStateTest.randomHistory();
  }

  @Test
  void carriedNightsEqualEveryCustomerComputedFromTheState() {
    nightAfterNight(RfmAggregationTest.settings(0, RfmSettings.Monetary.TOTAL));
  }

  @Test
  void carriedNightsEqualEveryCustomerComputedFromTheStateUnderALookBackWindow() {
    int[] movedOnly = nightAfterNight(RfmAggregationTest.settings(10, RfmSettings.Monetary.AVERAGE_ORDER_VALUE));
    assertTrue(movedOnly[0] > 0, "some customers are touched only because rows of theirs entered or left the window");
  }

  /**
   * Runs the nights with {@code settings}; returns how many customers, over all nights, were touched without a
   * changed line.
   */
  private static int[] nightAfterNight(RfmSettings settings) {
    PurchaseState fold = new PurchaseState(BEHAVIOUR);
    Dataset<Row> lines = PurchaseStateTest.lines;
    // when a line reaches the input: from a day before its own day (a line stamped ahead) to three days after it
    Column arrival = date_add(to_date(col(Columns.ORDER_TS)),
        pmod(xxhash64(col(Columns.ORDER_ID), col(Columns.AMOUNT), col(Columns.PRODUCT_CATEGORY)), lit(5)).minus(1)
            .cast("int"));
    Column deletedLater = pmod(xxhash64(col(Columns.ORDER_ID), col(Columns.AMOUNT)), lit(13)).equalTo(0);
    Dataset<Row> known = null;
    Dataset<Row> totals = null;
    int[] movedOnly = {0};
    boolean carriedSome = false;
    for (int night = 0; night < NIGHTS.size(); night++) {
      LocalDate runDate = NIGHTS.get(night);
      Column arrived = arrival.leq(lit(java.sql.Date.valueOf(runDate)));
      Dataset<Row> tonight = lines.where(night >= 3 ? arrived.and(deletedLater.unary_$bang()) : arrived).cache();
      Dataset<Row> state = fold.apply(tonight).cache();
      RfmAggregation aggregation = new RfmAggregation(settings, runDate, BEHAVIOUR);
      PurchaseTotals keeping = new PurchaseTotals(aggregation);
      Dataset<Row> everyone = aggregation.fromState(state);
      Dataset<Row> customers = everyone;
      String what = "the night of " + runDate + " (" + night + ")";
      if (known != null) {
        Dataset<Row> changes = fold.apply(tonight.exceptAll(known))
            .unionByName(fold.negate(fold.apply(known.exceptAll(tonight))));
        LocalDate since = NIGHTS.get(night - 1);
        Dataset<Row> touched = keeping.touched(state, changes, since).cache();
        long changedCustomers = changes.select(Columns.CUSTOMER_ID).distinct().count();
        long touchedCustomers = touched.count();
        movedOnly[0] += (int) (touchedCustomers - changedCustomers);
        customers = keeping.carry(state, touched, totals);
        List<String> expected = sorted(everyone);
        carriedSome |= touchedCustomers < expected.size();
        assertEquals(expected, sorted(customers), what + ": " + touchedCustomers + " touched of " + expected.size());
      }
      totals = keeping.rows(customers.withColumn(Columns.HAS_PURCHASES, lit(true))).cache();
      assertEquals(TableCatalog.PURCHASE_TOTALS.columnNames(), List.of(totals.columns()), "the table's columns");
      known = tonight;
    }
    assertTrue(carriedSome, "some night carried customers");
    return movedOnly;
  }
}
