package org.segmentation.experiments;

import static org.apache.spark.sql.functions.col;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Collectors;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.segmentation.audiences.Arms;
import org.segmentation.config.AudienceSettings;
import org.segmentation.config.ExperimentSettings;
import org.segmentation.experiments.ExperimentReadout.Design;
import org.segmentation.experiments.ExperimentReadout.Result;
import org.segmentation.input.ValidatedInputs;
import org.segmentation.io.LakeTables;
import org.segmentation.io.TableCatalog;
import org.segmentation.io.TableSpec;
import org.segmentation.output.AssembleSegmentTables;
import org.segmentation.pipeline.PersistedRows;
import org.segmentation.rfm.PurchaseState;
import org.segmentation.pipeline.RunContext;
import org.segmentation.pipeline.Step;
import org.segmentation.pipeline.StepResult;
import org.segmentation.schema.BreakdownCells;
import org.segmentation.schema.Columns;

/**
 * Step {@code measure_experiments}: every audience with a holdout, measured as an experiment on the members first
 * sent before tonight ({@link AudienceOutcomes}): the sums of each arm in one Spark aggregation, then the read-out on
 * the driver ({@link ExperimentReadout}), as tonight's experiment_results rows. The audiences' history is read from
 * the lake at its latest version, which after repair_tables holds exactly the published nights; tonight's own members
 * have no outcome yet. Without a measured audience, and on a lake without the table, nothing is written.
 *
 * <p>The outcomes need each order's net and first day, which the purchase state holds as well as the lines: where the
 * night keeps a state (an incremental night has no other), the orders come from it ({@link PurchaseState#asLines}).
 *
 * @param purchaseState the night's purchase state, if it keeps one
 */
public record MeasureExperiments(ValidatedInputs inputs, AssembleSegmentTables.SegmentTables segments,
    Optional<Dataset<Row>> purchaseState)
    implements Step<MeasureExperiments.Measured> {

  /**
   * @param tables experiment_results, when it is written tonight
   * @param experiments by experiment: its members counted (both arms) and whether its sample-ratio check flags it
   */
  public record Measured(Map<TableSpec, Dataset<Row>> tables, Map<String, String> experiments)
      implements StepResult {
    @Override
    public String progressDetails() {
      return "experiments=" + experiments.size() + experiments.entrySet().stream()
          .map(e -> " " + e.getKey() + "=" + e.getValue()).collect(Collectors.joining());
    }
  }

  @Override
  public String name() {
    return "measure_experiments";
  }

  @Override
  public Measured execute(RunContext run) {
    ExperimentSettings settings = run.settings().experiments();
    LakeTables lake = run.lake();
    Map<String, AudienceSettings.Audience> measured = new TreeMap<>();
    run.settings().audiences().audiences().forEach((name, audience) -> {
      if (audience.holdoutShare() > 0) {
        measured.put(name, audience);
      }
    });
    TableSpec table = TableCatalog.EXPERIMENT_RESULTS;
    boolean measuring = settings.enabled() && !measured.isEmpty() && lake.exists(TableCatalog.AUDIENCE_MEMBERS);
    if (!measuring) {
      // a lake that has the table gets no rows for the date (a rerun after the audiences went leaves none behind)
      return new Measured(lake.noRowsInThoseItHas(List.of(table)), Map.of());
    }

    List<ExperimentSums.Metric> metrics = AudienceOutcomes.metrics(run.settings().clv().enabled(),
        settings.costed(), inputs.surveys().isPresent());
    Dataset<Row> outcomes = PersistedRows.of(new AudienceOutcomes(run.runDate(), settings.attributionWindowDays(),
        settings.maxAgeDays(), settings.breakdowns(), settings.contactCosts())
        .apply(lake.readLatest(TableCatalog.AUDIENCE_MEMBERS)
                .where(col(Columns.AUDIENCE).isin(measured.keySet().toArray())),
            lake.readLatest(TableCatalog.CUSTOMER_SEGMENTS), segments.customerSegments(),
            purchaseState.map(PurchaseState::asLines).orElseGet(() -> inputs.purchases().accepted()),
            inputs.surveys().map(org.segmentation.input.ValidatedInput::accepted)));
    // persisted: the sums and the open windows read it
    try {
      List<Row> sums = new ExperimentSums(metrics, settings.breakdowns()).apply(outcomes).collectAsList();
      Set<String> open = outcomes.where(col(AudienceOutcomes.WINDOW_OPEN)).select(Columns.EXPERIMENT).distinct()
          .collectAsList().stream().map(r -> r.getString(0)).collect(Collectors.toSet());
      Map<String, Design> designs = new LinkedHashMap<>();
      measured.forEach((name, audience) -> designs.put(name, new Design(Arms.CONTROL,
          Map.of(Arms.CONTROL, audience.holdoutShare(), Arms.TREATMENT, 1 - audience.holdoutShare()),
          !open.contains(name), false)));
      List<Result> results = ExperimentReadout.read(sums, designs, metrics, settings.confidence());
      Map<Result, CampaignReturn.Return> returns = settings.costed()
          ? CampaignReturn.of(results, settings.campaignCosts(), run.settings().clv().margin()) : Map.of();
      List<Row> rows = results.stream().map(r -> ExperimentReadout.toRow(r, run.runDate(), settings.confidence(),
          java.util.Optional.ofNullable(returns.get(r)))).toList();
      Map<String, String> figures = new TreeMap<>();
      results.stream() // conversion has a value for every member
          .filter(r -> r.breakdown().equals(BreakdownCells.WHOLE) && r.metric().equals(AudienceOutcomes.CONVERTED))
          .forEach(r -> figures.put(r.experiment(), "members:" + (r.controlSums().n() + r.variantSums().n())
              + (r.srmFlag() ? ",srm_flag" : "")));
      return new Measured(Map.of(table, run.spark().createDataFrame(rows, table.schema())), figures);
    } finally {
      PersistedRows.release(outcomes);
    }
  }
}
