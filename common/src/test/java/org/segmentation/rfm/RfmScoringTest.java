package org.segmentation.rfm;

import static org.apache.spark.sql.functions.col;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.segmentation.TestSpark.row;

import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.Test;
import org.segmentation.TestSpark;
import org.segmentation.config.RfmSettings;
import org.segmentation.schema.Columns;

class RfmScoringTest {
  static final StructType CUSTOMERS = new StructType()
      .add("customer_id", DataTypes.StringType)
      .add("recency_days", DataTypes.IntegerType)
      .add("frequency", DataTypes.LongType)
      .add("monetary", Columns.MONEY);

  /**
   * Ten customers, five bins. A value scores 1 + floor(5 * L / 10), L = customers with a strictly worse value.
   * frequency [1,1,1,1,1,1,2,2,3,5]: 1 -> L=0 -> 1; 2 -> L=6 -> 4; 3 -> L=8 -> 5; 5 -> L=9 -> 5 (no 2 or 3: ties
   *   are never split). monetary 10..100, all distinct: plain quintiles 1,1,2,2,3,3,4,4,5,5.
   * recency 9..0 days (fewer is better): 9 -> L=0 -> 1; 8 -> 1; 7 -> L=2 -> 2; 6 -> 2; 5 -> 3; 4 -> 3; 3 -> 4;
   *   2 -> 4; 1 -> 5; 0 -> 5.
   * c11 has frequency 0: no scores.
   */
  @Test
  void quantileScoresKeepTiesTogether() {
    long[] frequency = {1, 1, 1, 1, 1, 1, 2, 2, 3, 5};
    List<Row> rows = new ArrayList<>();
    for (int i = 0; i < 10; i++) {
      rows.add(row("c" + i, 9 - i, frequency[i], new BigDecimal(10 * (i + 1)).setScale(4)));
    }
    rows.add(row("c11", null, 0L, new BigDecimal("-5.0000")));
    Dataset<Row> customers = TestSpark.get().createDataFrame(rows, CUSTOMERS);
    RfmScoring scoring = RfmScoring.fit(customers, settings(5));
    Map<String, String> scores = new HashMap<>();
    for (Row r : scoring.apply(customers).collectAsList()) {
      scores.put(r.getAs("customer_id"), r.getAs("r_score") + "" + r.getAs("f_score") + r.getAs("m_score"));
    }
    assertEquals("111", scores.get("c0"));
    assertEquals("111", scores.get("c1"));
    assertEquals("212", scores.get("c2"));
    assertEquals("212", scores.get("c3"));
    assertEquals("313", scores.get("c4"));
    assertEquals("313", scores.get("c5"));
    assertEquals("444", scores.get("c6"));
    assertEquals("444", scores.get("c7"));
    assertEquals("555", scores.get("c8"));
    assertEquals("555", scores.get("c9"));
    assertEquals("nullnullnull", scores.get("c11"));
  }

  /** Many ties and many value ranges: the distributed order statistics must match a plain sort. */
  @Test
  void exactOrderStatisticsMatchASortAcrossManyRanges() {
    Random random = new Random(7);
    List<Row> rows = new ArrayList<>();
    List<Long> values = new ArrayList<>();
    for (int i = 0; i < 3000; i++) {
      long value = (long) Math.floor(Math.pow(random.nextDouble(), 3) * 400); // heavy ties near 0
      values.add(value);
      rows.add(row("c" + i, 0, value, BigDecimal.ONE.setScale(4)));
    }
    values.sort(Long::compare);
    List<Long> ranks = List.of(1L, 2L, 600L, 1200L, 1201L, 2999L, 3000L);
    List<BigDecimal> actual = ExactQuantiles.at(TestSpark.get().createDataFrame(rows, CUSTOMERS),
        List.of("frequency"), 3000, ranks, 50).get("frequency");
    for (int i = 0; i < ranks.size(); i++) {
      assertEquals(values.get((int) (ranks.get(i) - 1)).longValue(), actual.get(i).longValueExact(),
          "rank " + ranks.get(i));
    }
  }

  /** The scores of random tied data equal 1 + floor(B * L / N) computed by brute force, for several B. */
  @Test
  void quantileScoresMatchBruteForce() {
    Random random = new Random(11);
    List<Row> rows = new ArrayList<>();
    int n = 1234;
    long[] frequency = new long[n];
    for (int i = 0; i < n; i++) {
      frequency[i] = 1 + (long) Math.floor(-Math.log(1 - random.nextDouble()) * 1.5);
      rows.add(row("c" + i, random.nextInt(300), frequency[i],
          new BigDecimal(random.nextInt(20000)).movePointLeft(2).setScale(4)));
    }
    Dataset<Row> customers = TestSpark.get().createDataFrame(rows, CUSTOMERS);
    for (int bins : new int[] {3, 5, 10}) {
      RfmScoring scoring = RfmScoring.fit(customers, settings(bins));
      for (Row r : scoring.apply(customers).orderBy(col("customer_id")).collectAsList()) {
        int i = Integer.parseInt(r.<String>getAs("customer_id").substring(1));
        long less = 0;
        for (long f : frequency) {
          if (f < frequency[i]) {
            less++;
          }
        }
        assertEquals(1 + (int) Math.floor((double) bins * less / n), (int) r.<Integer>getAs("f_score"),
            "bins " + bins + " customer " + i + " frequency " + frequency[i]);
      }
    }
  }

  @Test
  void thresholdScoresUseConfiguredCuts() {
    RfmSettings settings = new RfmSettings(0, 3, RfmSettings.Scoring.THRESHOLDS,
        new RfmSettings.Thresholds(List.of(30.0, 90.0), List.of(2.0, 5.0), List.of(100.0, 500.0)),
        RfmSettings.Monetary.TOTAL, "No Purchases", List.of());
    Dataset<Row> customers = TestSpark.rows(CUSTOMERS,
        // recency 30 is not below 30 -> 2; frequency 2 reaches 2 -> 2; monetary 99.99 -> 1
        row("a", 30, 2L, new BigDecimal("99.9900")),
        // recency 29 < 30 -> 3 (below both cuts); frequency 5 -> 3; monetary 500 -> 3
        row("b", 29, 5L, new BigDecimal("500.0000")),
        // recency 90 -> 1; frequency 1 -> 1; monetary 100 -> 2
        row("c", 90, 1L, new BigDecimal("100.0000")));
    Map<String, String> scores = new HashMap<>();
    for (Row r : RfmScoring.fit(customers, settings).apply(customers).collectAsList()) {
      scores.put(r.getAs("customer_id"), r.getAs("rfm_score"));
    }
    assertEquals(Map.of("a", "221", "b", "333", "c", "112"), scores);
  }

  static RfmSettings settings(int bins) {
    return new RfmSettings(0, bins, RfmSettings.Scoring.QUANTILE,
        new RfmSettings.Thresholds(List.of(), List.of(), List.of()), RfmSettings.Monetary.TOTAL, "No Purchases",
        List.of());
  }
}
