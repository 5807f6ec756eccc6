package org.segmentation.jobs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.apache.spark.sql.Row;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.segmentation.TestSpark;
import org.segmentation.clv.BgNbd;

/**
 * Lifetime value end to end on the real CDNOW log: the job reads CDNOW_master.txt through its text source
 * (conf/examples/cdnow.conf) as of the end of the 39-week calibration period, 1997-09-30, in weeks, and publishes
 * customer_segments and clv_model. Checked against values computed here in plain Java from the file, against the
 * published cohort summary and parameters, and against what the customers actually bought in the 39 weeks after.
 */
class CdnowLifetimeValueTest {
  static final LocalDate CALIBRATION_END = LocalDate.of(1997, 9, 30);
  /** 39 weeks after the calibration period: 1998-06-30, the end of the log. */
  static final int HOLDOUT_DAYS = 273;
  static final Path SUMMARY = CdnowReferenceTest.REPO.resolve("common/src/test/resources/cdnow/cdnow_customers_summary.csv");

  /** A customer's history in weeks, computed from the file. */
  record History(int x, double tx, double T, double meanRepeatValue, int holdoutPurchaseDays) {}

  @TempDir
  static Path lake;
  static Map<String, Row> segments;
  static Row model;
  static Map<String, History> fromTheFile;

  @BeforeAll
  static void runTheJobAtTheEndOfCalibration() throws IOException {
    JobRunner run = JobRunner.run("--config", CdnowReferenceTest.REPO.resolve("conf/examples/cdnow.conf").toString(),
        "--run-date", CALIBRATION_END.toString(),
        "--set", "segments.lake.root=\"" + lake + "\"",
        "--set", "segments.inputs.purchases.path=\"" + CdnowReferenceTest.LOG + "\"",
        "--set", "segments.spark.master=\"local[2]\"",
        "--set", "segments.spark.conf.\"spark.sql.shuffle.partitions\"=2",
        "--set", "segments.clustering.enabled=false",
        "--set", "segments.report.enabled=false", // the report is ReportTest's
        "--set", "segments.clv.time-unit=weeks",
        "--set", "segments.clv.horizons-days=[" + HOLDOUT_DAYS + ", 365]");
    assertEquals(0, run.status(), run.toString());
    assertTrue(run.out().contains("stage=clv_fit status=fitted"), run.out());
    segments = new HashMap<>();
    for (Row row : TestSpark.get().read().format("delta").load(lake.resolve("customer_segments").toString())
        .collectAsList()) {
      segments.put(row.getAs("customer_id"), row);
    }
    model = TestSpark.get().read().format("delta").load(lake.resolve("clv_model").toString()).first();
    fromTheFile = historiesFromTheFile();
  }

  /** Per customer: purchase days (a day's purchases are one purchase) up to the calibration end, and after it. */
  static Map<String, History> historiesFromTheFile() throws IOException {
    Map<String, TreeMap<LocalDate, Double>> days = new HashMap<>();
    Map<String, Set<LocalDate>> holdout = new HashMap<>();
    List<String> lines = Files.readAllLines(CdnowReferenceTest.LOG, StandardCharsets.US_ASCII);
    for (String line : lines.subList(1, lines.size())) {
      String[] fields = line.trim().split(" +");
      LocalDate day = LocalDate.parse(fields[1], DateTimeFormatter.BASIC_ISO_DATE);
      if (day.isAfter(CALIBRATION_END) && Double.parseDouble(fields[3]) > 0) {
        holdout.computeIfAbsent(fields[0], k -> new HashSet<>()).add(day);
      } else if (day.isAfter(CALIBRATION_END)) {
        continue;
      } else {
        days.computeIfAbsent(fields[0], k -> new TreeMap<>()).merge(day, Double.parseDouble(fields[3]), Double::sum);
      }
    }
    Map<String, History> histories = new HashMap<>();
    days.forEach((customer, allDays) -> {
      // a day worth nothing (the log has purchases of $0.00) is not a purchase, as for RFM
      TreeMap<LocalDate, Double> byDay = new TreeMap<>(allDays);
      byDay.values().removeIf(value -> value <= 0);
      if (byDay.isEmpty()) {
        return;
      }
      LocalDate first = byDay.firstKey();
      int x = byDay.size() - 1;
      double repeatValue = byDay.values().stream().mapToDouble(Double::doubleValue).sum() - byDay.firstEntry().getValue();
      histories.put(customer, new History(x, ChronoUnit.DAYS.between(first, byDay.lastKey()) / 7.0,
          ChronoUnit.DAYS.between(first, CALIBRATION_END) / 7.0, x == 0 ? Double.NaN : repeatValue / x,
          holdout.getOrDefault(customer, Set.of()).size()));
    });
    return histories;
  }

  static double weeksBetween(Row row, String from, LocalDate to) {
    return ChronoUnit.DAYS.between(row.<java.sql.Date>getAs(from).toLocalDate(), to) / 7.0;
  }

  @Test
  void everyCustomersHistoryIsTheOneComputedFromTheFileAndTheCohortSummaryIsAmongThem() throws IOException {
    // 70 of the 23,570 customers bought only for $0.00 by then: no purchase, no history, no lifetime value
    assertEquals(23_500, fromTheFile.size());
    segments.forEach((id, row) -> assertEquals(fromTheFile.containsKey(id), row.<Long>getAs("purchase_days") > 0, id));
    Set<String> histories = new HashSet<>();
    for (Map.Entry<String, History> entry : fromTheFile.entrySet()) {
      Row row = segments.get(entry.getKey());
      History expected = entry.getValue();
      int x = (int) (long) row.<Long>getAs("purchase_days") - 1;
      double tx = weeksBetween(row, "first_purchase_date", row.<java.sql.Date>getAs("last_purchase_date")
          .toLocalDate());
      double T = weeksBetween(row, "first_purchase_date", CALIBRATION_END);
      assertEquals(expected.x(), x, entry.getKey());
      assertEquals(expected.tx(), tx, 1e-9, entry.getKey());
      assertEquals(expected.T(), T, 1e-9, entry.getKey());
      if (x > 0) {
        assertEquals(expected.meanRepeatValue(), row.<Double>getAs("repeat_purchase_value"), 1e-6, entry.getKey());
      }
      histories.add(x + "," + Math.round(tx * 100) + "," + Math.round(T * 100));
    }
    // the published 1/10 cohort (its own customer numbers): each of its 2,357 histories, to the 2 decimals it gives
    List<String> cohort = Files.readAllLines(SUMMARY);
    long found = cohort.subList(1, cohort.size()).stream().map(line -> line.split(","))
        .map(f -> f[1] + "," + Math.round(Double.parseDouble(f[2]) * 100) + "," + Math.round(Double.parseDouble(f[3])
            * 100))
        .filter(histories::contains).count();
    assertEquals(2357, found);
  }

  @Test
  void theFitOnTheWholeBaseIsCloseToThePublishedCohortFit() {
    assertEquals("fitted", model.getAs("status"));
    assertEquals(Boolean.TRUE, model.getAs("bgnbd_converged"));
    assertEquals(Boolean.TRUE, model.getAs("gamma_gamma_converged"));
    assertEquals("weeks", model.getAs("time_unit"));
    assertEquals(23_500L, (long) model.getAs("customers"));
    // the cohort is a tenth of this base: the base's estimates are close to the cohort's (r 0.243, alpha 4.414,
    // a 0.793, b 2.426), not equal
    assertEquals(0.243, model.<Double>getAs("r"), 0.243 * 0.10, model.toString());
    assertEquals(4.414, model.<Double>getAs("alpha"), 4.414 * 0.10, model.toString());
    assertEquals(0.793, model.<Double>getAs("a"), 0.793 * 0.15, model.toString());
    assertEquals(2.426, model.<Double>getAs("b"), 2.426 * 0.15, model.toString());
    assertTrue(model.<Long>getAs("histories") < 23_500L / 2, "the likelihood sums over distinct histories");
  }

  @Test
  void scoresAreProbabilitiesExpectationsAndTenths() {
    Map<Integer, Integer> perDecile = new TreeMap<>();
    for (Row row : segments.values()) {
      if (row.<Long>getAs("purchase_days") == 0) {
        assertTrue(row.isNullAt(row.fieldIndex("p_alive")) && row.isNullAt(row.fieldIndex("clv_tier")));
        continue;
      }
      long x = row.<Long>getAs("purchase_days") - 1;
      double pAlive = row.getAs("p_alive");
      if (x == 0) {
        assertEquals(1.0, pAlive, "no repeat purchase: alive for sure in BG/NBD");
      }
      assertTrue(pAlive > 0 && pAlive <= 1, row.toString());
      Map<Integer, Double> expected = row.getJavaMap(row.fieldIndex("expected_purchases"));
      assertEquals(Set.of(HOLDOUT_DAYS, 365), expected.keySet());
      assertTrue(expected.get(HOLDOUT_DAYS) >= 0 && expected.get(HOLDOUT_DAYS) < expected.get(365), row.toString());
      double clv = row.getAs("predicted_clv");
      assertTrue(Double.isFinite(clv) && clv >= 0, row.toString());
      int decile = row.getAs("clv_decile");
      perDecile.merge(decile, 1, Integer::sum);
      assertEquals(decile == 10 ? "Top" : decile >= 8 ? "High" : decile >= 5 ? "Medium" : "Low",
          row.getAs("clv_tier"));
    }
    assertEquals(10, perDecile.size(), perDecile.toString());
    for (int size : perDecile.values()) {
      assertEquals(2350, size, 2350 * 0.25, "deciles are tenths up to ties: " + perDecile);
    }
  }

  /** segment_summary's mean predicted CLV and P(alive) per RFM segment, against the customers' own values. */
  @Test
  void theSegmentSummaryCarriesEachSegmentsMeanLifetimeValue() {
    Map<String, double[]> sums = new HashMap<>();
    for (Row row : segments.values()) {
      if (!row.isNullAt(row.fieldIndex("predicted_clv"))) {
        double[] s = sums.computeIfAbsent(row.getAs("rfm_segment"), k -> new double[3]);
        s[0]++;
        s[1] += row.<Double>getAs("predicted_clv");
        s[2] += row.<Double>getAs("p_alive");
      }
    }
    List<Row> summary = TestSpark.get().read().format("delta").load(lake.resolve("segment_summary").toString())
        .collectAsList();
    int checked = 0;
    for (Row row : summary) {
      double[] s = sums.get(row.<String>getAs("rfm_segment"));
      if (s == null) {
        assertTrue(row.isNullAt(row.fieldIndex("mean_predicted_clv")), row.toString());
        continue;
      }
      assertEquals(s[1] / s[0], row.<Double>getAs("mean_predicted_clv"), 1e-9 * s[1] / s[0], row.toString());
      assertEquals(s[2] / s[0], row.<Double>getAs("mean_p_alive"), 1e-12, row.toString());
      checked++;
    }
    assertTrue(checked >= 5, "segments with lifetime value: " + checked);
  }

  /**
   * The holdout test of the literature: the expected repeat purchases in the 39 weeks after calibration, against the
   * purchase days the customers actually had then (from the file), in total and by calibration x, as the paper's
   * conditional-expectation figure; scripts/clv-holdout.sh prints the table. Each customer's expectation is first
   * checked against the model's formula ({@link BgNbd}, itself checked against the published figures) with the
   * night's parameters, so the job's unit handling and scoring are what is measured. On the whole base the model
   * under-predicts the holdout by about 15 % (the published cohort parameters do the same: 16,562 against 19,674
   * purchase days), most of it among the customers with one repeat purchase; the test bounds that and requires the
   * expectations to rise with x as the actual purchases do.
   */
  @Test
  void predictionsForTheNext39WeeksTrackWhatCustomersBought() {
    BgNbd fitted = new BgNbd(model.getAs("r"), model.getAs("alpha"), model.getAs("a"), model.getAs("b"));
    double predicted = 0;
    double actual = 0;
    Map<Integer, double[]> byX = new TreeMap<>();
    for (Map.Entry<String, History> entry : fromTheFile.entrySet()) {
      Row row = segments.get(entry.getKey());
      History history = entry.getValue();
      double expected = row.<Integer, Double>getJavaMap(row.fieldIndex("expected_purchases")).get(HOLDOUT_DAYS);
      assertEquals(fitted.conditionalExpectedPurchases(39, history.x(), history.tx(), history.T()), expected, 1e-9,
          entry.getKey());
      predicted += expected;
      actual += history.holdoutPurchaseDays();
      double[] sums = byX.computeIfAbsent(Math.min(history.x(), 7), k -> new double[3]);
      sums[0]++;
      sums[1] += expected;
      sums[2] += history.holdoutPurchaseDays();
    }
    assertEquals(actual, predicted, actual * 0.20, "total: predicted " + predicted + ", actual " + actual);
    double previousPredicted = -1;
    double previousActual = -1;
    for (Map.Entry<Integer, double[]> group : byX.entrySet()) {
      double[] sums = group.getValue();
      double meanPredicted = sums[1] / sums[0];
      double meanActual = sums[2] / sums[0];
      assertTrue(meanPredicted > previousPredicted && meanActual > previousActual, "x = " + group.getKey());
      assertEquals(meanActual, meanPredicted, Math.max(0.1, meanActual * 0.4), "x = " + group.getKey());
      previousPredicted = meanPredicted;
      previousActual = meanActual;
    }
  }
}
