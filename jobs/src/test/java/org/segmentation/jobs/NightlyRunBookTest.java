package org.segmentation.jobs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.junit.jupiter.api.Test;
import org.segmentation.TestSpark;
import org.segmentation.audiences.BuildAudiences;
import org.segmentation.audiences.ExportAudiences;
import org.segmentation.experiments.MeasureExperiments;
import org.segmentation.clustering.ClusterCustomers;
import org.segmentation.clv.FitClv;
import org.segmentation.clv.ScoreClv;
import org.segmentation.checks.CheckRules;
import org.segmentation.features.BuildFeatures;
import org.segmentation.features.ProfileMatch;
import org.segmentation.features.ProfileMatchGate;
import org.segmentation.input.LoadAndValidate;
import org.segmentation.input.NightPlan;
import org.segmentation.input.PlanNight;
import org.segmentation.input.QualityGate;
import org.segmentation.input.ValidatedInput;
import org.segmentation.input.ValidatedInputs;
import org.segmentation.io.PublishedHistory;
import org.segmentation.io.RunLog;
import org.segmentation.io.StagedOutput;
import org.segmentation.io.TableCatalog;
import org.segmentation.io.TableRepair;
import org.segmentation.io.TableSpec;
import org.segmentation.output.AssembleSegmentTables;
import org.segmentation.output.PublishTable;
import org.segmentation.output.CommitNight;
import org.segmentation.output.NightPublisher;
import org.segmentation.output.PublishOutputs;
import org.segmentation.output.RecordRun;
import org.segmentation.output.RepairTables;
import org.segmentation.pipeline.Step;
import org.segmentation.pipeline.StepResult;
import org.segmentation.pipeline.StepRunner;
import org.segmentation.report.WriteReport;
import org.segmentation.rfm.KeepPurchaseState;
import org.segmentation.rfm.ScoreRfm;

/**
 * The composition of a night, without running a step: a runner that executes nothing records the steps in order and
 * hands out stand-in results, so the test sees which step gets which earlier result. The order must be the one the README
 * lists.
 */
class NightlyRunBookTest {
  static final NightPlan PLAN = NightPlan.full(PlanNight.NO_STATE, true);
  static final KeepPurchaseState.Kept STATE = new KeepPurchaseState.Kept(Optional.of(TestSpark.get().emptyDataFrame()),
      Optional.empty(), Map.of(TableCatalog.PURCHASE_STATE, TestSpark.get().emptyDataFrame()));
  static final ValidatedInputs INPUTS = new ValidatedInputs(null, Optional.empty(), Optional.empty(),
      Optional.empty(), Optional.empty(), List.of(new ValidatedInput.Counts("purchases", 10, 9, 1, 0)), Map.of(),
        PLAN, Optional.empty(), 0, Optional.empty());
  static final BuildFeatures.Features FEATURES = new BuildFeatures.Features(null, 9, 4,
      java.util.OptionalLong.empty(), Optional.of(new ProfileMatch(3, 1, 2)),
      Map.of(TableCatalog.PURCHASE_TOTALS, TestSpark.get().emptyDataFrame()));
  static final ScoreRfm.Scored SCORED = new ScoreRfm.Scored(null, null);
  static final FitClv.Fitted CLV = new FitClv.Fitted(Optional.empty(), null, "");
  static final ScoreClv.Scored VALUED = new ScoreClv.Scored(TestSpark.get().emptyDataFrame(), java.util.Optional.empty(),
      "");
  static final PublishedHistory HISTORY = new PublishedHistory(java.time.LocalDate.of(2026, 11, 21), Optional.empty(),
      java.util.Set.of("2026-11-20_run"), List.of(java.time.LocalDate.of(2026, 11, 20)));
  static final RepairTables.Repaired REPAIRED = new RepairTables.Repaired(List.of(new TableRepair.Restored(
      TableCatalog.SEGMENT_SUMMARY, java.time.LocalDate.of(2026, 11, 20), 7)), List.of(), List.of(), HISTORY);

  /** Records each step and returns a stand-in result; checks that each step received the result meant for it. */
  static final WriteReport.Written REPORT = new WriteReport.Written(Optional.of(new StagedOutput() {
    @Override
    public String name() {
      return "report";
    }

    @Override
    public String location() {
      return "file:/lake/reports/2026-11-21.html";
    }

    @Override
    public void publish() {
      throw new AssertionError("a recording runner executes nothing");
    }

    @Override
    public void discard() {
      throw new AssertionError("a recording runner executes nothing");
    }
  }));

  static final class RecordingRunner extends StepRunner {
    final List<String> names = new ArrayList<>();
    final List<TableSpec> published = new ArrayList<>();
    final boolean clustered;
    ClusterCustomers.Clustered clusters;
    AssembleSegmentTables.SegmentTables segmentTables;
    BuildAudiences.Audiences audiences;
    org.segmentation.propensity.ScorePropensity.Scored propensity;
    org.segmentation.uplift.ScoreUplift.Scored uplift;
    org.segmentation.affinity.RecommendProducts.Recommended recommended;

    RecordingRunner(boolean clustered) {
      super(null, null);
      this.clustered = clustered;
    }

    @Override
    public String summaryJson(String status, int exitCode, String reason) {
      return "{\"status\":\"" + status + "\"}";
    }

    @Override
    @SuppressWarnings("unchecked")
    public <R extends StepResult> R run(Step<R> step) {
      names.add(step.name());
      return (R) resultOf(step);
    }

    @Override
    public <R extends StepResult> List<R> runSideBySide(List<? extends Step<R>> steps) {
      return runSideBySide(steps, 1); // one after the other, so that the recorded names keep their order
    }

    private StepResult resultOf(Step<?> step) {
      if (step instanceof CheckRules) {
        return new CheckRules.Checked(11, List.of());
      } else if (step instanceof RepairTables) {
        return REPAIRED;
      } else if (step instanceof PlanNight plan) {
        assertTrue(plan.fullAsked(), "--full reaches the plan");
        return PLAN;
      } else if (step instanceof LoadAndValidate load) {
        assertSame(PLAN, load.plan());
        return INPUTS;
      } else if (step instanceof QualityGate gate) {
        assertSame(INPUTS, gate.inputs());
        return new QualityGate.Passed(0.1, 0.2);
      } else if (step instanceof KeepPurchaseState keep) {
        assertSame(INPUTS, keep.inputs());
        return STATE;
      } else if (step instanceof BuildFeatures build) {
        assertSame(INPUTS, build.inputs());
        assertSame(STATE, build.state(), "the features read the night's state");
        return FEATURES;
      } else if (step instanceof ProfileMatchGate gate) {
        assertSame(FEATURES, gate.features());
        return new ProfileMatchGate.Passed("");
      } else if (step instanceof FitClv fit) {
        assertSame(FEATURES, fit.features());
        assertSame(HISTORY, fit.history(), "the published history the repair read");
        return CLV;
      } else if (step instanceof ScoreClv score) {
        assertSame(FEATURES, score.features());
        assertSame(CLV, score.fitted());
        return VALUED;
      } else if (step instanceof ScoreRfm score) {
        assertSame(VALUED.rows(), score.customers());
        return SCORED;
      } else if (step instanceof ClusterCustomers cluster) {
        assertSame(SCORED, cluster.scored());
        assertSame(HISTORY, cluster.history());
        clusters = new ClusterCustomers.Clustered(null, clustered ? Optional.of(noRows()) : Optional.empty(), "");
        return clusters;
      } else if (step instanceof AssembleSegmentTables assemble) {
        assertSame(INPUTS, assemble.inputs());
        assertSame(clusters, assemble.clustered());
        assertSame(CLV, assemble.clv());
        assertSame(HISTORY, assemble.history());
        Map<TableSpec, Dataset<Row>> tables = new LinkedHashMap<>();
        for (TableSpec table : List.of(TableCatalog.CUSTOMER_SEGMENTS, TableCatalog.SEGMENT_SUMMARY,
            TableCatalog.SEGMENT_TRANSITIONS, TableCatalog.QUARANTINE)) {
          tables.put(table, noRows());
        }
        tables.put(TableCatalog.CLUSTER_PROFILES, noRows()); // rows or none: the table is always written
        tables.put(TableCatalog.CLV_MODEL, noRows());
        segmentTables = new AssembleSegmentTables.SegmentTables(tables, Optional.empty());
        return segmentTables;
      } else if (step instanceof org.segmentation.propensity.ScorePropensity score) {
        assertSame(INPUTS, score.inputs());
        assertSame(clusters, score.customers());
        assertSame(HISTORY, score.history());
        Map<TableSpec, Dataset<Row>> tables = new LinkedHashMap<>();
        TableCatalog.PROPENSITY_TABLES.forEach(table -> tables.put(table, noRows()));
        propensity = new org.segmentation.propensity.ScorePropensity.Scored(tables, List.of(),
            Optional.of(noRows()));
        return propensity;
      } else if (step instanceof org.segmentation.uplift.ScoreUplift score) {
        assertSame(INPUTS, score.inputs());
        assertSame(clusters, score.customers());
        assertSame(segmentTables, score.segments());
        assertSame(HISTORY, score.history());
        Map<TableSpec, Dataset<Row>> tables = new LinkedHashMap<>();
        TableCatalog.UPLIFT_TABLES.forEach(table -> tables.put(table, noRows()));
        uplift = new org.segmentation.uplift.ScoreUplift.Scored(tables, List.of(), Optional.of(noRows()));
        return uplift;
      } else if (step instanceof org.segmentation.affinity.MeasureSegmentAffinity affinity) {
        assertSame(INPUTS, affinity.inputs());
        assertSame(segmentTables, affinity.segments());
        return new org.segmentation.affinity.MeasureSegmentAffinity.Measured(
            Map.of(TableCatalog.SEGMENT_AFFINITY, noRows()), 3);
      } else if (step instanceof org.segmentation.affinity.MineProductRules rules) {
        assertSame(INPUTS, rules.inputs());
        return new org.segmentation.affinity.MineProductRules.Mined(Map.of(TableCatalog.PRODUCT_RULES, noRows()), 7,
            2);
      } else if (step instanceof org.segmentation.affinity.RecommendProducts recommend) {
        assertSame(INPUTS, recommend.inputs());
        assertSame(segmentTables, recommend.segments());
        Map<TableSpec, Dataset<Row>> tables = new LinkedHashMap<>();
        TableCatalog.RECOMMENDATION_TABLES.forEach(table -> tables.put(table, noRows()));
        recommended = new org.segmentation.affinity.RecommendProducts.Recommended(tables, List.of(),
            Optional.empty(), Optional.of(noRows()), Optional.empty());
        return recommended;
      } else if (step instanceof BuildAudiences build) {
        assertEquals(List.of(propensity.byCustomer().get(), uplift.byCustomer().get(),
            recommended.byCustomer().get()), build.scores(), "audiences read the night's scores and lists");
        assertSame(INPUTS, build.inputs());
        assertSame(FEATURES, build.features());
        assertSame(segmentTables, build.segments());
        assertSame(HISTORY, build.history());
        Map<TableSpec, Dataset<Row>> tables = new LinkedHashMap<>();
        TableCatalog.AUDIENCE_TABLES.forEach(table -> tables.put(table, noRows()));
        audiences = new BuildAudiences.Audiences(tables, Optional.empty(), Optional.empty(), Map.of(), Map.of());
        return audiences;
      } else if (step instanceof MeasureExperiments measure) {
        assertSame(INPUTS, measure.inputs());
        assertSame(segmentTables, measure.segments());
        assertSame(STATE.state(), measure.purchaseState(), "the experiments read the night's state");
        Map<TableSpec, Dataset<Row>> tables = new LinkedHashMap<>();
        TableCatalog.EXPERIMENT_TABLES.forEach(table -> tables.put(table, noRows()));
        return new MeasureExperiments.Measured(tables, Map.of());
      } else if (step instanceof org.segmentation.output.MeasureSegmentKpis kpis) {
        assertSame(INPUTS, kpis.inputs());
        assertSame(segmentTables, kpis.segments());
        return new org.segmentation.output.MeasureSegmentKpis.Measured(
            Map.of(TableCatalog.SEGMENT_KPIS, noRows()), false);
      } else if (step instanceof ExportAudiences export) {
        assertSame(audiences, export.audiences());
        assertEquals(TableCatalog.PURCHASE_STATE, published.get(published.size() - 1),
            "exports follow the writes");
        return new ExportAudiences.Exported(Map.of());
      } else if (step instanceof WriteReport report) {
        assertSame(INPUTS, report.inputs());
        assertSame(HISTORY, report.history());
        assertEquals(published, report.commits().stream().map(PublishTable.Commit::table).toList(),
            "the report reads every table the night committed");
        return REPORT;
      } else if (step instanceof PublishTable publish) {
        published.add(publish.table());
        return new PublishTable.Commit(publish.table(), published.size(), 1);
      } else if (step instanceof PublishOutputs) {
        assertEquals("write_run_log", names.get(names.size() - 2), "outputs are put in place after the commit");
        return new PublishOutputs.Published(List.of());
      } else if (step instanceof CommitNight commit) {
        RecordRun record = commit.record();
        assertEquals(RunLog.PUBLISHED, record.status());
        assertSame(INPUTS, record.inputs().orElseThrow());
        assertSame(FEATURES.profileMatch(), record.profileMatch());
        assertEquals(published, record.commits().stream().map(PublishTable.Commit::table).toList());
        assertEquals(REPAIRED.restored(), record.restored(), "what the repair put back is recorded");
        assertEquals("{\"status\":\"published\"}", record.summaryJson(), "the run's summary is recorded");
        assertEquals(REPORT.path().orElseThrow(), record.reportPath(), "the report's path is recorded");
        return new RecordRun.Recorded(record.status());
      }
      throw new AssertionError("a step the test does not know: " + step.name());
    }

    /** A stand-in for a table's rows: the run book only passes them on. */
    private static Dataset<Row> noRows() {
      return TestSpark.get().emptyDataFrame();
    }
  }

  /** The step names of README.md's "What the job does" list, in order ({@code 1. `check_rules` ...}). */
  static List<String> readmeSteps() throws IOException {
    String readme = Files.readString(CdnowReferenceTest.REPO.resolve("README.md"));
    String section = readme.substring(readme.indexOf("## What the job does"), readme.indexOf("\n## ",
        readme.indexOf("## What the job does") + 1));
    List<String> steps = new ArrayList<>();
    Matcher step = Pattern.compile("(?m)^\\d+\\. `([a-z_<>]+)`").matcher(section);
    while (step.find()) {
      steps.add(step.group(1));
    }
    return steps;
  }

  /** The recorded names with the write_ of each table folded into one write_&lt;table&gt;, as the README says. */
  static List<String> folded(List<String> names) {
    List<String> steps = new ArrayList<>();
    for (String name : names) {
      String step = name.startsWith("write_") && !name.equals("write_run_log") && !name.equals("write_report")
          ? "write_<table>" : name;
      if (steps.isEmpty() || !steps.get(steps.size() - 1).equals(step)) {
        steps.add(step);
      }
    }
    return steps;
  }

  @Test
  void aNightRunsTheStepsTheReadmeListsInThatOrder() throws IOException {
    RecordingRunner steps = new RecordingRunner(true);
    NightlyRunBook.Outcome outcome = NightlyRunBook.run(steps, new NightPublisher(null, List.of()), true);

    assertEquals(readmeSteps(), folded(steps.names));
    assertEquals(List.of(TableCatalog.CUSTOMER_SEGMENTS, TableCatalog.SEGMENT_SUMMARY,
        TableCatalog.SEGMENT_TRANSITIONS, TableCatalog.QUARANTINE, TableCatalog.CLUSTER_PROFILES,
        TableCatalog.CLV_MODEL, TableCatalog.AUDIENCE_MEMBERS, TableCatalog.AUDIENCE_CHANGES,
        TableCatalog.EXPERIMENT_RESULTS, TableCatalog.SEGMENT_KPIS, TableCatalog.CUSTOMER_PROPENSITY,
        TableCatalog.PROPENSITY_MODEL_METRICS, TableCatalog.CUSTOMER_UPLIFT, TableCatalog.UPLIFT_MODEL_METRICS,
        TableCatalog.SEGMENT_AFFINITY, TableCatalog.PRODUCT_RULES, TableCatalog.NEXT_BEST_PRODUCTS,
        TableCatalog.RECOMMENDATION_METRICS, TableCatalog.PURCHASE_TOTALS, TableCatalog.PURCHASE_STATE),
        steps.published);
    assertEquals(RunLog.PUBLISHED, outcome.status());
    assertEquals(FEATURES.customers(), outcome.customers());
  }

  @Test
  void aDryRunStopsAfterTheGates() throws IOException {
    RecordingRunner steps = new RecordingRunner(true);
    NightlyRunBook.Outcome outcome = NightlyRunBook.run(steps, null, true);
    List<String> readme = new ArrayList<>(readmeSteps());
    readme.remove("repair_tables"); // a dry run changes no table, so it repairs none
    assertEquals(readme.subList(0, readme.indexOf("profile_match") + 1), steps.names);
    assertEquals(RunLog.DRY_RUN, outcome.status());
  }
}
