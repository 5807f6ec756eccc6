package org.segmentation.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.segmentation.TestSpark.row;

import java.math.BigDecimal;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.Test;
import org.segmentation.TestSpark;

/** The benchmark's per-customer check: blind to row order and engine types, not to a swapped or shifted value. */
class BenchCheckTest {
  static final StructType JOB = new StructType().add("customer_id", DataTypes.StringType)
      .add("recency_days", DataTypes.IntegerType).add("frequency", DataTypes.LongType)
      .add("monetary", DataTypes.createDecimalType(20, 4)).add("r_score", DataTypes.IntegerType)
      .add("f_score", DataTypes.IntegerType).add("m_score", DataTypes.IntegerType);
  /** DuckDB's types for the same columns: bigint days, decimal(38,4) sums, double scores. */
  static final StructType DUCK = new StructType().add("customer_id", DataTypes.StringType)
      .add("recency_days", DataTypes.LongType).add("frequency", DataTypes.LongType)
      .add("monetary", DataTypes.createDecimalType(38, 4)).add("r_score", DataTypes.DoubleType)
      .add("f_score", DataTypes.DoubleType).add("m_score", DataTypes.DoubleType);

  @Test
  void sameCustomersInAnotherOrderAndTypesGiveTheSameHashes() {
    Row job = BenchCheck.summary(TestSpark.rows(JOB,
        row("a", 3, 2L, new BigDecimal("10.5000"), 5, 2, 4), row("b", null, 0L, new BigDecimal("-3.0000"), null, null,
            null)));
    Row duck = BenchCheck.summary(TestSpark.rows(DUCK,
        row("b", null, 0L, new BigDecimal("-3.0000"), null, null, null),
        row("a", 3L, 2L, new BigDecimal("10.5000"), 5.0, 2.0, 4.0)));
    assertEquals(job, duck);
  }

  @Test
  void swappedScoresOrOneValueOffChangeTheHashButNotTheTotals() {
    Row job = BenchCheck.summary(TestSpark.rows(JOB,
        row("a", 3, 2L, new BigDecimal("10.5000"), 5, 2, 4), row("b", 9, 1L, new BigDecimal("3.0000"), 1, 1, 1)));
    Row swapped = BenchCheck.summary(TestSpark.rows(JOB,
        row("a", 3, 2L, new BigDecimal("10.5000"), 2, 5, 4), row("b", 9, 1L, new BigDecimal("3.0000"), 1, 1, 1)));
    assertEquals(job.get(3), swapped.get(3), "the sum of scores cannot see a swap");
    assertEquals(job.get(4), swapped.get(4));
    assertNotEquals(job.get(5), swapped.get(5));
    Row moved = BenchCheck.summary(TestSpark.rows(JOB,
        row("a", 3, 1L, new BigDecimal("10.5000"), 5, 2, 4), row("b", 9, 2L, new BigDecimal("3.0000"), 1, 1, 1)));
    assertEquals(job.get(1), moved.get(1), "the sum of frequency cannot see an order moved between customers");
    assertNotEquals(job.get(4), moved.get(4));
  }
}
