package org.segmentation.jobs;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;
import org.apache.spark.sql.SparkSession;
import org.segmentation.affinity.MeasureSegmentAffinity;
import org.segmentation.affinity.MineProductRules;
import org.segmentation.affinity.RecommendProducts;
import org.segmentation.audiences.BuildAudiences;
import org.segmentation.audiences.ExportAudiences;
import org.segmentation.clustering.ClusterCustomers;
import org.segmentation.clv.FitClv;
import org.segmentation.clv.ScoreClv;
import org.segmentation.config.JobSettings;
import org.segmentation.experiments.MeasureExperiments;
import org.segmentation.checks.CheckRules;
import org.segmentation.features.BuildFeatures;
import org.segmentation.features.ProfileMatchGate;
import org.segmentation.input.LoadAndValidate;
import org.segmentation.input.NightPlan;
import org.segmentation.input.PlanNight;
import org.segmentation.input.QualityGate;
import org.segmentation.input.ValidatedInputs;
import org.segmentation.io.CheckpointFolder;
import org.segmentation.io.PublishedHistory;
import org.segmentation.io.RunLog;
import org.segmentation.io.StagingArea;
import org.segmentation.output.AssembleSegmentTables;
import org.segmentation.output.PublishTable;
import org.segmentation.output.RecordRun;
import org.segmentation.output.MeasureSegmentKpis;
import org.segmentation.output.NightPublisher;
import org.segmentation.output.RepairTables;
import org.segmentation.pipeline.StepRunner;
import org.segmentation.propensity.ScorePropensity;
import org.segmentation.report.SegmentReport;
import org.segmentation.report.WriteReport;
import org.segmentation.rfm.KeepPurchaseState;
import org.segmentation.rfm.ScoreRfm;
import org.segmentation.uplift.ScoreUplift;

/**
 * One night, as the operator's run book tells it. Each line is a step (its class says where its columns are computed);
 * the steps own their policy, and this class only composes their immutable results. What becomes visible, and when,
 * is the night's publisher's ({@link NightPublisher}): the steps hand it their outputs. Step names are the
 * {@code stage=} of the progress lines and the Spark job groups.
 */
final class NightlyRunBook {
  private NightlyRunBook() {}

  /** What the run did, for the summary line. */
  record Outcome(String status, ValidatedInputs inputs, long customers) {}

  /**
   * Where the night's side outputs are staged until it commits (the audiences' exports, the report pages), and what a
   * killed run's fits left (their checkpoints).
   */
  static List<StagingArea> stagingAreas(SparkSession spark, JobSettings settings) {
    return List.of(ExportAudiences.stagingArea(spark, settings), SegmentReport.stagingArea(spark, settings),
        CheckpointFolder.stagingArea(spark, settings.lake().root()));
  }

  /**
   * @param night the night's publisher; NULL for a dry run, which stops after the gates and writes nothing
   * @param full {@code --full}: read the whole purchases input even where the night could read only what it gained
   */
  static Outcome run(StepRunner steps, NightPublisher night, boolean full) {
    steps.run(new CheckRules());                                    // check_rules: exit 2 before any data is read
    RepairTables.Repaired begun = night == null ? null
        : steps.run(night.repair());                                // repair_tables: a killed run's leftovers
    NightPlan plan = steps.run(new PlanNight(full));                // plan_night: the whole input, or what it gained
    ValidatedInputs inputs = steps.run(new LoadAndValidate(plan));  // load_validate: read once, map, quarantine
    steps.run(new QualityGate(inputs));                             // quality_gate: exit 3, nothing published
    KeepPurchaseState.Kept state = steps.run(new KeepPurchaseState(inputs));         // purchase_state: for tomorrow
    BuildFeatures.Features features = steps.run(new BuildFeatures(inputs, state)); // features
    steps.run(new ProfileMatchGate(features));                      // profile_match: exit 3 when ids do not meet
    if (night == null) {
      return new Outcome(RunLog.DRY_RUN, inputs, features.customers());
    }
    PublishedHistory history = begun.history();                     // the published nights before this one
    FitClv.Fitted clv = steps.run(new FitClv(features, history));   // clv_fit: BG/NBD + Gamma-Gamma, or reuse
    ScoreClv.Scored valued = steps.run(new ScoreClv(features, clv));                 // clv_scoring
    ScoreRfm.Scored scored = steps.run(new ScoreRfm(valued.rows()));                 // rfm_scoring
    ClusterCustomers.Clustered clustered = steps.run(new ClusterCustomers(scored, history)); // clustering
    AssembleSegmentTables.SegmentTables tables =
        steps.run(new AssembleSegmentTables(inputs, clustered, clv, history));       // assemble_tables
    ScorePropensity.Scored propensity =
        steps.run(new ScorePropensity(inputs, clustered, history)); // propensity: fit or reuse, measure, score
    ScoreUplift.Scored uplift =
        steps.run(new ScoreUplift(inputs, clustered, tables, history)); // uplift: learned from the experiments
    MeasureSegmentAffinity.Measured affinity =
        steps.run(new MeasureSegmentAffinity(inputs, tables));     // segment_affinity: what each segment buys more
    MineProductRules.Mined rules = steps.run(new MineProductRules(inputs)); // product_rules: bought together
    RecommendProducts.Recommended recommended =
        steps.run(new RecommendProducts(inputs, tables));          // next_best_products: tested against popularity
    BuildAudiences.Audiences audiences = steps.run(new BuildAudiences(inputs, features, tables, history,
        Stream.of(propensity.byCustomer(), uplift.byCustomer(), recommended.byCustomer()).flatMap(Optional::stream)
            .toList()));                                            // audiences
    MeasureExperiments.Measured experiments =
        steps.run(new MeasureExperiments(inputs, tables, state.state())); // measure_experiments: holdouts vs arms
    MeasureSegmentKpis.Measured kpis = steps.run(new MeasureSegmentKpis(inputs, tables)); // segment_kpis: the trend
    List<PublishTable> writes = new ArrayList<>();
    tables.inPublishingOrder().forEach((table, rows) -> writes.add(night.table(table, rows)));
    audiences.tables().forEach((table, rows) -> writes.add(night.table(table, rows)));
    experiments.tables().forEach((table, rows) -> writes.add(night.table(table, rows)));
    kpis.tables().forEach((table, rows) -> writes.add(night.table(table, rows)));
    propensity.tables().forEach((table, rows) -> writes.add(night.table(table, rows)));
    uplift.tables().forEach((table, rows) -> writes.add(night.table(table, rows)));
    affinity.tables().forEach((table, rows) -> writes.add(night.table(table, rows)));
    rules.tables().forEach((table, rows) -> writes.add(night.table(table, rows)));
    recommended.tables().forEach((table, rows) -> writes.add(night.table(table, rows)));
    features.tables().forEach((table, rows) -> writes.add(night.table(table, rows)));
    state.tables().forEach((table, rows) -> writes.add(night.table(table, rows)));
    List<PublishTable.Commit> commits = steps.runSideBySide(writes); // write_<table>: side by side
    night.stage(steps.run(new ExportAudiences(audiences)).folders().values());      // export_audiences: staged
    WriteReport.Written report = steps.run(new WriteReport(inputs, commits, history)); // write_report: staged
    report.page().ifPresent(page -> night.stage(List.of(page)));
    steps.run(night.commit(RecordRun.published(inputs, features.profileMatch(), commits, begun.restored(),
        steps.summaryJson(RunLog.PUBLISHED, 0, null), report.path())));            // write_run_log: published
    steps.run(night.publishOutputs());                              // publish_outputs: folders and page in place
    return new Outcome(RunLog.PUBLISHED, inputs, features.customers());
  }
}
