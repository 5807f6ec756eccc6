package org.segmentation.output;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.segmentation.TestSpark.date;
import static org.segmentation.TestSpark.money;
import static org.segmentation.TestSpark.row;

import java.time.LocalDate;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.Test;
import org.segmentation.TestSpark;
import org.segmentation.io.TableCatalog;
import org.segmentation.io.TableSpec;
import org.segmentation.schema.Columns;
import scala.jdk.javaapi.CollectionConverters;

class CustomerSegmentsAssemblyTest {
  static final LocalDate RUN_DATE = LocalDate.of(2026, 6, 30);

  /** A scored, clustered customer as the assembly receives it: every output column but two, plus a feature. */
  static Map<String, Object> customer(String id, String segment, Integer cluster) {
    Map<String, Object> values = new LinkedHashMap<>();
    values.put(Columns.CUSTOMER_ID, id);
    values.put(Columns.HAS_PROFILE, true);
    values.put(Columns.FIRST_PURCHASE_DATE, date("2026-01-05"));
    values.put(Columns.LAST_PURCHASE_DATE, date("2026-06-28"));
    values.put(Columns.RECENCY_DAYS, 2);
    values.put(Columns.FREQUENCY, 4L);
    values.put(Columns.MONETARY, money("250"));
    values.put(Columns.NET_REVENUE, money("250"));
    values.put(Columns.PURCHASE_DAYS, 4L);
    values.put(Columns.REPEAT_PURCHASE_VALUE, 55.0);
    values.put(Columns.R_SCORE, 5);
    values.put(Columns.F_SCORE, 4);
    values.put(Columns.M_SCORE, 4);
    values.put(Columns.RFM_SCORE, "544");
    values.put(Columns.RFM_SEGMENT, segment);
    values.put(Columns.CLUSTER_ID, cluster);
    values.put(Columns.CLUSTER_NAME, cluster == null ? null : "Recent · Frequent");
    values.put(Columns.CLUSTER_DISTANCE, cluster == null ? null : 0.5);
    values.put(Columns.CLUSTER_PROBABILITY, null);
    values.put(Columns.P_ALIVE, 0.8);
    values.put(Columns.EXPECTED_PURCHASES, CollectionConverters.asScala(Map.of(90, 1.5)));
    values.put(Columns.EXPECTED_ORDER_VALUE, 60.0);
    values.put(Columns.PREDICTED_CLV, 300.0);
    values.put(Columns.CLV_DECILE, 9);
    values.put(Columns.CLV_TIER, "High");
    values.put(Columns.RULE_SEGMENTS, CollectionConverters.asScala(List.of("big_spender")).toSeq());
    values.put(Columns.PROSPECT_CLUSTER_ID, null); // a buyer
    values.put(Columns.PROSPECT_CLUSTER_NAME, null);
    values.put(Columns.AGE, 41); // a feature: not an output column
    return values;
  }

  static Dataset<Row> segmented(List<Map<String, Object>> customers) {
    StructType schema = new StructType();
    for (TableSpec.Column column : TableCatalog.CUSTOMER_SEGMENTS.columns()) {
      if (!column.name().equals(Columns.RUN_DATE) && !column.name().equals(Columns.PREVIOUS_RFM_SEGMENT)) {
        schema = schema.add(column.name(), column.type());
      }
    }
    schema = schema.add(Columns.AGE, DataTypes.IntegerType);
    List<Row> rows = new ArrayList<>();
    for (Map<String, Object> c : customers) {
      rows.add(RowFactory.create(c.values().toArray()));
    }
    return TestSpark.get().createDataFrame(rows, schema);
  }

  /** c1 was Lost in the previous run and c2 did not exist: c1's previous segment is Lost, c2's NULL. */
  @Test
  void addsThePreviousSegmentAndTheRunDateInTheCatalogsColumnOrder() {
    Dataset<Row> previous = TestSpark.rows(new StructType()
            .add(Columns.CUSTOMER_ID, DataTypes.StringType).add(Columns.RFM_SEGMENT, DataTypes.StringType)
            .add(Columns.NET_REVENUE, Columns.MONEY),
        row("c1", "Lost", money("10")), row("c9", "Champions", money("99")));
    Dataset<Row> assembled = new CustomerSegmentsAssembly(RUN_DATE)
        .finish(segmented(List.of(customer("c1", "Champions", 2), customer("c2", "New Customers", null))), previous);

    assertEquals(TableCatalog.CUSTOMER_SEGMENTS.columnNames(), List.of(assembled.columns()));
    assertEquals(List.of(), TableCatalog.CUSTOMER_SEGMENTS.differencesFrom(assembled.schema()));
    List<Row> rows = assembled.orderBy(Columns.CUSTOMER_ID).collectAsList();
    assertEquals(2, rows.size(), "previous-only customers (c9) are not carried over");
    Row c1 = rows.get(0);
    assertEquals("Lost", c1.getAs(Columns.PREVIOUS_RFM_SEGMENT));
    assertEquals("Champions", c1.getAs(Columns.RFM_SEGMENT));
    assertEquals(2, (int) c1.getAs(Columns.CLUSTER_ID));
    assertEquals(date(RUN_DATE.toString()), c1.getAs(Columns.RUN_DATE));
    assertEquals(List.of("big_spender"), c1.getList(c1.fieldIndex(Columns.RULE_SEGMENTS)));
    Row c2 = rows.get(1);
    assertNull(c2.getAs(Columns.PREVIOUS_RFM_SEGMENT));
    assertNull(c2.getAs(Columns.CLUSTER_ID));
  }

  @Test
  void theFirstRunHasNoPreviousSegment() {
    Dataset<Row> assembled = new CustomerSegmentsAssembly(RUN_DATE)
        .finish(segmented(List.of(customer("c1", "Champions", 0))), null);
    assertEquals(TableCatalog.CUSTOMER_SEGMENTS.columnNames(), List.of(assembled.columns()));
    assertNull(assembled.first().getAs(Columns.PREVIOUS_RFM_SEGMENT));
  }
}
