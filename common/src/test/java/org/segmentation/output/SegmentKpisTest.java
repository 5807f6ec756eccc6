package org.segmentation.output;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.segmentation.TestSpark.date;
import static org.segmentation.TestSpark.money;
import static org.segmentation.TestSpark.row;
import static org.segmentation.TestSpark.ts;

import java.time.LocalDate;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.Test;
import org.segmentation.TestSpark;
import org.segmentation.config.KpiSettings;
import org.segmentation.config.KpiSettings.SurveyScale;
import org.segmentation.config.SourceFormat;
import org.segmentation.config.SourceSettings;
import org.segmentation.input.ColumnMapping;
import org.segmentation.input.InputValidation;
import org.segmentation.io.TableCatalog;
import org.segmentation.schema.Columns;

/**
 * segment_kpis on four customers on 2026-11-20 (conversion over 30 days, answers over 90):
 * Champions c1 (revenue 100, CLV 50, last order 11-15: converted) and c2 (50, 30, 10-01: 50 days, not converted);
 * Hibernating c3 (10, no CLV, 06-01) and c4 (a prospect: 0, CLV 10, no order). Answers: c1 5 on 11-10 and 4 on
 * 11-19, c2 2 on 11-01; not counted: c3's 3 of 05-01 (before the 90 days), c1's 1 of 11-21 (after the run date), and
 * c9's 5 (no such customer tonight).
 */
class SegmentKpisTest {
  static final LocalDate RUN = LocalDate.parse("2026-11-20");
  static final StructType CUSTOMERS = new StructType()
      .add(Columns.CUSTOMER_ID, DataTypes.StringType)
      .add(Columns.NET_REVENUE, Columns.MONEY)
      .add(Columns.PREDICTED_CLV, DataTypes.DoubleType)
      .add(Columns.LAST_PURCHASE_DATE, DataTypes.DateType)
      .add(Columns.RFM_SEGMENT, DataTypes.StringType)
      .add(Columns.CLUSTER_NAME, DataTypes.StringType)
      .add(Columns.CLV_TIER, DataTypes.StringType);
  static final StructType ANSWERS = new StructType()
      .add(Columns.CUSTOMER_ID, DataTypes.StringType)
      .add(Columns.ANSWERED_TS, DataTypes.TimestampType)
      .add(Columns.SCORE, DataTypes.DoubleType);

  static Dataset<Row> customers() {
    return TestSpark.rows(CUSTOMERS,
        row("c1", money("100"), 50.0, date("2026-11-15"), "Champions", null, "top"),
        row("c2", money("50"), 30.0, date("2026-10-01"), "Champions", null, "top"),
        row("c3", money("10"), null, date("2026-06-01"), "Hibernating", null, "low"),
        row("c4", money("0"), 10.0, null, "Hibernating", null, "low"));
  }

  static Dataset<Row> answers(double c1First, double c1Second, double c2) {
    return TestSpark.rows(ANSWERS,
        row("c1", ts("2026-11-10 10:00:00"), c1First),
        row("c1", ts("2026-11-19 10:00:00"), c1Second),
        row("c2", ts("2026-11-01 10:00:00"), c2),
        row("c3", ts("2026-05-01 10:00:00"), 3.0),
        row("c1", ts("2026-11-21 10:00:00"), 1.0),
        row("c9", ts("2026-11-10 10:00:00"), 5.0));
  }

  static Map<String, Row> byCell(SurveyScale scale, Optional<Dataset<Row>> answers) {
    Dataset<Row> kpis = new SegmentKpis(RUN, new KpiSettings(true, 30, 90, scale), SegmentKpis.BREAKDOWNS)
        .apply(customers(), answers);
    assertEquals(TableCatalog.SEGMENT_KPIS.columnNames(), List.of(kpis.schema().fieldNames()));
    return kpis.collectAsList().stream().collect(Collectors.toMap(
        r -> r.getAs(Columns.BREAKDOWN) + "/" + r.getAs(Columns.CELL), r -> r));
  }

  @Test
  void customersRevenueConversionClvAndCsatPerCell() {
    Map<String, Row> kpis = byCell(SurveyScale.CSAT, Optional.of(answers(5, 4, 2)));
    assertEquals(1 + 2 + 1 + 2, kpis.size(), kpis.keySet().toString()); // all, 2 segments, 1 cluster cell, 2 tiers
    Row champions = kpis.get("rfm_segment/Champions");
    assertEquals(2L, (long) champions.getAs(Columns.CUSTOMERS));
    assertEquals(0, money("150").compareTo(champions.getAs(Columns.REVENUE)));
    assertEquals(0.5, champions.<Double>getAs(Columns.CONVERSION), 1e-12);
    assertEquals(40.0, champions.<Double>getAs(Columns.meanOf(Columns.PREDICTED_CLV)), 1e-12);
    assertEquals(3L, (long) champions.getAs(Columns.ANSWERS));
    assertEquals(200.0 / 3, champions.<Double>getAs(Columns.CSAT), 1e-9); // 5 and 4 of 5, 4 and 2
    assertNull(champions.getAs(Columns.NPS));

    Row hibernating = kpis.get("rfm_segment/Hibernating");
    assertEquals(0.0, hibernating.<Double>getAs(Columns.CONVERSION), 1e-12);
    assertEquals(10.0, hibernating.<Double>getAs(Columns.meanOf(Columns.PREDICTED_CLV)), 1e-12);
    assertEquals(0L, (long) hibernating.getAs(Columns.ANSWERS));
    assertNull(hibernating.getAs(Columns.CSAT), "no answer: no CSAT, never 0 %");

    Row all = kpis.get("all/all");
    assertEquals(4L, (long) all.getAs(Columns.CUSTOMERS));
    assertEquals(0.25, all.<Double>getAs(Columns.CONVERSION), 1e-12);
    assertEquals(3L, (long) all.getAs(Columns.ANSWERS));
    assertEquals(4L, (long) kpis.get("cluster_name/(unknown)").getAs(Columns.CUSTOMERS));
    assertEquals(2L, (long) kpis.get("clv_tier/top").getAs(Columns.CUSTOMERS));
  }

  @Test
  void npsIsPromotersMinusDetractors() {
    Map<String, Row> kpis = byCell(SurveyScale.NPS, Optional.of(answers(10, 9, 2)));
    Row champions = kpis.get("rfm_segment/Champions");
    assertEquals(100.0 * (2 - 1) / 3, champions.<Double>getAs(Columns.NPS), 1e-9);
    assertNull(champions.getAs(Columns.CSAT));
    assertEquals(100.0 * (2 - 1) / 3, kpis.get("all/all").<Double>getAs(Columns.NPS), 1e-9);
  }

  @Test
  void withoutASurveysInputThereAreNoAnswers() {
    Row all = byCell(SurveyScale.CSAT, Optional.empty()).get("all/all");
    assertEquals(0L, (long) all.getAs(Columns.ANSWERS));
    assertNull(all.getAs(Columns.CSAT));
    assertNull(all.getAs(Columns.NPS));
  }

  /** A score outside the scale is quarantined with its reason; a blank one is missing. */
  @Test
  void scoresOutsideTheScaleAreQuarantined() {
    StructType raw = new StructType().add("who", DataTypes.StringType).add("at", DataTypes.StringType)
        .add("rating", DataTypes.StringType);
    SourceSettings source = new SourceSettings(SourceSettings.SURVEYS, true, SourceFormat.CSV, "unused", Map.of(),
        Map.of(Columns.CUSTOMER_ID, "who", Columns.ANSWERED_TS, "to_timestamp(at)", Columns.SCORE, "rating"));
    Dataset<Row> mapped = new ColumnMapping(source, source.schema()).apply(TestSpark.rows(raw,
        row("a", "2026-11-01 10:00:00", "5"), row("b", "2026-11-01 10:00:00", "0"),
        row("c", "2026-11-01 10:00:00", "6"), row("d", "2026-11-01 10:00:00", "")));
    Map<String, String> reasons = InputValidation.surveys(source.schema(), SurveyScale.CSAT).apply(mapped)
        .collectAsList().stream().collect(Collectors.toMap(r -> r.getString(0),
            r -> r.isNullAt(r.fieldIndex(Columns.QUARANTINE_REASONS)) ? ""
                : String.join(",", r.<String>getList(r.fieldIndex(Columns.QUARANTINE_REASONS)))));
    assertEquals(Map.of("a", "", "b", "score_out_of_range", "c", "score_out_of_range", "d", "missing_score"),
        reasons);
  }
}
