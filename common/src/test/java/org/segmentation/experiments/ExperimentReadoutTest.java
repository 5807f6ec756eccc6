package org.segmentation.experiments;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.segmentation.TestSpark.row;

import java.time.LocalDate;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.Test;
import org.segmentation.TestSpark;
import org.segmentation.experiments.ExperimentReadout.Design;
import org.segmentation.experiments.ExperimentReadout.Result;
import org.segmentation.experiments.ExperimentSums.Metric;
import org.segmentation.io.TableCatalog;
import org.segmentation.run.DataQualityException;
import org.segmentation.schema.BreakdownCells;

/** The read-out of a hand-made experiment, cell by cell, against sums and tests computed here from the rows. */
class ExperimentReadoutTest {
  static final StructType MEMBERS = new StructType()
      .add("experiment", DataTypes.StringType).add("variant", DataTypes.StringType)
      .add("segment", DataTypes.StringType).add("revenue", DataTypes.DoubleType)
      .add("pre_revenue", DataTypes.DoubleType).add("converted", DataTypes.BooleanType);
  static final List<Metric> METRICS = List.of(new Metric("revenue", "revenue", Optional.of("pre_revenue")),
      new Metric("converted", "converted", Optional.empty()));

  static Dataset<Row> members() {
    return TestSpark.get().createDataFrame(List.of(
        row("e1", "control", "A", 10.0, 8.0, true),
        row("e1", "control", "A", 0.0, 1.0, false),
        row("e1", "control", "A", 5.0, 4.0, true),
        row("e1", "control", "B", 2.0, 2.0, false),
        row("e1", "control", "B", 4.0, 5.0, true),
        row("e1", "mail", "A", 12.0, 9.0, true),
        row("e1", "mail", "A", 3.0, 1.0, true),
        row("e1", "mail", "B", 6.0, 4.0, true),
        row("e1", "mail", "B", 1.0, 3.0, false),
        row("e1", "mail", "B", null, 3.0, false), // no revenue figure: left out of revenue, counted as a member
        row("e1", "mail", null, 7.0, 6.0, true),  // no segment at assignment
        row("e1", "mail", "C", 9.0, 9.0, true)),  // a cell without control members
        MEMBERS);
  }

  static List<Result> readOut() {
    List<Row> sums = new ExperimentSums(METRICS, List.of("segment")).apply(members()).collectAsList();
    return ExperimentReadout.read(sums, Map.of("e1", new Design("control", Map.of(), true, true)), METRICS, 0.95);
  }

  static Result result(List<Result> results, String metric, String breakdown, String cell) {
    return results.stream().filter(r -> r.metric().equals(metric) && r.breakdown().equals(breakdown)
        && r.cell().equals(cell)).findFirst().orElseThrow(() -> new AssertionError(metric + " " + cell));
  }

  @Test
  void everyCellOfEveryBreakdownIsTheTestOfItsRows() {
    List<Result> results = readOut();
    // 2 metrics x (whole + cells A, B, C, unknown)
    assertEquals(10, results.size());

    Result whole = result(results, "revenue", "all", "all");
    double[] control = {10, 0, 5, 2, 4};
    double[] mail = {12, 3, 6, 1, 7, 9};
    assertEquals(5, whole.controlSums().n());
    assertEquals(6, whole.variantSums().n(), "the member without revenue is left out");
    assertEquals(LiftTest.welch(ArmSums.of(control, null), ArmSums.of(mail, null), 0.95).orElseThrow(),
        whole.lift().orElseThrow());
    double[] controlPre = {8, 1, 4, 2, 5};
    double[] mailPre = {9, 1, 4, 3, 6, 9};
    assertEquals(LiftTest.cuped(ArmSums.of(control, controlPre), ArmSums.of(mail, mailPre), 0.95).orElseThrow()
        .theta(), whole.cuped().orElseThrow().theta(), 1e-12);
    assertEquals(whole.lift().orElseThrow().pValue(), whole.qValue(), 1e-15, "a family of one");

    Result conversionsA = result(results, "converted", "segment", "A");
    assertEquals(2.0 / 3, conversionsA.controlSums().mean(), 1e-12);
    assertEquals(1.0, conversionsA.variantSums().mean(), 1e-12);

    Result onlyMail = result(results, "revenue", "segment", "C");
    assertEquals(0, onlyMail.controlSums().n());
    assertTrue(onlyMail.lift().isEmpty(), "no statistic without control members");
    Result unknown = result(results, "revenue", "segment", BreakdownCells.UNKNOWN);
    assertEquals(1, unknown.variantSums().n());

    // the sample-ratio check: 5 control and 7 mail members against equal shares
    double chiSquared = 2 * 1.0 / 6;
    assertEquals(org.apache.commons.math3.special.Erf.erfc(Math.sqrt(chiSquared / 2)), whole.srmPValue(), 1e-12);
  }

  @Test
  void qValuesAreBenjaminiHochbergOverTheCellsOfABreakdown() {
    List<Result> results = readOut().stream()
        .filter(r -> r.metric().equals("revenue") && r.breakdown().equals("segment")).toList();
    double[] p = results.stream().mapToDouble(r -> r.lift().map(LiftTest.Lift::pValue).orElse(Double.NaN))
        .toArray();
    double[] q = FalseDiscovery.qValues(p);
    for (int i = 0; i < results.size(); i++) {
      assertEquals(q[i], results.get(i).qValue(), 1e-15, results.get(i).cell());
    }
  }

  @Test
  void theRowsAreExperimentResultsRows() {
    List<Row> rows = readOut().stream().map(r -> ExperimentReadout.toRow(r, LocalDate.of(2026, 11, 20), 0.95))
        .toList();
    Dataset<Row> table = TestSpark.get().createDataFrame(rows, TableCatalog.EXPERIMENT_RESULTS.schema());
    assertEquals(List.of(), TableCatalog.EXPERIMENT_RESULTS.differencesFrom(table.schema()));
    Row onlyMail = table.where("metric = 'revenue' and cell = 'C'").first();
    assertEquals(0L, (long) onlyMail.getAs("control_n"));
    assertNull(onlyMail.getAs("control_mean"));
    assertNull(onlyMail.getAs("absolute_lift"));
    assertNull(onlyMail.getAs("q_value"));
  }

  @Test
  void aControlVariantWithoutMembersIsADataErrorNamingTheVariantsFound() {
    List<Row> sums = new ExperimentSums(METRICS, List.of()).apply(members()).collectAsList();
    DataQualityException e = assertThrows(DataQualityException.class, () -> ExperimentReadout.read(sums,
        Map.of("e1", new Design("holdout", Map.of(), true, true)), METRICS, 0.95));
    assertTrue(e.getMessage().contains("'holdout'") && e.getMessage().contains("[control, mail]"), e.getMessage());
  }

  @Test
  void anAudienceWhoseHoldoutDrewNobodyShowsAnEmptyArmAndAFlaggedSplit() {
    List<Row> sums = new ExperimentSums(METRICS, List.of()).apply(members()).collectAsList();
    List<Result> results = ExperimentReadout.read(sums, Map.of("e1", new Design("holdout",
        Map.of("holdout", 0.5, "control", 0.25, "mail", 0.25), true, false)), METRICS, 0.95);
    // control and mail are both compared with the empty holdout
    assertEquals(2 * METRICS.size(), results.size());
    for (Result r : results) {
      assertEquals(0, r.controlSums().n());
      assertTrue(r.lift().isEmpty());
      // 0, 5 and 7 members against 6, 3 and 3 expected: χ² = 6 + 4/3 + 16/3 = 12.67, two degrees of freedom
      assertEquals(Math.exp(-(6 + 4.0 / 3 + 16.0 / 3) / 2), r.srmPValue(), 1e-12);
    }
  }
}
