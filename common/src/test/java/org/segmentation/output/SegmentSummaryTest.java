package org.segmentation.output;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.segmentation.TestSpark.date;
import static org.segmentation.TestSpark.money;
import static org.segmentation.TestSpark.row;

import java.math.BigDecimal;
import java.util.List;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.Test;
import org.segmentation.TestSpark;
import org.segmentation.clv.ClvScoring;
import org.segmentation.io.TableCatalog;
import org.segmentation.schema.Columns;

class SegmentSummaryTest {
  static final StructType SEGMENTS = new StructType()
      .add(Columns.RUN_DATE, DataTypes.DateType)
      .add(Columns.CUSTOMER_ID, DataTypes.StringType)
      .add(Columns.RFM_SEGMENT, DataTypes.StringType)
      .add(Columns.RECENCY_DAYS, DataTypes.IntegerType)
      .add(Columns.FREQUENCY, DataTypes.LongType)
      .add(Columns.MONETARY, Columns.MONEY)
      .add(Columns.NET_REVENUE, Columns.MONEY);

  /**
   * Five customers, all revenue 500 + 300 + 20 + 0 - 20 = 800:
   * Champions c1 (recency 2, 5 orders, 500) and c2 (4, 3, 300): 2 customers (0.4), revenue 800 (share 1.0), mean
   * recency 3, median 2 (the lower of two values), mean frequency 4, median 3, mean monetary 400, median 300, order
   * value 800 / 8 = 100. Lost c3 (200, 1, 20): 1 (0.2), 20 (0.025), order value 20. No Purchases c4 (0 orders, 0) and
   * c5 (only a return, -20): 2 (0.4), revenue -20 (-0.025), no recency, mean monetary -10, median -20, no order value.
   */
  @Test
  void sizesSharesMeansAndMediansPerSegment() {
    List<Row> summary = new SegmentSummary().apply(withoutClv(SEGMENTS,
            row(date("2026-06-30"), "c1", "Champions", 2, 5L, money("500"), money("500")),
            row(date("2026-06-30"), "c2", "Champions", 4, 3L, money("300"), money("300")),
            row(date("2026-06-30"), "c3", "Lost", 200, 1L, money("20"), money("20")),
            row(date("2026-06-30"), "c4", "No Purchases", null, 0L, money("0"), money("0")),
            row(date("2026-06-30"), "c5", "No Purchases", null, 0L, money("-20"), money("-20"))))
        .orderBy(Columns.RFM_SEGMENT).collectAsList();

    assertEquals(3, summary.size());
    assertEquals(TableCatalog.SEGMENT_SUMMARY.columnNames(), List.of(summary.get(0).schema().fieldNames()));
    assertSegment(summary.get(0), "Champions", 2, 0.4, "800", 1.0, 3.0, 2.0, 4.0, 3.0, 400.0, 300.0, 100.0);
    assertSegment(summary.get(1), "Lost", 1, 0.2, "20", 0.025, 200.0, 200.0, 1.0, 1.0, 20.0, 20.0, 20.0);
    assertSegment(summary.get(2), "No Purchases", 2, 0.4, "-20", -0.025, null, null, 0.0, 0.0, -10.0, -20.0, null);
  }

  @Test
  void shareOfRevenueIsNullWhenTheBaseHasNoRevenue() {
    Row only = new SegmentSummary().apply(withoutClv(SEGMENTS,
        row(date("2026-06-30"), "c1", "No Purchases", null, 0L, money("0"), money("0")))).first();
    assertNull(only.get(only.fieldIndex(Columns.SHARE_OF_REVENUE)));
    assertEquals(1.0, only.getDouble(only.fieldIndex(Columns.SHARE_OF_CUSTOMERS)), 1e-12);
  }

  private static void assertSegment(Row r, String segment, long customers, double share, String revenue,
      double revenueShare, Double meanRecency, Double medianRecency, double meanFrequency, double medianFrequency,
      double meanMonetary, double medianMonetary, Double orderValue) {
    assertEquals(segment, r.getAs(Columns.RFM_SEGMENT));
    assertEquals(date("2026-06-30"), r.getAs(Columns.RUN_DATE));
    assertEquals(customers, (long) r.getAs(Columns.CUSTOMERS), segment);
    assertEquals(share, r.getAs(Columns.SHARE_OF_CUSTOMERS), 1e-12, segment);
    assertEquals(0, new BigDecimal(revenue).compareTo(r.getAs(Columns.REVENUE)), segment);
    assertEquals(revenueShare, r.getAs(Columns.SHARE_OF_REVENUE), 1e-12, segment);
    assertEquals(meanRecency, r.getAs(Columns.meanOf(Columns.RECENCY_DAYS)), segment);
    assertEquals(medianRecency, r.getAs(Columns.medianOf(Columns.RECENCY_DAYS)), segment);
    assertEquals(meanFrequency, r.getAs(Columns.meanOf(Columns.FREQUENCY)), 1e-12, segment);
    assertEquals(medianFrequency, r.getAs(Columns.medianOf(Columns.FREQUENCY)), 1e-12, segment);
    assertEquals(meanMonetary, r.getAs(Columns.meanOf(Columns.MONETARY)), 1e-9, segment);
    assertEquals(medianMonetary, r.getAs(Columns.medianOf(Columns.MONETARY)), 1e-9, segment);
    assertEquals(orderValue, r.getAs(Columns.AVERAGE_ORDER_VALUE), segment);
  }

  /** Rows of the fixture, with the lifetime-value columns NULL (no model): the means of CLV are then NULL. */
  private static Dataset<Row> withoutClv(StructType schema, Row... rows) {
    return ClvScoring.unscored(TestSpark.rows(schema, rows));
  }
}
