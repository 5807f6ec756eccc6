package org.segmentation.output;

import java.time.LocalDate;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.segmentation.clustering.ClusterCustomers;
import org.segmentation.clv.FitClv;
import org.segmentation.features.RuleSegments;
import org.segmentation.input.ValidatedInputs;
import org.segmentation.io.LakeTables;
import org.segmentation.io.PublishedHistory;
import org.segmentation.io.RunLog;
import org.segmentation.io.TableCatalog;
import org.segmentation.io.TableSpec;
import org.segmentation.pipeline.PersistedRows;
import org.segmentation.pipeline.RunContext;
import org.segmentation.pipeline.Step;
import org.segmentation.pipeline.StepResult;

/**
 * Step {@code assemble_tables}: the night's output tables, ready to publish. Reads the previous published night
 * through the run_log contract (never a half-written table), adds the rule segments and each customer's previous
 * segment ({@link RuleSegments}, {@link CustomerSegmentsAssembly}), and derives the summary and the transitions from
 * the persisted customer_segments rows ({@link SegmentSummary}, {@link SegmentTransitions}).
 */
public record AssembleSegmentTables(ValidatedInputs inputs, ClusterCustomers.Clustered clustered,
    FitClv.Fitted clv, PublishedHistory history) implements Step<AssembleSegmentTables.SegmentTables> {

  /**
   * The tables of the night, in publishing order: customer_segments, segment_summary, segment_transitions,
   * quarantine, cluster_profiles (no rows when clustering was skipped) and clv_model (no row when lifetime value is
   * off).
   *
   * @param previousRunDate the published night compared with, if any
   */
  public record SegmentTables(Map<TableSpec, Dataset<Row>> inPublishingOrder, Optional<LocalDate> previousRunDate)
      implements StepResult {
    @Override
    public String progressDetails() {
      return "previous_run_date=" + previousRunDate.map(LocalDate::toString).orElse("none");
    }

    /** The night's customer_segments rows (persisted). */
    public Dataset<Row> customerSegments() {
      return inPublishingOrder.values().iterator().next();
    }

    @Override
    public void release() {
      PersistedRows.release(customerSegments()); // the one persisted
    }
  }

  @Override
  public String name() {
    return "assemble_tables";
  }

  @Override
  public SegmentTables execute(RunContext run) {
    LakeTables lake = run.lake();
    Optional<RunLog.PublishedRun> previousRun = history.previous();
    Dataset<Row> previous = previousRun
        .map(p -> lake.readRunDate(TableCatalog.CUSTOMER_SEGMENTS, p.runDate(),
            p.versionOf(TableCatalog.CUSTOMER_SEGMENTS)))
        .orElse(null);
    Optional<LocalDate> previousRunDate = previousRun.map(RunLog.PublishedRun::runDate);

    Dataset<Row> withRules = new RuleSegments(run.settings().ruleSegments()).apply(clustered.rows());
    // Persisted: the summary and the transitions aggregate it, and it is written.
    TableSpec customerSegmentsTable = TableCatalog.customerSegments(run.settings().profiles().attributeStruct());
    Dataset<Row> customerSegments = PersistedRows.of(new CustomerSegmentsAssembly(run.runDate(),
        customerSegmentsTable).finish(withRules, previous));
    Map<TableSpec, Dataset<Row>> tables = new LinkedHashMap<>();
    tables.put(customerSegmentsTable, customerSegments);
    tables.put(TableCatalog.SEGMENT_SUMMARY, new SegmentSummary().apply(customerSegments));
    tables.put(TableCatalog.SEGMENT_TRANSITIONS, new SegmentTransitions(run.runDate(), previousRunDate.orElse(null))
        .apply(customerSegments, previous));
    // a night's quarantine is small: one file per run date
    tables.put(TableCatalog.QUARANTINE, inputs.quarantineRows(run.runDate(), run.runId()).coalesce(1));
    // written even when clustering was skipped: a rerun must not leave the date's earlier profiles behind
    tables.put(TableCatalog.CLUSTER_PROFILES, clustered.profiles().orElseGet(() -> run.spark()
        .createDataFrame(java.util.List.of(), TableCatalog.CLUSTER_PROFILES.schema())));
    // the night's lifetime-value model; no row when lifetime value is off (a rerun then removes the date's row)
    tables.put(TableCatalog.CLV_MODEL, clv.modelRows());
    return new SegmentTables(java.util.Collections.unmodifiableMap(tables), previousRunDate);
  }
}
