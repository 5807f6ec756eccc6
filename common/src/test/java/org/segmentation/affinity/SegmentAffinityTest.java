package org.segmentation.affinity;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.segmentation.TestSpark.money;
import static org.segmentation.TestSpark.row;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.Test;
import org.segmentation.TestSpark;
import org.segmentation.schema.Columns;

class SegmentAffinityTest {
  static final StructType CUSTOMERS = new StructType()
      .add(Columns.CUSTOMER_ID, DataTypes.StringType)
      .add(Columns.RFM_SEGMENT, DataTypes.StringType)
      .add(Columns.CLUSTER_NAME, DataTypes.StringType);
  static final StructType LINES = new StructType()
      .add(Columns.CUSTOMER_ID, DataTypes.StringType)
      .add(Columns.PRODUCT_CATEGORY, DataTypes.StringType)
      .add(Columns.AMOUNT, Columns.MONEY);

  /**
   * Segment A: c1, c2, c3; segment B: c4, c5; c6 has no segment (left out) and c7 bought nothing. Lines: c1 books 10,
   * toys 5; c2 books 20; c3 toys 7; c4 toys 3, garden 8; c5 garden 12, books 4 (and a line without a category, left
   * out); c6 books 100.
   * <ul>
   *   <li>Buyers per cell: A books 2, toys 2, garden 0; B books 1, toys 1, garden 2. Segment buyers A 3, B 2, all 5;
   *       category buyers books 3, toys 3, garden 2.
   *   <li>A books: share 2/3 against 3/5, index 10/9. B garden: 2/2 against 2/5, index 5/2. A garden: 0.
   *   <li>Contingency table (buyers): row totals A 4, B 4; column totals books 3, toys 3, garden 2; total 8.
   *       Expected A books 4 x 3 / 8 = 1.5, residual (2 - 1.5) / sqrt(1.5); B garden 4 x 2 / 8 = 1, residual 1;
   *       A garden 1, residual -1.
   *   <li>Revenue: A books 30, toys 12 (segment 42); B books 4, toys 3, garden 20 (27); all 69; books 34, toys 15,
   *       garden 20. A books revenue share 30/42 against 34/69.
   * </ul>
   */
  @Test
  void indexesSharesAndResidualsEqualAHandComputation() {
    Dataset<Row> customers = TestSpark.rows(CUSTOMERS, row("c1", "A", "x"), row("c2", "A", "x"), row("c3", "A", "y"),
        row("c4", "B", "y"), row("c5", "B", "y"), row("c6", null, "y"), row("c7", "A", "x"));
    Dataset<Row> lines = TestSpark.rows(LINES, row("c1", "books", money("10")), row("c1", "toys", money("5")),
        row("c2", "books", money("20")), row("c3", "toys", money("7")), row("c4", "toys", money("3")),
        row("c4", "garden", money("8")), row("c5", "garden", money("12")), row("c5", "books", money("4")),
        row("c5", null, money("50")), row("c6", "books", money("100")));

    Map<String, Row> cells = new HashMap<>();
    new SegmentAffinity(Columns.PRODUCT_CATEGORY, List.of(Columns.RFM_SEGMENT), 2).apply(customers, lines).collectAsList()
        .forEach(r -> cells.put(r.getAs(SegmentAffinity.SEGMENT) + "/" + r.getAs(SegmentAffinity.ITEM), r));
    assertEquals(6, cells.size(), "two segments x three categories, the empty cell included: " + cells.keySet());

    Row aBooks = cells.get("A/books");
    assertEquals(Columns.RFM_SEGMENT, aBooks.getAs(SegmentAffinity.DIMENSION));
    assertEquals(3L, (long) aBooks.getAs(SegmentAffinity.SEGMENT_BUYERS));
    assertEquals(2L, (long) aBooks.getAs(SegmentAffinity.BUYERS));
    assertEquals(2.0 / 3, aBooks.<Double>getAs(SegmentAffinity.BUYER_SHARE), 1e-12);
    assertEquals(3.0 / 5, aBooks.<Double>getAs(SegmentAffinity.BASE_BUYER_SHARE), 1e-12);
    assertEquals(10.0 / 9, aBooks.<Double>getAs(SegmentAffinity.BUYER_INDEX), 1e-12);
    assertEquals(1.5, aBooks.<Double>getAs(SegmentAffinity.EXPECTED_BUYERS), 1e-12);
    assertEquals(0.5 / Math.sqrt(1.5), aBooks.<Double>getAs(SegmentAffinity.PEARSON_RESIDUAL), 1e-12);
    assertEquals(0, new java.math.BigDecimal("30").compareTo(aBooks.getAs(Columns.REVENUE)));
    assertEquals(30.0 / 42, aBooks.<Double>getAs(SegmentAffinity.REVENUE_SHARE), 1e-12);
    assertEquals(34.0 / 69, aBooks.<Double>getAs(SegmentAffinity.BASE_REVENUE_SHARE), 1e-12);
    assertEquals((30.0 / 42) / (34.0 / 69), aBooks.<Double>getAs(SegmentAffinity.REVENUE_INDEX), 1e-12);

    Row bGarden = cells.get("B/garden");
    assertEquals(2.5, bGarden.<Double>getAs(SegmentAffinity.BUYER_INDEX), 1e-12);
    assertEquals(1.0, bGarden.<Double>getAs(SegmentAffinity.PEARSON_RESIDUAL), 1e-12);
    assertEquals(1, (int) bGarden.getAs(SegmentAffinity.INDEX_RANK), "B's highest supported index");

    Row aGarden = cells.get("A/garden");
    assertEquals(0L, (long) aGarden.getAs(SegmentAffinity.BUYERS));
    assertEquals(0.0, aGarden.<Double>getAs(SegmentAffinity.BUYER_INDEX), 1e-12);
    assertEquals(-1.0, aGarden.<Double>getAs(SegmentAffinity.PEARSON_RESIDUAL), 1e-12);
    assertFalse(aGarden.<Boolean>getAs(SegmentAffinity.SUPPORTED), "0 buyers: below the minimum of 2");
    assertNull(aGarden.getAs(SegmentAffinity.INDEX_RANK));

    // A: books (index 10/9) and toys (2/3 against 3/5, the same) are both supported and tie, broken by name; B:
    // garden, then the unsupported books and toys (1 buyer each) are not ranked
    assertEquals(1, (int) cells.get("A/books").getAs(SegmentAffinity.INDEX_RANK));
    assertEquals(2, (int) cells.get("A/toys").getAs(SegmentAffinity.INDEX_RANK));
    assertNull(cells.get("B/books").getAs(SegmentAffinity.INDEX_RANK));
    cells.values().forEach(r -> assertFalse(r.<Boolean>getAs(SegmentAffinity.OVER_INDEXED)
        || r.<Boolean>getAs(SegmentAffinity.UNDER_INDEXED), "no residual beyond 2 in so small a table: " + r));
  }

  /**
   * Planted: 600 customers in three segments of 200; everyone buys "basics" with probability 0.5, and each segment's
   * own category with probability 0.6 against 0.1 elsewhere. Each segment's top supported index is its own category,
   * flagged over-indexed (residual far above 2), and the others' categories are flagged under-indexed; "basics" is
   * flagged nowhere. A second dimension (even and odd ids: nothing planted) is measured in the same pass, and none of
   * its residuals reaches 3.
   */
  @Test
  void thePlantedCategoryOfEachSegmentComesFirstAndIsFlagged() {
    java.util.Random random = new java.util.Random(5);
    List<Row> customerRows = new java.util.ArrayList<>();
    List<Row> lineRows = new java.util.ArrayList<>();
    String[] segments = {"S0", "S1", "S2"};
    for (int i = 0; i < 600; i++) {
      String id = "c" + i;
      int s = i % 3;
      customerRows.add(row(id, segments[s], i % 2 == 0 ? "even" : "odd"));
      if (random.nextDouble() < 0.5) {
        lineRows.add(row(id, "basics", money("10")));
      }
      for (int c = 0; c < 3; c++) {
        if (random.nextDouble() < (c == s ? 0.6 : 0.1)) {
          lineRows.add(row(id, "cat" + c, money("20")));
        }
      }
    }
    List<Row> affinity = new SegmentAffinity(Columns.PRODUCT_CATEGORY, List.of(Columns.RFM_SEGMENT, Columns.CLUSTER_NAME), 20)
        .apply(TestSpark.rows(CUSTOMERS, customerRows.toArray(Row[]::new)),
            TestSpark.rows(LINES, lineRows.toArray(Row[]::new)))
        .collectAsList();
    for (Row r : affinity) {
      String segment = r.getAs(SegmentAffinity.SEGMENT);
      String category = r.getAs(SegmentAffinity.ITEM);
      if (r.getAs(SegmentAffinity.DIMENSION).equals(Columns.CLUSTER_NAME)) {
        assertTrue(Math.abs(r.<Double>getAs(SegmentAffinity.PEARSON_RESIDUAL)) < 3, "even/odd plant nothing: " + r);
        continue;
      }
      boolean own = category.equals("cat" + segment.substring(1));
      if (own) {
        assertEquals(1, (int) r.getAs(SegmentAffinity.INDEX_RANK), r.toString());
        assertTrue(r.<Boolean>getAs(SegmentAffinity.OVER_INDEXED), r.toString());
        assertTrue(r.<Double>getAs(SegmentAffinity.BUYER_INDEX) > 2, r.toString());
      } else if (category.equals("basics")) {
        assertFalse(r.<Boolean>getAs(SegmentAffinity.OVER_INDEXED) || r.<Boolean>getAs(
            SegmentAffinity.UNDER_INDEXED), r.toString());
      } else {
        assertTrue(r.<Boolean>getAs(SegmentAffinity.UNDER_INDEXED), r.toString());
      }
    }
    assertEquals(2 * 4 + 3 * 4, affinity.size(), "2 x 4 cells of even/odd, 3 x 4 of the segments");
  }
}
