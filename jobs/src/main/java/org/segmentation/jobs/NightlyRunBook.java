package org.segmentation.jobs;

import java.util.ArrayList;
import java.util.List;
import org.segmentation.audiences.BuildAudiences;
import org.segmentation.audiences.ExportAudiences;
import org.segmentation.clustering.ClusterCustomers;
import org.segmentation.clv.FitClv;
import org.segmentation.clv.ScoreClv;
import org.segmentation.config.CheckRules;
import org.segmentation.features.BuildFeatures;
import org.segmentation.features.ProfileMatchGate;
import org.segmentation.input.LoadAndValidate;
import org.segmentation.input.QualityGate;
import org.segmentation.input.ValidatedInputs;
import org.segmentation.io.RunLog;
import org.segmentation.io.TableRepair;
import org.segmentation.output.AssembleSegmentTables;
import org.segmentation.output.PublishTable;
import org.segmentation.output.RecordRun;
import org.segmentation.output.RepairTables;
import org.segmentation.pipeline.StepRunner;
import org.segmentation.report.WriteReport;
import org.segmentation.rfm.ScoreRfm;

/**
 * One night, as the operator's run book tells it. Each line is a step (its class says where its columns are computed);
 * the steps own their policy, and this class only composes their immutable results. Step names are the
 * {@code stage=} of the progress lines and the Spark job groups.
 */
final class NightlyRunBook {
  private NightlyRunBook() {}

  /** What the run did, for the summary line. */
  record Outcome(String status, ValidatedInputs inputs, long customers) {}

  static Outcome run(StepRunner steps, boolean dryRun) {
    steps.run(new CheckRules());                                    // check_rules: exit 2 before any data is read
    List<TableRepair.Restored> repaired = dryRun ? List.of()
        : steps.run(new RepairTables()).restored();                 // repair_tables: a killed run's leftovers
    ValidatedInputs inputs = steps.run(new LoadAndValidate());      // load_validate: read once, map, quarantine
    steps.run(new QualityGate(inputs));                             // quality_gate: exit 3, nothing published
    BuildFeatures.Features features = steps.run(new BuildFeatures(inputs));          // features
    steps.run(new ProfileMatchGate(features));                      // profile_match: exit 3 when ids do not meet
    if (dryRun) {
      return new Outcome(RunLog.DRY_RUN, inputs, features.customers());
    }
    FitClv.Fitted clv = steps.run(new FitClv(features));            // clv_fit: BG/NBD + Gamma-Gamma, or reuse
    ScoreClv.Scored valued = steps.run(new ScoreClv(features, clv));                 // clv_scoring
    ScoreRfm.Scored scored = steps.run(new ScoreRfm(valued.rows()));                 // rfm_scoring
    ClusterCustomers.Clustered clustered = steps.run(new ClusterCustomers(scored));  // clustering
    AssembleSegmentTables.SegmentTables tables =
        steps.run(new AssembleSegmentTables(inputs, clustered, clv));                // assemble_tables
    BuildAudiences.Audiences audiences =
        steps.run(new BuildAudiences(inputs, features, tables));    // audiences: members, arms, adds and removes
    List<PublishTable.Commit> commits = new ArrayList<>();
    tables.inPublishingOrder().forEach(
        (table, rows) -> commits.add(steps.run(new PublishTable(table, rows))));     // write_<table>, one by one
    audiences.tables().forEach(
        (table, rows) -> commits.add(steps.run(new PublishTable(table, rows))));
    steps.run(new ExportAudiences(audiences));                      // export_audiences: files for campaign tools
    WriteReport.Written report = steps.run(new WriteReport(inputs, commits));        // write_report: the HTML page
    steps.run(RecordRun.published(inputs, features.profileMatch(), commits, repaired,
        steps.summaryJson(RunLog.PUBLISHED, 0, null), report.path()));              // write_run_log: published
    return new Outcome(RunLog.PUBLISHED, inputs, features.customers());
  }
}
