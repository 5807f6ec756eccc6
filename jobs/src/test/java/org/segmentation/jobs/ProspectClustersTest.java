package org.segmentation.jobs;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.lit;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Timestamp;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.segmentation.TestSpark;
import org.segmentation.clustering.AdjustedRandIndex;
import org.segmentation.schema.CanonicalColumn;
import org.segmentation.schema.Columns;

/**
 * Prospects (a profile, no purchase) in three planted groups of age and income, beside 300 buyers: two nights with the
 * prospects' model refitted every night and the buyers' reused. The prospect clusters recover the planted groups
 * (adjusted Rand index at least 0.8), keep their ids across the refit, and the two kinds of model never stand in for
 * each other in the shared registry.
 */
class ProspectClustersTest {
  static final LocalDate FIRST = LocalDate.of(2026, 11, 20);
  static final LocalDate SECOND = FIRST.plusDays(1);
  static final int PER_GROUP = 200;

  @TempDir
  static Path dir;
  static Path config;
  static final Map<String, Integer> PLANTED = new HashMap<>();
  static JobRunner first;
  static JobRunner second;

  @BeforeAll
  static void twoNights() throws Exception {
    Random random = new Random(23);
    StructType profileSchema = CanonicalColumn.schemaOf(Columns.PROFILES);
    List<Row> profiles = new ArrayList<>();
    List<Row> purchases = new ArrayList<>();
    double[][] groups = {{25, 25_000}, {45, 90_000}, {65, 45_000}}; // age, income
    for (int g = 0; g < groups.length; g++) {
      for (int i = 0; i < PER_GROUP; i++) {
        String id = "p" + g + "_" + i;
        PLANTED.put(id, g);
        profiles.add(profile(profileSchema, id, (int) Math.round(groups[g][0] + 3 * random.nextGaussian()),
            groups[g][1] * (1 + 0.05 * random.nextGaussian())));
      }
    }
    for (int b = 0; b < 300; b++) {
      String id = "b" + b;
      profiles.add(profile(profileSchema, id, 20 + random.nextInt(50), 20_000 + 80_000 * random.nextDouble()));
      for (int o = 0; o <= random.nextInt(5); o++) {
        purchases.add(RowFactory.create(id, id + "o" + o,
            Timestamp.valueOf(FIRST.minusDays(random.nextInt(365)).atTime(12, 0)),
            new java.math.BigDecimal(10 + random.nextInt(200))));
      }
    }
    StructType purchaseSchema = new StructType().add(Columns.CUSTOMER_ID, "string").add(Columns.ORDER_ID, "string")
        .add(Columns.ORDER_TS, "timestamp").add(Columns.AMOUNT, Columns.MONEY);
    TestSpark.get().createDataFrame(purchases, purchaseSchema).write().parquet(dir.resolve("purchases").toString());
    TestSpark.get().createDataFrame(profiles, profileSchema).write().parquet(dir.resolve("profiles").toString());
    config = Files.writeString(dir.resolve("job.conf"), """
        segments {
          spark { master = "local[2]", conf { "spark.sql.shuffle.partitions" = "2", "spark.ui.enabled" = "false",
            "spark.databricks.delta.snapshotPartitions" = "2" } }
          lake.root = "%s"
          inputs.purchases { format = "parquet", path = "%s" }
          inputs.profiles { format = "parquet", path = "%s" }
          report.enabled = false
          clv.enabled = false
          clustering { k = 3, refit-every-days = 28 }
          prospect-clustering {
            enabled = true
            k-min = 2
            k-max = 5
            refit-every-days = 0
            features = [ { name = "age", transform = "standardize" }, { name = "income", transform = "log1p" } ]
          }
        }
        """.formatted(dir.resolve("lake"), dir.resolve("purchases"), dir.resolve("profiles")));
    first = JobRunner.night(config, FIRST);
    assertEquals(0, first.status(), first::toString);
    second = JobRunner.night(config, SECOND);
    assertEquals(0, second.status(), second::toString);
  }

  static Row profile(StructType schema, String id, int age, double income) {
    Object[] values = new Object[schema.size()];
    values[schema.fieldIndex(Columns.CUSTOMER_ID)] = id;
    values[schema.fieldIndex(Columns.AGE)] = age;
    values[schema.fieldIndex(Columns.INCOME)] = income;
    return RowFactory.create(values);
  }

  static Dataset<Row> table(String name, LocalDate date) {
    return TestSpark.get().read().format("delta").load(dir.resolve("lake").resolve(name).toString())
        .where(col("run_date").equalTo(lit(java.sql.Date.valueOf(date))));
  }

  /** customer -> prospect_cluster_id of the night (NULL as -1). */
  static Map<String, Integer> prospectClusters(LocalDate date) {
    Map<String, Integer> ids = new HashMap<>();
    for (Row r : table("customer_segments", date).select(Columns.CUSTOMER_ID, Columns.PROSPECT_CLUSTER_ID,
        Columns.CLUSTER_ID).collectAsList()) {
      ids.put(r.getString(0), r.isNullAt(1) ? -1 : r.getInt(1));
      // a customer is in one kind of cluster at most
      assertTrue(r.isNullAt(1) || r.isNullAt(2), r.toString());
    }
    return ids;
  }

  @Test
  void theProspectClustersRecoverThePlantedGroups() {
    Map<String, Integer> ids = prospectClusters(FIRST);
    List<int[]> pairs = new ArrayList<>();
    PLANTED.forEach((customer, group) -> {
      assertTrue(ids.get(customer) >= 0, customer + " has no prospect cluster");
      pairs.add(new int[] {group, ids.get(customer)});
    });
    double ari = AdjustedRandIndex.of(pairs);
    assertTrue(ari >= 0.8, "adjusted Rand index " + ari);
    ids.forEach((customer, id) -> assertTrue(PLANTED.containsKey(customer) || id == -1, customer + " is a buyer"));

    Map<String, Long> profiles = new HashMap<>();
    table("cluster_profiles", FIRST).groupBy(Columns.POPULATION).count().collectAsList()
        .forEach(r -> profiles.put(r.getString(0), r.getLong(1)));
    assertEquals(3L, profiles.get(Columns.BUYERS), profiles.toString());
    assertEquals(ids.values().stream().filter(id -> id >= 0).distinct().count(), profiles.get(Columns.PROSPECTS),
        profiles.toString());
  }

  @Test
  void aRefitKeepsTheProspectsIdsAndEachKindFindsItsOwnModel() {
    // the buyers' model, a day old, is reused
    assertTrue(second.out().contains("stage=clustering algorithm=kmeans k=3 refit=false"), second.out());
    assertTrue(second.out().contains("prospects=\"algorithm=kmeans k=3 refit=true refit_reason=model_age"),
        second.out());
    assertEquals(prospectClusters(FIRST), prospectClusters(SECOND));
    long models = TestSpark.get().read().format("delta").load(dir.resolve("lake/cluster_models").toString())
        .count();
    assertEquals(3, models, "the buyers' model once, the prospects' twice");
  }
}
