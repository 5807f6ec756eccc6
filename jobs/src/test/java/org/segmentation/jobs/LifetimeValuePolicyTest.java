package org.segmentation.jobs;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.lit;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.LocalDate;
import java.util.List;
import org.apache.spark.sql.Row;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;
import org.segmentation.TestSpark;

/**
 * The lifetime-value policy over four nights of one lake: a first fit; the next night reuses it (younger than
 * refit-every-days); a night whose fit fails (too few customers for the configured minimum) keeps the last good
 * parameters; the same with on-failed-fit = skip leaves the columns NULL, never NaN. Each night's clv_model row says
 * which, and what the progress line says.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class LifetimeValuePolicyTest {
  static final LocalDate END = LocalDate.of(2026, 11, 21);

  @TempDir
  static Path dir;
  static Path config;

  @BeforeAll
  static void sample() throws Exception {
    config = SampleLake.create(dir, 800, 6000, 11, END, """
        lake.root = "%s"
        clustering.enabled = false
        clv.refit-every-days = 7
        """.formatted(dir.resolve("lake")));
  }

  static JobRunner night(LocalDate date, String... settings) {
    JobRunner run = JobRunner.night(config, date, settings);
    assertEquals(0, run.status(), run.toString());
    return run;
  }

  static Row model(LocalDate date) {
    return TestSpark.get().read().format("delta").load(dir.resolve("lake/clv_model").toString())
        .where(col("run_date").equalTo(lit(java.sql.Date.valueOf(date)))).first();
  }

  static List<Row> customers(LocalDate date) {
    return TestSpark.get().read().format("delta").load(dir.resolve("lake/customer_segments").toString())
        .where(col("run_date").equalTo(lit(java.sql.Date.valueOf(date))).and(col("purchase_days").gt(0)))
        .collectAsList();
  }

  @Test
  @Order(1)
  void theFirstNightFitsAndScoresEveryBuyer() {
    LocalDate night = END.minusDays(3);
    JobRunner run = night(night);
    assertTrue(run.out().contains("stage=clv_fit status=fitted refit_reason=no_reusable_model"), run.out());
    Row model = model(night);
    assertEquals("fitted", model.getAs("status"));
    assertEquals(java.sql.Date.valueOf(night), model.getAs("parameters_from"));
    for (Row customer : customers(night)) {
      assertTrue(customer.<Double>getAs("p_alive") > 0 && customer.<Double>getAs("predicted_clv") >= 0,
          customer.toString());
    }
  }

  @Test
  @Order(2)
  void theNextNightReusesTheParameters() {
    LocalDate night = END.minusDays(2);
    JobRunner run = night(night);
    assertTrue(run.out().contains("stage=clv_fit status=reused parameters_from=" + END.minusDays(3)), run.out());
    Row first = model(END.minusDays(3));
    Row reused = model(night);
    assertEquals("reused", reused.getAs("status"));
    for (String parameter : List.of("r", "alpha", "a", "b", "p", "q", "gamma")) {
      assertEquals(first.<Double>getAs(parameter), reused.<Double>getAs(parameter), parameter);
    }
  }

  @Test
  @Order(3)
  void aFailedFitKeepsTheLastGoodParameters() {
    LocalDate night = END.minusDays(1);
    JobRunner run = night(night, "segments.clv.refit-every-days=0", "segments.clv.min-customers=1000000");
    assertTrue(run.out().contains("stage=clv_fit status=kept_last_good refit_reason=model_age parameters_from="
        + END.minusDays(3) + " problem=\"too few data:"), run.out());
    Row kept = model(night);
    assertEquals("kept_last_good", kept.getAs("status"));
    assertTrue(kept.<String>getAs("message").contains("clv.min-customers = 1000000"), kept.toString());
    assertEquals(model(END.minusDays(3)).<Double>getAs("r"), kept.<Double>getAs("r"));
    assertTrue(customers(night).stream().allMatch(c -> c.getAs("predicted_clv") != null));
  }

  @Test
  @Order(4)
  void aFailedFitWithSkipLeavesTheColumnsNull() {
    JobRunner run = night(END, "segments.clv.refit-every-days=0", "segments.clv.min-customers=1000000",
        "segments.clv.on-failed-fit=skip");
    assertTrue(run.out().contains("stage=clv_fit status=skipped"), run.out());
    assertTrue(run.out().contains("stage=clv_scoring scored=0"), run.out());
    Row skipped = model(END);
    assertEquals("skipped", skipped.getAs("status"));
    assertNull(skipped.getAs("r"));
    for (Row customer : customers(END)) {
      for (String column : List.of("p_alive", "expected_purchases", "expected_order_value", "predicted_clv",
          "clv_decile", "clv_tier")) {
        assertNull(customer.getAs(column), column);
      }
    }
  }
}
