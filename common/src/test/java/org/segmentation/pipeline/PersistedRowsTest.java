package org.segmentation.pipeline;

import static org.apache.spark.sql.functions.call_udf;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.sum;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.math.BigDecimal;
import java.sql.Timestamp;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.api.java.UDF1;
import org.apache.spark.sql.execution.LogicalRDD;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.apache.spark.util.LongAccumulator;
import org.junit.jupiter.api.Test;
import org.segmentation.TestSpark;

/**
 * Persisted rows: the same rows and schema as the Dataset they come from, behind a plan that is one scan of them;
 * computed once however often they are read; and after a release (what a lost block amounts to) recomputed from their
 * lineage, with the same rows.
 */
class PersistedRowsTest {
  static final StructType SCHEMA = new StructType().add("id", "string").add("amount", "decimal(12,2)")
      .add("ts", "timestamp").add("tags", "array<string>").add("attributes", "map<string,double>");

  /** Rows of every kind the job persists, NULLs included. */
  static List<Row> rows() {
    List<Row> rows = new ArrayList<>();
    for (int i = 0; i < 50; i++) {
      rows.add(RowFactory.create("c" + i, i % 7 == 0 ? null : new BigDecimal(i + ".25"),
          Timestamp.valueOf("2026-11-0" + (1 + i % 9) + " 10:15:00"), List.of("t" + i % 3, "x"),
          Map.of("score", i / 4.0)));
    }
    return rows;
  }

  static List<String> sorted(Dataset<Row> rows) {
    return rows.collectAsList().stream().map(Row::toString).sorted().toList();
  }

  @Test
  void theSameRowsBehindAPlanOfOneScanComputedOnceUntilReleased() {
    SparkSession spark = TestSpark.get();
    LongAccumulator computed = spark.sparkContext().longAccumulator("rows computed");
    spark.udf().register("persisted_rows_test_count", (UDF1<String, String>) id -> {
      computed.add(1);
      return id;
    }, DataTypes.StringType);
    // a plan with a shuffle, a join and a UDF that counts the rows it computes
    Dataset<Row> input = spark.createDataFrame(rows(), SCHEMA).repartition(3);
    Dataset<Row> origin = input.join(input.groupBy("id").count(), "id")
        .withColumn("id", call_udf("persisted_rows_test_count", col("id")));

    List<String> expected = sorted(origin);
    Row expectedTotal = origin.agg(sum("amount")).first();
    long before = computed.value();
    Dataset<Row> persisted = PersistedRows.of(origin); // computed here (adaptive execution fills the cache) or later
    try {
      assertInstanceOf(LogicalRDD.class, persisted.queryExecution().logical(), "one scan of the kept rows");
      assertEquals(origin.schema(), persisted.schema());
      assertEquals(expected, sorted(persisted));
      assertEquals(expected, sorted(persisted.where(col("amount").isNotNull()).unionByName(
          persisted.where(col("amount").isNull()))));
      assertEquals(expectedTotal, persisted.agg(sum("amount")).first());
      assertEquals(50, computed.value() - before, "persisted and read four times, its 50 rows computed once");
      // a query on top plans from the scan: its analysed plan has one leaf and none of the origin's operators
      assertEquals(1, persisted.where(col("amount").gt(3)).queryExecution().analyzed().collectLeaves().size());
    } finally {
      PersistedRows.release(persisted);
    }
    long beforeRelease = computed.value();
    assertEquals(sorted(origin), sorted(persisted), "released rows are recomputed from their lineage");
    assertTrue(computed.value() >= beforeRelease + 2 * 50, "computed again after the release: " + computed.value());
  }

  @Test
  void releaseIgnoresADatasetItDidNotPersist() {
    Dataset<Row> plain = TestSpark.get().createDataFrame(rows(), SCHEMA);
    PersistedRows.release(plain);
    assertEquals(50, plain.count());
  }
}
