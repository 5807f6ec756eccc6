package org.segmentation.output;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.segmentation.TestSpark.money;
import static org.segmentation.TestSpark.row;

import java.time.LocalDate;
import java.util.List;
import java.util.stream.Collectors;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.Test;
import org.segmentation.TestSpark;
import org.segmentation.io.TableCatalog;
import org.segmentation.schema.Columns;

class SegmentTransitionsTest {
  static final LocalDate RUN_DATE = LocalDate.of(2026, 6, 30);
  static final LocalDate PREVIOUS = LocalDate.of(2026, 6, 29);
  static final StructType SEGMENTS = new StructType()
      .add(Columns.CUSTOMER_ID, DataTypes.StringType)
      .add(Columns.RFM_SEGMENT, DataTypes.StringType)
      .add(Columns.NET_REVENUE, Columns.MONEY);

  static Dataset<Row> current() {
    return TestSpark.rows(SEGMENTS,
        row("c1", "Champions", money("120")), row("c2", "Champions", money("50")),
        row("c4", "New Customers", money("5")), row("c5", "New Customers", money("7")));
  }

  /** Each (from, to) pair with its customers and revenue, as "from>to:customers:revenue", sorted. */
  static List<String> moves(Dataset<Row> transitions) {
    return transitions.collectAsList().stream()
        .map(r -> r.getAs(Columns.FROM_SEGMENT) + ">" + r.getAs(Columns.TO_SEGMENT) + ":"
            + r.getAs(Columns.CUSTOMERS) + ":" + ((java.math.BigDecimal) r.getAs(Columns.REVENUE)).stripTrailingZeros()
            .toPlainString())
        .sorted().collect(Collectors.toList());
  }

  /**
   * Before: c1 Champions, c2 Lost, c3 At Risk (revenue 30). Now: c1 Champions 120, c2 Champions 50, c4 and c5 New
   * Customers 5 and 7. So c1 stays (120), c2 moves up (50), c3 is gone (its previous revenue, 30), c4 and c5 are new
   * (12 together).
   */
  @Test
  void countsEachMoveWithNewAndGone() {
    Dataset<Row> previous = TestSpark.rows(SEGMENTS,
        row("c1", "Champions", money("100")), row("c2", "Lost", money("10")), row("c3", "At Risk", money("30")));
    Dataset<Row> transitions = new SegmentTransitions(RUN_DATE, PREVIOUS).apply(current(), previous);

    assertEquals(List.of("At Risk>gone:1:30", "Champions>Champions:1:120", "Lost>Champions:1:50",
        "new>New Customers:2:12"), moves(transitions));
    assertEquals(TableCatalog.SEGMENT_TRANSITIONS.columnNames(), List.of(transitions.columns()));
    for (Row r : transitions.collectAsList()) {
      assertEquals(java.sql.Date.valueOf(RUN_DATE), r.getAs(Columns.RUN_DATE));
      assertEquals(java.sql.Date.valueOf(PREVIOUS), r.getAs(Columns.PREVIOUS_RUN_DATE));
    }
  }

  @Test
  void theFirstRunComesEntirelyFromNew() {
    Dataset<Row> transitions = new SegmentTransitions(RUN_DATE, null).apply(current(), null);
    assertEquals(List.of("new>Champions:2:170", "new>New Customers:2:12"), moves(transitions));
    assertEquals(0, transitions.where(transitions.col(Columns.PREVIOUS_RUN_DATE).isNotNull()).count());
  }
}
