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
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;
import org.segmentation.TestSpark;
import org.segmentation.clustering.AdjustedRandIndex;
import org.segmentation.schema.CanonicalColumn;
import org.segmentation.schema.Columns;

/**
 * New customer opportunities end to end, on planted data: 300 buyers whose chance of an order in the last 30 days
 * grows with how often they bought before, and 600 prospects (a profile, no purchase) in three planted groups of age
 * and income. Four runs on one lake:
 * <ol>
 *   <li>the first night: three propensity models (a purchase label, a lookalike of the Champions, and a label of one
 *       class that leaves nothing to learn), an audience of a model's top deciles, and the prospects' clusters;</li>
 *   <li>a rerun of that night: the saved propensity models are reused, with identical scores;</li>
 *   <li>the next night: the prospects' model is refitted (every night) and keeps its ids, the buyers' model is reused,
 *       each found in the shared registry;</li>
 *   <li>a rerun of the next night without the models: no propensity row of that date is left behind.</li>
 * </ol>
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class NewCustomersTest {
  static final LocalDate FIRST = LocalDate.of(2026, 11, 20);
  static final LocalDate SECOND = FIRST.plusDays(1);
  static final int PER_GROUP = 200;

  /** The models and an audience that reads them. */
  static final String MODELS = """
      propensity {
        enabled = true
        trees = 0
        folds = 2
        models = [
          { name = "buy_30d", label = "purchase", window-days = 30 }
          { name = "champion_lookalike", label = "lookalike", seed = "rfm_segment = 'Champions'",
            features = [ { name = "age", transform = "standardize" }, { name = "region", transform = "one-hot" } ] }
          { name = "nobody", label = "column", column = "false" }
        ]
      }
      audiences {
        destinations { crm { format = "jsonl" } }
        lists.likely_buyers {
          filter = "propensity_decile_buy_30d <= 2"
          order-by = ["propensity_buy_30d desc"]
          fields = ["round(propensity_buy_30d, 3) as propensity"]
          destinations = ["crm"]
        }
      }
      """;

  @TempDir
  static Path dir;
  static Path config;
  static Path withoutModels;
  static final Map<String, Integer> PLANTED = new HashMap<>();
  static final Map<String, JobRunner> RUNS = new HashMap<>();

  @BeforeAll
  static void fourRuns() throws Exception {
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
            groups[g][1] * (1 + 0.05 * random.nextGaussian()), "North"));
      }
    }
    String[] regions = {"North", "South", "East", "West"};
    for (int b = 0; b < 300; b++) {
      String id = "b" + b;
      profiles.add(profile(profileSchema, id, 20 + random.nextInt(50), 20_000 + 80_000 * random.nextDouble(),
          regions[random.nextInt(regions.length)]));
      int before = 1 + random.nextInt(6);
      for (int o = 0; o < before; o++) { // history: before the 30 days up to the first night
        purchases.add(order(id, "h" + o, FIRST.minusDays(31 + random.nextInt(330)),
            10 + random.nextInt(200)));
      }
      if (random.nextDouble() < before / 8.0) { // the more they bought, the likelier they buy again
        purchases.add(order(id, "w", FIRST.minusDays(random.nextInt(30)), 10 + random.nextInt(200)));
      }
    }
    StructType purchaseSchema = new StructType().add(Columns.CUSTOMER_ID, "string").add(Columns.ORDER_ID, "string")
        .add(Columns.ORDER_TS, "timestamp").add(Columns.AMOUNT, Columns.MONEY);
    TestSpark.get().createDataFrame(purchases, purchaseSchema).write().parquet(dir.resolve("purchases").toString());
    TestSpark.get().createDataFrame(profiles, profileSchema).write().parquet(dir.resolve("profiles").toString());
    String base = """
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
        """.formatted(dir.resolve("lake"), dir.resolve("purchases"), dir.resolve("profiles"));
    config = Files.writeString(dir.resolve("job.conf"), base + MODELS + "}\n");
    withoutModels = Files.writeString(dir.resolve("without-models.conf"), base + "}\n");
    RUNS.put("first", run(config, FIRST));
    RUNS.put("first again", run(config, FIRST));
    RUNS.put("second", run(config, SECOND));
    RUNS.put("second without models", run(withoutModels, SECOND));
  }

  static JobRunner run(Path configuration, LocalDate date) {
    // each run's tables are read by the tests after all four: keep what each wrote that the next one replaces
    JobRunner run = JobRunner.night(configuration, date);
    assertEquals(0, run.status(), run::toString);
    if (date.equals(FIRST)) {
      SNAPSHOTS.put(RUNS.size(), scores(FIRST));
    }
    return run;
  }

  /** The propensity scores of FIRST after each of its runs, by run number (0 and 1). */
  static final Map<Integer, Map<String, Double>> SNAPSHOTS = new HashMap<>();

  static Row profile(StructType schema, String id, int age, double income, String region) {
    Object[] values = new Object[schema.size()];
    values[schema.fieldIndex(Columns.CUSTOMER_ID)] = id;
    values[schema.fieldIndex(Columns.AGE)] = age;
    values[schema.fieldIndex(Columns.INCOME)] = income;
    values[schema.fieldIndex(Columns.REGION)] = region;
    return RowFactory.create(values);
  }

  static Row order(String customer, String suffix, LocalDate day, int amount) {
    return RowFactory.create(customer, customer + suffix, Timestamp.valueOf(day.atTime(12, 0)),
        new java.math.BigDecimal(amount));
  }

  static Dataset<Row> table(String name, LocalDate date) {
    return TestSpark.get().read().format("delta").load(dir.resolve("lake").resolve(name).toString())
        .where(col("run_date").equalTo(lit(java.sql.Date.valueOf(date))));
  }

  /** model|customer -> propensity of the night. */
  static Map<String, Double> scores(LocalDate date) {
    Map<String, Double> scores = new HashMap<>();
    table("customer_propensity", date).collectAsList().forEach(r -> scores.put(r.<String>getAs("model") + "|"
        + r.<String>getAs("customer_id"), r.<Double>getAs("propensity")));
    return scores;
  }

  static String runIdOf(JobRunner run) {
    return run.out().lines().filter(l -> l.startsWith("run_id=")).findFirst().orElseThrow()
        .split(" ")[0].substring("run_id=".length());
  }

  /** customer -> prospect_cluster_id of the night (NULL as -1); a customer is in one kind of cluster at most. */
  static Map<String, Integer> prospectClusters(LocalDate date) {
    Map<String, Integer> ids = new HashMap<>();
    for (Row r : table("customer_segments", date).select(Columns.CUSTOMER_ID, Columns.PROSPECT_CLUSTER_ID,
        Columns.CLUSTER_ID).collectAsList()) {
      ids.put(r.getString(0), r.isNullAt(1) ? -1 : r.getInt(1));
      assertTrue(r.isNullAt(1) || r.isNullAt(2), r.toString());
    }
    return ids;
  }

  @Test
  @Order(1)
  void everyCustomerIsScoredByEveryModelAndEachModelIsMeasuredOnHeldOutCustomers() {
    JobRunner first = RUNS.get("first");
    assertTrue(first.out().contains("stage=propensity models=3 buy_30d=\"fitted logistic_regression auc="),
        first.out());
    // the runs after the first: the first night's rerun scored with the first run's models
    long customers = table("customer_segments", SECOND).count();
    assertEquals(900, customers);
    Dataset<Row> scores = table("customer_propensity", FIRST).cache();
    for (String model : List.of("buy_30d", "champion_lookalike")) {
      Dataset<Row> ofModel = scores.where(col("model").equalTo(model));
      assertEquals(customers, ofModel.count(), model);
      assertEquals(customers, ofModel.select("customer_id").distinct().count(), model);
      Row range = ofModel.selectExpr("min(propensity)", "max(propensity)", "min(propensity_decile)",
          "max(propensity_decile)").first();
      assertTrue(range.getDouble(0) >= 0 && range.getDouble(1) <= 1, range.toString());
      assertEquals(1, range.getInt(2), model);
      assertEquals(10, range.getInt(3), model);
    }
    assertEquals(0, scores.where(col("model").equalTo("nobody")).count(), "a model with nothing to learn scores none");

    List<Row> metrics = new ArrayList<>(table("propensity_model_metrics", FIRST).orderBy("model").collectAsList());
    assertEquals(3, metrics.size());
    Row nobody = metrics.remove(2); // by name: buy_30d, champion_lookalike, nobody
    assertEquals("skipped", nobody.getAs("status"));
    assertTrue(nobody.<String>getAs("message").contains("all of one class"), nobody.toString());
    for (Row m : metrics) {
      assertEquals("reused", m.getAs("status"), "the rerun of the night reused the first run's models");
      assertEquals("logistic_regression", m.getAs("learner"));
      long heldOut = m.<Long>getAs("evaluation_customers");
      // a fifth of the customers the model learns from: all 900 for the purchase label, the 300 buyers for the seed
      long population = m.<String>getAs("model").equals("buy_30d") ? 900 : 300;
      assertTrue(Math.abs(heldOut - population / 5.0) < population / 10.0, m.toString());
      double auc = m.getAs("auc");
      assertTrue(m.<Double>getAs("auc_low") <= auc && auc <= m.<Double>getAs("auc_high"), m.toString());
      List<Row> deciles = m.getList(m.fieldIndex("deciles"));
      assertEquals(heldOut, deciles.stream().mapToLong(d -> d.getLong(1)).sum(), m.toString());
    }
    Row lookalike = metrics.get(1);
    assertEquals("looks like the seed rfm_segment = 'Champions'", lookalike.getAs("label"));
    assertTrue(lookalike.getJavaMap(lookalike.fieldIndex("feature_weights")).containsKey("region=North"),
        lookalike.toString());
    // the planted buyers come back the more often they bought, and prospects never buy: far better than a coin
    Row purchase = metrics.get(0);
    assertTrue(purchase.<Double>getAs("auc_low") > 0.6, purchase.toString());

    // an audience of the top two deciles: exactly those customers, whichever arm
    List<String> topTwoDeciles = scores.where(col("model").equalTo("buy_30d").and(col("propensity_decile").leq(2)))
        .select("customer_id").orderBy("customer_id").as(Encoders.STRING()).collectAsList();
    List<String> members = table("audience_members", FIRST).where(col("audience").equalTo("likely_buyers"))
        .select("customer_id").orderBy("customer_id").as(Encoders.STRING()).collectAsList();
    assertTrue(topTwoDeciles.size() > customers / 10, "about a fifth: " + topTwoDeciles.size());
    assertEquals(topTwoDeciles, members);
  }

  /** A rerun of the date reuses the models its first run saved: the same scores, the first run as their version. */
  @Test
  @Order(2)
  void aRerunReusesTheSavedModels() {
    JobRunner again = RUNS.get("first again");
    assertTrue(again.out().contains("buy_30d=\"reused logistic_regression auc="), again.out());
    assertEquals(SNAPSHOTS.get(0), SNAPSHOTS.get(1));
    assertEquals(List.of(runIdOf(RUNS.get("first"))), table("customer_propensity", FIRST).select("run_id")
        .distinct().as(Encoders.STRING()).collectAsList());
    Row metrics = table("propensity_model_metrics", FIRST).where(col("model").equalTo("buy_30d")).first();
    assertEquals(java.sql.Date.valueOf(FIRST), metrics.getAs("fitted_for"));
    assertTrue(metrics.isNullAt(metrics.fieldIndex("training_customers")), "not fitted by the rerun");
  }

  @Test
  @Order(3)
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
  @Order(4)
  void aRefitKeepsTheProspectsIdsAndEachKindFindsItsOwnModel() {
    JobRunner second = RUNS.get("second");
    // the buyers' model, a day old, is reused; the prospects' is refitted every night
    assertTrue(second.out().contains("stage=clustering algorithm=kmeans k=3 refit=false"), second.out());
    assertTrue(second.out().contains("prospects=\"algorithm=kmeans k=3 refit=true refit_reason=model_age"),
        second.out());
    assertEquals(prospectClusters(FIRST), prospectClusters(SECOND));
    long models = TestSpark.get().read().format("delta").load(dir.resolve("lake/cluster_models").toString())
        .count();
    assertEquals(3, models, "the buyers' model once, the prospects' twice (the rerun of the first night reused)");
  }

  @Test
  @Order(5)
  void aRerunWithTheModelsTurnedOffLeavesNoRowsOfTheDate() {
    assertTrue(RUNS.get("second").out().contains("buy_30d=\"reused"), "a day-old model is reused");
    assertEquals(0, table("customer_propensity", SECOND).count());
    assertEquals(0, table("propensity_model_metrics", SECOND).count());
    assertEquals(2 * 900, table("customer_propensity", FIRST).count(), "the first night's rows stand");
  }
}
