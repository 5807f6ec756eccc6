package org.segmentation.jobs;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.to_date;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.LocalDate;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.segmentation.TestSpark;
import org.segmentation.sample.SampleDataGenerator;
import org.segmentation.sample.SampleDataGenerator.PlantedGroup;
import org.segmentation.schema.Columns;

/**
 * Product affinity through the whole night, on the sample's planted structure (SampleDataGenerator): each planted group
 * buys its favourite category more than the others, and each customer has one of four tastes that decides which
 * products of a category they buy. One night on 3,000 customers and 60,000 lines, with products as items, categories
 * from the products input only (the lines' own are mapped away), toys excluded.
 */
class ProductAffinityTest {
  static final LocalDate END = LocalDate.of(2026, 6, 30);
  static final String EXCLUDED = "toys";

  @TempDir
  static Path dir;
  static JobRunner night;

  @BeforeAll
  static void oneNight() throws Exception {
    Path exports = dir.resolve("exports");
    Path config = SampleLake.create(dir, 3_000, 60_000, 11, END, """
        inputs.profiles.attributes { planted_group { type = "string" } }
        inputs.purchases.columns { product_category = "CAST(NULL AS STRING)" }
        inputs.products { enabled = true, format = "parquet", path = "%s" }
        affinity {
          enabled = true
          item = "product_id"
          exclude = "product_category = '%s'"
          dimensions = ["rfm_segment", "profile_attributes.planted_group"]
          rules { min-baskets = 8, min-confidence = 0.05 }
          recommendations { bootstrap-resamples = 200 }
        }
        audiences {
          export-root = "%s"
          destinations { mail { format = "csv", allow-raw-email = true } }
          lists {
            offers {
              filter = "rfm_segment = 'Champions'"
              fields = ["array_join(next_best_products, '|') as next_best_products"]
              destinations = ["mail"]
            }
          }
        }
        """.formatted(dir.resolve("raw/products"), EXCLUDED, exports));
    // the catalogue: every product of the lines once, and one of them twice (quarantined: duplicate_product)
    Dataset<Row> catalogue = TestSpark.get().read().parquet(dir.resolve("raw/purchases").toString())
        .select(Columns.PRODUCT_ID, Columns.PRODUCT_NAME, Columns.PRODUCT_CATEGORY).distinct();
    catalogue.unionByName(catalogue.where(col(Columns.PRODUCT_ID).equalTo("books-00"))
            .withColumn(Columns.PRODUCT_NAME, lit("Books no. 1, again")))
        .write().parquet(dir.resolve("raw/products").toString());
    night = JobRunner.night(config, END, "segments.lake.root=\"" + dir.resolve("lake") + "\"");
    assertEquals(0, night.status(), night::toString);
  }

  static Dataset<Row> lake(String name) {
    return TestSpark.get().read().format("delta").load(dir.resolve("lake").resolve(name).toString())
        .where(col(Columns.RUN_DATE).equalTo(lit(java.sql.Date.valueOf(END))));
  }

  /**
   * Each planted group's most over-indexed category is the one it was planted with, flagged beyond chance; the
   * categories came from the products input alone, and the excluded one is nowhere.
   */
  @Test
  void eachPlantedGroupsTopCategoryIsItsFavourite() {
    List<Row> top = lake("segment_affinity")
        .where(col(Columns.DIMENSION).equalTo("profile_attributes.planted_group")
            .and(col(Columns.ITEM_COLUMN).equalTo(Columns.PRODUCT_CATEGORY))
            .and(col(Columns.INDEX_RANK).equalTo(1)))
        .collectAsList();
    Map<String, String> topOf = new HashMap<>();
    top.forEach(r -> topOf.put(r.getAs(Columns.SEGMENT), r.getAs(Columns.ITEM)));
    for (PlantedGroup group : PlantedGroup.values()) {
      String favourite = group.favouriteCategory.equals(EXCLUDED) ? null : group.favouriteCategory;
      assertEquals(favourite, topOf.get(group.label()), group + ": " + top);
    }
    for (Row r : top) {
      if (r.getAs(Columns.SEGMENT).equals(PlantedGroup.CHAMPIONS.label())) {
        // every champion buys every category (buyer share 1): the buyers' index saturates, the revenue shows it
        assertTrue(r.<Double>getAs(Columns.REVENUE_INDEX) > 1.3, r.toString());
      } else {
        assertTrue(r.<Boolean>getAs(Columns.OVER_INDEXED), r.toString());
      }
    }
    assertEquals(0, lake("segment_affinity").where(col(Columns.ITEM).equalTo(EXCLUDED)).count(), "excluded");
    assertTrue(lake("segment_affinity").where(col(Columns.DIMENSION).equalTo(Columns.RFM_SEGMENT)).count() > 0);
  }

  /**
   * The recommender learns the planted tastes: ALS's hit rate at 10 beats global popularity's by at least 0.15 and
   * the segment's popularity's, so ALS is exported; the popularity baselines are measured beside it.
   */
  @Test
  void alsBeatsBothBaselinesOnThePlantedTastesAndIsExported() {
    Map<String, Row> metrics = new HashMap<>();
    lake("recommendation_metrics").collectAsList().forEach(r -> metrics.put(r.getAs(Columns.RECOMMENDER), r));
    assertEquals(Set.of("als", "segment_popularity", "popularity"), metrics.keySet());
    Row als = metrics.get("als");
    double alsHits = als.getAs(Columns.HIT_RATE_AT_K);
    double popularHits = metrics.get("popularity").getAs(Columns.HIT_RATE_AT_K);
    double segmentMap = metrics.get("segment_popularity").getAs(Columns.MAP_AT_K);
    assertTrue(alsHits >= popularHits + 0.15, "ALS " + alsHits + " against popularity " + popularHits);
    assertTrue(als.<Double>getAs(Columns.MAP_AT_K) > segmentMap, als + " against " + metrics);
    assertTrue(als.<Boolean>getAs("exported"), als.toString());
    assertTrue(als.<Long>getAs(Columns.EVALUATION_CUSTOMERS) > 300, als.toString());
    assertTrue(als.<Double>getAs(Columns.lowOf(Columns.HIT_RATE_AT_K)) <= alsHits
        && alsHits <= als.<Double>getAs(Columns.highOf(Columns.HIT_RATE_AT_K)), als.toString());
    assertTrue(night.out().contains("stage=next_best_products") && night.out().contains("exported=als"),
        night::toString);
    // the fits checkpointed under the lake (CheckpointFolder) and the run deleted its folder when done
    java.io.File[] checkpoints = dir.resolve("lake").resolve(org.segmentation.io.CheckpointFolder.FOLDER).toFile()
        .listFiles();
    assertEquals(0, checkpoints == null ? -1 : checkpoints.length, "the run's checkpoint folder was made and deleted");
  }

  /**
   * Every customer gets ten products they never bought, none of them excluded (buyers from ALS or, with too little
   * history, their segment; prospects the popular ones), and an audience exports them as a field; a product listed twice in the catalogue is quarantined with its reason.
   */
  @Test
  void everyBuyerGetsTenNewProductsThatAnAudienceExports() throws Exception {
    Dataset<Row> lists = lake("next_best_products");
    assertEquals(lake("customer_segments").count(), lists.count());
    Map<String, Long> byRecommender = new HashMap<>();
    lists.groupBy(Columns.RECOMMENDER).count().collectAsList().forEach(r -> byRecommender.put(r.getString(0),
        r.getLong(1)));
    assertEquals(Set.of("als", "segment_popularity", "popularity"), byRecommender.keySet(), byRecommender.toString());
    assertTrue(byRecommender.get("als") > 2 * byRecommender.get("segment_popularity"), byRecommender.toString());
    assertEquals(0, lists.where(org.apache.spark.sql.functions.size(col(Columns.NEXT_BEST_PRODUCTS)).notEqual(10))
        .count());
    assertEquals(0, lists.where(org.apache.spark.sql.functions.exists(col(Columns.NEXT_BEST_PRODUCTS),
        p -> p.startsWith(EXCLUDED))).count(), "no excluded product is offered");
    Dataset<Row> bought = TestSpark.get().read().parquet(dir.resolve("raw/purchases").toString())
        // sales: the sample draws a return's product on its own (a real return follows a sale of its product)
        .where(to_date(col(Columns.ORDER_TS)).leq(lit(java.sql.Date.valueOf(END))).and(col(Columns.AMOUNT).gt(0)))
        .select(col(Columns.CUSTOMER_ID), col(Columns.PRODUCT_ID));
    long offeredAgain = lists.select(col(Columns.CUSTOMER_ID),
            org.apache.spark.sql.functions.explode(col(Columns.NEXT_BEST_PRODUCTS)).as(Columns.PRODUCT_ID))
        .join(bought, new String[] {Columns.CUSTOMER_ID, Columns.PRODUCT_ID}).count();
    assertEquals(0, offeredAgain, "a product the customer bought is never offered");

    Path members = dir.resolve("exports/offers/" + END + "/mail/members.csv");
    List<Row> exported = TestSpark.get().read().option("header", "true").csv(members.toString()).collectAsList();
    assertFalse(exported.isEmpty());
    for (Row r : exported) {
      assertEquals(10, r.<String>getAs(Columns.NEXT_BEST_PRODUCTS).split("\\|").length, r.toString());
    }

    List<Row> quarantined = lake("quarantine").where(col(Columns.SOURCE).equalTo("products")).collectAsList();
    assertEquals(1, quarantined.size(), quarantined.toString());
    assertTrue(quarantined.get(0).toString().contains("duplicate_product"), quarantined.toString());
  }

  /**
   * Orders as baskets: an order is one customer's, so every rule joins products of one planted taste (a product's
   * number divided by three), and the figures agree with each other.
   */
  @Test
  void rulesJoinProductsOfOneTaste() {
    List<Row> rules = lake("product_rules").collectAsList();
    assertTrue(rules.size() > 10, "rules: " + rules.size());
    for (Row r : rules) {
      Set<Integer> tastes = new HashSet<>();
      tastes.add(taste(r.getAs(Columns.CONSEQUENT)));
      r.<String>getList(r.fieldIndex(Columns.ANTECEDENT)).forEach(p -> tastes.add(taste(p)));
      assertEquals(1, tastes.size(), r.toString());
      double confidence = r.getAs(Columns.CONFIDENCE);
      assertEquals(confidence / r.<Double>getAs(Columns.CONSEQUENT_SUPPORT), r.<Double>getAs(Columns.LIFT), 1e-9);
      assertEquals("order", r.getAs(Columns.BASKET));
      assertTrue(r.<Long>getAs(Columns.BASKETS) >= 8, r.toString());
    }
  }

  private static int taste(String product) {
    return Integer.parseInt(product.substring(product.indexOf('-') + 1)) / 3;
  }
}
