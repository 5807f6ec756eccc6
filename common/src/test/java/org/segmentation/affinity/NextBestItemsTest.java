package org.segmentation.affinity;

import static org.apache.spark.sql.functions.array_contains;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.max;
import static org.apache.spark.sql.functions.min;
import static org.apache.spark.sql.functions.to_date;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.segmentation.TestSpark.row;

import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.segmentation.TestSpark;
import org.segmentation.io.CheckpointFolder;
import org.segmentation.io.StagingArea;
import org.segmentation.propensity.HeldOutEvaluation.Interval;
import org.segmentation.schema.Columns;

/**
 * Planted preferences: 600 customers in three segments; 30 products in three groups of ten, each segment buying from
 * its own group four times in five (otherwise any product). Before the cut-off each customer buys four products;
 * after it, two more, and some customers buy "launch", a product that did not exist before the cut-off.
 */
class NextBestItemsTest {
  static final LocalDate RUN_DATE = LocalDate.of(2026, 11, 30);
  static final LocalDate CUTOFF = RUN_DATE.minusDays(30);
  static final StructType LINES = new StructType()
      .add(Columns.CUSTOMER_ID, DataTypes.StringType)
      .add(Columns.ORDER_TS, DataTypes.TimestampType)
      .add("product_id", DataTypes.StringType);
  static final StructType CUSTOMERS = new StructType()
      .add(Columns.CUSTOMER_ID, DataTypes.StringType)
      .add(Columns.RFM_SEGMENT, DataTypes.StringType);

  static final NextBestItems NEXT = new NextBestItems("product_id", 10);
  static Dataset<Row> lines;
  static Dataset<Row> customers;
  static NextBestItems.Split split;
  static NextBestItems.History fit;
  static NextBestItems.History window;
  /** Each recommender's lists, fitted once on the lines before the cut-off. */
  static final Map<String, Dataset<Row>> RECOMMENDED = new java.util.LinkedHashMap<>();

  @BeforeAll
  static void plant() {
    Random random = new Random(41);
    List<Row> lineRows = new ArrayList<>();
    List<Row> customerRows = new ArrayList<>();
    for (int c = 0; c < 600; c++) {
      String id = "c" + c;
      int segment = c % 3;
      customerRows.add(row(id, "S" + segment));
      java.util.Set<Integer> owned = new java.util.HashSet<>();
      for (int n = 0; n < 6; n++) {
        int product;
        do {
          product = random.nextDouble() < 0.8 ? segment * 10 + random.nextInt(10) : random.nextInt(30);
        } while (!owned.add(product));
        LocalDate day = n < 4 ? CUTOFF.minusDays(1 + random.nextInt(200)) : CUTOFF.plusDays(1 + random.nextInt(30));
        lineRows.add(row(id, java.sql.Timestamp.valueOf(day.atTime(12, 0)), "p" + product));
      }
      if (c % 10 == 0) {
        lineRows.add(row(id, java.sql.Timestamp.valueOf(RUN_DATE.atTime(9, 0)), "launch"));
      }
    }
    lines = TestSpark.rows(LINES, lineRows.toArray(Row[]::new)).cache();
    customers = TestSpark.rows(CUSTOMERS, customerRows.toArray(Row[]::new)).cache();
    split = NextBestItems.split(lines, CUTOFF, RUN_DATE);
    fit = NEXT.history(split.fit()).persist();
    window = NEXT.history(split.window()).persist();
    RECOMMENDED.put("popular", NEXT.popular(fit, customers).cache());
    RECOMMENDED.put("segment", NEXT.popularInSegment(fit, customers, Columns.RFM_SEGMENT).cache());
    RECOMMENDED.put("als", NEXT.als(fit, 8, 8, 0.05, 10, 3).cache());
  }

  @Test
  void theSplitKeepsEveryLineAfterTheCutoffOutOfTheFit() {
    Row fit = split.fit().agg(max(to_date(col(Columns.ORDER_TS)))).first();
    Row window = split.window().agg(min(to_date(col(Columns.ORDER_TS))), max(to_date(col(Columns.ORDER_TS)))).first();
    assertTrue(!fit.getDate(0).toLocalDate().isAfter(CUTOFF), fit.toString());
    assertTrue(window.getDate(0).toLocalDate().isAfter(CUTOFF), window.toString());
    assertEquals(RUN_DATE, window.getDate(1).toLocalDate());
    assertEquals(lines.count(), split.fit().count() + split.window().count(), "every line on one side");

    // a product first sold after the cut-off is recommended by no recommender: none of them saw it
    RECOMMENDED.forEach((name, recommended) -> assertEquals(0,
        recommended.where(array_contains(col(NextBestItems.ITEMS), "launch")).count(), name));
  }

  /** A history with no line before the cut-off: ALS has nothing to learn and says so with no lists, not an error. */
  @Test
  void alsOnAnEmptyHistoryRecommendsNothing() {
    NextBestItems.History empty = NEXT.history(lines.where(lit(false)));
    Dataset<Row> recommended = NEXT.als(empty, 8, 8, 0.05, 10, 3);
    assertEquals(0, recommended.count());
    assertEquals(List.of(Columns.CUSTOMER_ID, NextBestItems.ITEMS), List.of(recommended.columns()));
  }

  /**
   * With the run's checkpoint folder, ALS checkpoints its factors (at its 10th iteration, MLlib's default interval),
   * which it cannot do without one; closing the folder deletes what the fit left, and the next run's start deletes
   * what a killed run left.
   */
  @Test
  void alsCheckpointsInTheRunsFolderAndNothingOutlivesTheRun(@TempDir java.nio.file.Path lake) throws Exception {
    java.nio.file.Path runFolder = lake.resolve(CheckpointFolder.FOLDER).resolve("run-1");
    try (CheckpointFolder checkpoints = CheckpointFolder.forRun(TestSpark.get(), lake.toString(), "run-1")) {
      assertEquals(600, NEXT.als(fit, 8, 10, 0.05, 10, 3).count());
      try (java.util.stream.Stream<java.nio.file.Path> files = java.nio.file.Files.walk(runFolder)) {
        assertTrue(files.anyMatch(f -> f.getFileName().toString().startsWith("rdd-")),
            "a checkpointed RDD under " + runFolder);
      }
    }
    assertFalse(java.nio.file.Files.exists(runFolder), "closed: the run's checkpoints are gone");

    java.nio.file.Path killed = lake.resolve(CheckpointFolder.FOLDER).resolve("killed-run").resolve("rdd-7");
    java.nio.file.Files.createDirectories(killed);
    java.nio.file.Files.writeString(killed.resolve("part-00000"), "factors");
    StagingArea.Settled settled = CheckpointFolder.stagingArea(TestSpark.get(), lake.toString()).settle(run -> true);
    assertEquals(List.of(CheckpointFolder.FOLDER + "/killed-run"), settled.discarded());
    assertEquals(List.of(), settled.published());
    assertFalse(java.nio.file.Files.exists(killed.getParent()));
  }

  /**
   * Against the customers' new purchases after the cut-off: ALS and the segment's popularity both find the planted
   * preference, so their hit rate@10 beats global popularity's by at least 0.15 (the planted gap is about 0.3), each
   * interval above the other's; no list holds an item its customer bought before the cut-off or more than ten items.
   */
  @Test
  void theRecommendersBeatGlobalPopularityOnPlantedPreferences() {
    RankingQuality quality = new RankingQuality(10);
    Map<String, Interval> hitRate = new java.util.HashMap<>();
    RECOMMENDED.forEach((name, recommended) -> {
      Dataset<Row> evaluated = NEXT.newPurchases(fit, window, recommended);
      assertEquals(0, evaluated.join(NEXT.itemsOf(split.fit()).withColumnRenamed(NextBestItems.ITEMS, "before"),
              Columns.CUSTOMER_ID)
          .where(org.apache.spark.sql.functions.size(org.apache.spark.sql.functions.array_intersect(
              col(RankingQuality.RECOMMENDED), col("before"))).gt(0)).count(), name + ": nothing already bought");
      assertEquals(0, evaluated.where(org.apache.spark.sql.functions.size(col(RankingQuality.RECOMMENDED)).gt(10))
          .count());
      Map<String, Interval> measures = quality.measure(quality.perCustomer(evaluated), 200, 7, 0.95);
      System.out.printf("NextBestItemsTest: %s %s%n", name, measures);
      hitRate.put(name, measures.get(RankingQuality.HIT_RATE));
    });
    for (String model : List.of("als", "segment")) {
      assertTrue(hitRate.get(model).estimate() >= hitRate.get("popular").estimate() + 0.15, model + " " + hitRate);
      assertTrue(hitRate.get(model).low() > hitRate.get("popular").high(), model + " " + hitRate);
    }
  }
}
