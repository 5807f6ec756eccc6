package org.segmentation.propensity;

import static org.apache.spark.sql.functions.col;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.segmentation.TestSpark.money;
import static org.segmentation.TestSpark.row;
import static org.segmentation.TestSpark.ts;

import com.typesafe.config.ConfigFactory;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.Test;
import org.segmentation.TestSpark;
import org.segmentation.config.ClusteringSettings.Feature;
import org.segmentation.config.ClusteringSettings.Transform;
import org.segmentation.config.JobSettings;
import org.segmentation.config.PropensitySettings.LabelKind;
import org.segmentation.config.PropensitySettings.Model;
import org.segmentation.config.SettingsLoader;
import org.segmentation.features.CustomerFeatures;
import org.segmentation.propensity.HeldOutEvaluation.Interval;
import org.segmentation.run.ConfigurationException;
import org.segmentation.schema.CanonicalColumn;
import org.segmentation.schema.Columns;

/**
 * The training rows of a purchase label: features strictly before the label window (a hand-computed fixture, and a
 * planted history where only a leak could predict the label), labels from the window's counted orders.
 */
class TrainingRowsTest {
  static final LocalDate RUN_DATE = LocalDate.of(2026, 6, 30);
  /** The canonical purchase columns up to channel: the fixture's lines have no product ids. */
  static final StructType PURCHASES = CanonicalColumn.schemaOf(Columns.PURCHASES.stream()
      .filter(c -> !List.of(Columns.PRODUCT_ID, Columns.PRODUCT_NAME).contains(c.name())).toList());
  static final JobSettings SETTINGS = JobSettings.read(SettingsLoader.layer(ConfigFactory.parseString("""
      segments.inputs.purchases { format = csv, path = "unused.csv" }
      segments.inputs.profiles.enabled = false
      """), Map.of()));
  static final Model BUY_30D = new Model("buy_30d", LabelKind.PURCHASE, 30, "", List.of());
  static final Model JAZZ_30D = new Model("jazz_30d", LabelKind.PURCHASE, 30, "product_category = 'jazz'",
      List.of());

  /**
   * Run date 2026-06-30, window 30 days: the features are as of 2026-05-31, the label from (05-31, 06-30].
   * <pre>
   * a: O1 05-10 20 books; O2 06-15 30 jazz           known; features: 1 order, 20; label 1, jazz label 1
   * b: O3 05-31 23:00 10 books; O4 06-30 15 books    the start day is history; the run date is in the window: 1, 10;
   *                                                  label 1, jazz 0
   * c: O5 04-01 50; R5 06-10 -50 (a return)          1, 50; a return is not a counted order: label 0
   * d: O6 06-05 40                                   unknown on 05-31: not a training row
   * e: O8 03-01 10; O7 07-01 10 (after the run date) 1, 10; label 0
   * </pre>
   */
  static Dataset<Row> fixture() {
    return TestSpark.rows(PURCHASES,
        row("a", "O1", ts("2026-05-10 10:00:00"), money("20.00"), 1L, "books", "web"),
        row("a", "O2", ts("2026-06-15 10:00:00"), money("30.00"), 1L, "jazz", "web"),
        row("b", "O3", ts("2026-05-31 23:00:00"), money("10.00"), 1L, "books", "web"),
        row("b", "O4", ts("2026-06-30 12:00:00"), money("15.00"), 1L, "books", "web"),
        row("c", "O5", ts("2026-04-01 10:00:00"), money("50.00"), 1L, "home", "web"),
        row("c", "R5", ts("2026-06-10 10:00:00"), money("-50.00"), -1L, "home", "web"),
        row("d", "O6", ts("2026-06-05 10:00:00"), money("40.00"), 1L, "books", "web"),
        row("e", "O8", ts("2026-03-01 10:00:00"), money("10.00"), 1L, "books", "web"),
        row("e", "O7", ts("2026-07-01 10:00:00"), money("10.00"), 1L, "books", "web"));
  }

  /** customer: "frequency net_revenue label" */
  private static Map<String, String> byCustomer(Dataset<Row> rows) {
    Map<String, String> out = new TreeMap<>();
    for (Row r : rows.select(col(Columns.CUSTOMER_ID), col(Columns.FREQUENCY), col(Columns.NET_REVENUE),
        col(PropensityFit.LABEL)).collectAsList()) {
      out.put(r.getString(0), r.getLong(1) + " " + r.getDecimal(2).stripTrailingZeros().toPlainString() + " "
          + (int) r.getDouble(3));
    }
    return out;
  }

  @Test
  void featuresStopAtTheWindowsStartAndTheLabelIsACountedOrderInsideIt() {
    TrainingRows training = new TrainingRows(SETTINGS, RUN_DATE);
    assertEquals(LocalDate.of(2026, 5, 31), training.featuresAsOf(BUY_30D));
    assertEquals(Map.of("a", "1 20 1", "b", "1 10 1", "c", "1 50 0", "e", "1 10 0"),
        byCustomer(training.purchase(BUY_30D, fixture(), null)));
    assertEquals(Map.of("a", "1 20 1", "b", "1 10 0", "c", "1 50 0", "e", "1 10 0"),
        byCustomer(training.purchase(JAZZ_30D, fixture(), null)));
  }

  @Test
  void aLinesConditionThatDoesNotCompileIsAConfigurationError() {
    Model bad = new Model("bad", LabelKind.PURCHASE, 30, "no_such_column = 1", List.of());
    ConfigurationException e = assertThrows(ConfigurationException.class,
        () -> new TrainingRows(SETTINGS, RUN_DATE).purchase(bad, fixture(), null));
    assertTrue(e.getMessage().contains("segments.propensity.models (bad).lines"), e.getMessage());
  }

  /**
   * Every customer has a history of orders before the window that says nothing of the label (drawn independently);
   * the customers with the label then buy 1 to 3 times inside the window. Learned from the training rows, the model
   * must rank held-out customers no better than a coin. The same fit on features as of the run date (the leak: they
   * count the window's orders) ranks almost perfectly, so this test would catch one.
   */
  @Test
  void nothingOfTheLabelWindowReachesTheTrainingFeatures() {
    Random random = new Random(11);
    List<Row> lines = new ArrayList<>();
    LocalDate start = RUN_DATE.minusDays(30);
    for (int c = 0; c < 4000; c++) {
      String id = "c" + c;
      int history = 1 + random.nextInt(4);
      for (int o = 0; o < history; o++) {
        lines.add(RowFactory.create(id, id + "h" + o, java.sql.Timestamp.valueOf(
            start.minusDays(random.nextInt(300)).atTime(12, 0)), money(String.valueOf(5 + random.nextInt(50))), 1L,
            "books", "web"));
      }
      if (random.nextDouble() < 0.3) {
        int inWindow = 1 + random.nextInt(3);
        for (int o = 0; o < inWindow; o++) {
          lines.add(RowFactory.create(id, id + "w" + o, java.sql.Timestamp.valueOf(
              start.plusDays(1 + random.nextInt(30)).atTime(12, 0)), money(String.valueOf(5 + random.nextInt(50))),
              1L, "books", "web"));
        }
      }
    }
    Dataset<Row> purchases = TestSpark.get().createDataFrame(lines, PURCHASES).cache();
    List<Feature> features = List.of(new Feature(Columns.FREQUENCY, Transform.LOG1P, false),
        new Feature(Columns.MONETARY, Transform.LOG1P, false),
        new Feature(Columns.RECENCY_DAYS, Transform.LOG1P, false));
    PropensityFit fit = new PropensityFit(features, new PropensityFit.Settings(0.3, 0.2, 2, 0, 3, 5));

    Dataset<Row> training = new TrainingRows(SETTINGS, RUN_DATE).purchase(BUY_30D, purchases, null).cache();
    assertEquals(4000, training.count());
    Interval honest = heldOutAuc(fit, training);
    assertTrue(honest.contains(0.5), "features before the window cannot predict the label: AUC " + honest);

    Dataset<Row> labels = training.select(col(Columns.CUSTOMER_ID).as("__id"), col(PropensityFit.LABEL));
    Dataset<Row> asOfRunDate = CustomerFeatures.of(SETTINGS, RUN_DATE).apply(purchases, null);
    Dataset<Row> leaked = asOfRunDate.join(labels, asOfRunDate.col(Columns.CUSTOMER_ID).equalTo(labels.col("__id")))
        .drop("__id");
    Interval leaky = heldOutAuc(fit, leaked);
    assertTrue(leaky.low() > 0.9, "features that count the window's orders predict it: AUC " + leaky);
  }

  private static Interval heldOutAuc(PropensityFit fit, Dataset<Row> customers) {
    PropensityFit.Fitted fitted = fit.fit(customers);
    ScoreHistogram heldOut = ScoreHistogram.collect(fit.evaluationRows(fitted, customers), col(PropensityFit.SCORE),
        col(PropensityFit.LABEL));
    return HeldOutEvaluation.aucInterval(heldOut, 400, 3, 0.95);
  }
}
