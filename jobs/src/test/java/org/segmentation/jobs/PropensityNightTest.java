package org.segmentation.jobs;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.lit;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.LocalDate;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;
import org.segmentation.TestSpark;

/**
 * A night with three propensity models on the sample data (a purchase label, a lookalike of the Champions, and a label
 * of one class that leaves nothing to learn): every
 * customer of the night is scored by each model with a probability and a decile, each model has its metrics row, an
 * audience selects by a model's decile, a model with nothing to learn is skipped without failing the night, a rerun
 * reuses the saved models, and a rerun with the models turned off leaves no rows of that date behind.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class PropensityNightTest {
  static final LocalDate END = LocalDate.of(2026, 11, 21);

  @TempDir
  static Path dir;
  static Path config;
  static Path withoutModels;
  static String firstRunId;

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

  @BeforeAll
  static void sample() throws Exception {
    config = SampleLake.create(dir, 1000, 8000, 5, END, """
        lake.root = "%s"
        clustering.enabled = false
        """.formatted(dir.resolve("lake")) + MODELS);
    // the same lake and inputs without the models (and the audience that reads them, which would not compile)
    withoutModels = java.nio.file.Files.writeString(dir.resolve("without-models.conf"),
        java.nio.file.Files.readString(config).replace(MODELS, ""));
  }

  static Dataset<Row> table(String name) {
    return TestSpark.get().read().format("delta").load(dir.resolve("lake").resolve(name).toString())
        .where(col("run_date").equalTo(lit(java.sql.Date.valueOf(END))));
  }

  @Test
  @Order(1)
  void everyCustomerIsScoredByEveryModelAndEachModelIsMeasuredOnHeldOutCustomers() {
    JobRunner run = JobRunner.night(config, END);
    assertEquals(0, run.status(), run.toString());
    assertTrue(run.out().contains("stage=propensity models=3 buy_30d=\"fitted logistic_regression auc="), run.out());
    firstRunId = run.out().lines().filter(l -> l.startsWith("run_id=")).findFirst().orElseThrow()
        .split(" ")[0].substring("run_id=".length());

    long customers = table("customer_segments").count();
    Dataset<Row> scores = table("customer_propensity").cache();
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
    List<Row> metrics = new java.util.ArrayList<>(table("propensity_model_metrics").orderBy("model").collectAsList());
    assertEquals(3, metrics.size());
    Row nobody = metrics.remove(2); // by name: buy_30d, champion_lookalike, nobody
    assertEquals("skipped", nobody.getAs("status"));
    assertTrue(nobody.<String>getAs("message").contains("all of one class"), nobody.toString());
    for (Row m : metrics) {
      assertEquals("fitted", m.getAs("status"));
      assertEquals("logistic_regression", m.getAs("learner"));
      long heldOut = m.<Long>getAs("evaluation_customers");
      long trained = m.<Long>getAs("training_customers");
      assertTrue(heldOut > 0 && trained > 3 * heldOut / 2, m.toString()); // a fifth held out, four fifths fitted
      double auc = m.getAs("auc");
      assertTrue(m.<Double>getAs("auc_low") <= auc && auc <= m.<Double>getAs("auc_high"), m.toString());
      List<Row> deciles = m.getList(m.fieldIndex("deciles"));
      assertEquals(heldOut, deciles.stream().mapToLong(d -> d.getLong(1)).sum(), m.toString());
    }
    Row lookalike = metrics.get(1); // by name: buy_30d, champion_lookalike
    assertEquals("looks like the seed rfm_segment = 'Champions'", lookalike.getAs("label"));
    assertTrue(lookalike.getJavaMap(lookalike.fieldIndex("feature_weights")).containsKey("age"), lookalike.toString());
    // the sample's buyers come back often: last month's history ranks next month's buyers far better than a coin
    Row purchase = metrics.get(0);
    assertTrue(purchase.<Double>getAs("auc_low") > 0.6, purchase.toString());

    // an audience of the top two deciles: exactly those customers, whichever arm
    List<String> topTwoDeciles = scores.where(col("model").equalTo("buy_30d").and(col("propensity_decile").leq(2)))
        .select("customer_id").orderBy("customer_id").as(org.apache.spark.sql.Encoders.STRING()).collectAsList();
    List<String> members = table("audience_members").where(col("audience").equalTo("likely_buyers"))
        .select("customer_id").orderBy("customer_id").as(org.apache.spark.sql.Encoders.STRING()).collectAsList();
    assertTrue(topTwoDeciles.size() > customers / 10, "about a fifth: " + topTwoDeciles.size());
    assertEquals(topTwoDeciles, members);
  }

  /** A rerun of the date reuses the models its first run saved: the same scores, the first run as their version. */
  @Test
  @Order(2)
  void aRerunReusesTheSavedModels() {
    Map<String, Double> before = scores();
    JobRunner run = JobRunner.night(config, END);
    assertEquals(0, run.status(), run.toString());
    assertTrue(run.out().contains("buy_30d=\"reused logistic_regression auc="), run.out());
    assertEquals(before, scores());
    assertEquals(List.of(firstRunId), table("customer_propensity").select("run_id").distinct()
        .as(org.apache.spark.sql.Encoders.STRING()).collectAsList());
    Row metrics = table("propensity_model_metrics").where(col("model").equalTo("buy_30d")).first();
    assertEquals("reused", metrics.getAs("status"));
    assertEquals(java.sql.Date.valueOf(END), metrics.getAs("fitted_for"));
    assertTrue(metrics.isNullAt(metrics.fieldIndex("training_customers")), "not fitted tonight");
  }

  /** model|customer -> propensity of the night. */
  static Map<String, Double> scores() {
    Map<String, Double> scores = new java.util.HashMap<>();
    table("customer_propensity").collectAsList().forEach(r -> scores.put(r.<String>getAs("model") + "|"
        + r.<String>getAs("customer_id"), r.<Double>getAs("propensity")));
    return scores;
  }

  @Test
  @Order(3)
  void aRerunWithTheModelsTurnedOffLeavesNoRowsOfTheDate() {
    JobRunner run = JobRunner.night(withoutModels, END);
    assertEquals(0, run.status(), run.toString());
    assertEquals(0, table("customer_propensity").count());
    assertEquals(0, table("propensity_model_metrics").count());
  }
}
