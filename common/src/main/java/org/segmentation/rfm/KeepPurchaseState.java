package org.segmentation.rfm;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.lit;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.segmentation.input.NightPlan;
import org.segmentation.input.ValidatedInputs;
import org.segmentation.io.RunLog;
import org.segmentation.io.TableCatalog;
import org.segmentation.io.TableSpec;
import org.segmentation.pipeline.PersistedRows;
import org.segmentation.pipeline.RunContext;
import org.segmentation.pipeline.Step;
import org.segmentation.pipeline.StepResult;
import org.segmentation.schema.Columns;

/**
 * Step {@code purchase_state}: the night's purchase state ({@link PurchaseState}, with the features' line shares), when
 * the night keeps one ({@link NightPlan#keepsState()}): on a full recompute folded from every accepted line, on an
 * incremental night the last night's state (as its run recorded it) with tonight's added lines merged in and the lines
 * the input lost since taken out. Persisted:
 * the features read it and table {@code purchase_state} publishes it under the night's run date, for the next night.
 */
public record KeepPurchaseState(ValidatedInputs inputs) implements Step<KeepPurchaseState.Kept> {
  /**
   * Up to how many changed input rows a night broadcasts their keys and merges only the state rows they touch
   * ({@link PurchaseState#mergeFew}): half a million keys are some 30 MB on every executor; above, the whole state is
   * shuffled once ({@link PurchaseState#merge}).
   */
  static final long FEW_CHANGES = 500_000;

  /**
   * What an incremental night changed: the state of which night it updated, and the state rows it merged in.
   *
   * @param from the published night whose state tonight updates
   * @param changes tonight's added lines folded ({@link PurchaseState}) and the removed lines' folded and negated
   */
  public record Update(RunLog.PublishedRun from, Dataset<Row> changes) {}

  /**
   * @param state one row per customer, order, day and product category (persisted), when the night keeps a state
   * @param update on an incremental night, what it changed in the last night's state
   * @param tables the rows to publish: the state under the run date, or no rows where the lake has the table
   */
  public record Kept(Optional<Dataset<Row>> state, Optional<Update> update, Map<TableSpec, Dataset<Row>> tables)
      implements StepResult {
    @Override
    public String progressDetails() {
      return "kept=" + state.isPresent();
    }

    @Override
    public void release() {
      state.ifPresent(PersistedRows::release);
    }
  }

  @Override
  public String name() {
    return "purchase_state";
  }

  @Override
  public Kept execute(RunContext run) {
    NightPlan plan = inputs.plan();
    if (!plan.keepsState()) {
      return new Kept(Optional.empty(), Optional.empty(),
          run.lake().noRowsInThoseItHas(List.of(TableCatalog.PURCHASE_STATE)));
    }
    PurchaseState folding = new PurchaseState(RfmAggregation.Behaviour.of(run.settings().features().shares()));
    Dataset<Row> tonight = folding.apply(inputs.purchases().accepted());
    Dataset<Row> state = tonight;
    Optional<Update> update = Optional.empty();
    if (plan.incremental()) {
      RunLog.PublishedRun from = plan.from().orElseThrow();
      // the accepted lines that went since that night leave its state: their sums, negated, are merged in
      Dataset<Row> changes = inputs.removedPurchases()
          .map(removed -> tonight.unionByName(folding.negate(folding.apply(removed.accepted()))))
          .orElse(tonight);
      Dataset<Row> before = run.lake().readRunDate(TableCatalog.PURCHASE_STATE, from.runDate(),
          from.versionOf(TableCatalog.PURCHASE_STATE)).select(stateColumns());
      long changed = inputs.countsOf(inputs.purchases().name()).read() + inputs.purchasesRemoved();
      // a night's few changes touch few rows of the state: merge only those (the others are not shuffled)
      state = changed <= FEW_CHANGES ? folding.mergeFew(before, changes) : folding.merge(before, changes);
      update = Optional.of(new Update(from, changes));
    }
    Dataset<Row> persisted = PersistedRows.of(state);
    List<Column> columns = new ArrayList<>(List.of(lit(java.sql.Date.valueOf(run.runDate())).as(Columns.RUN_DATE)));
    columns.addAll(List.of(stateColumns()));
    return new Kept(Optional.of(persisted), update,
        Map.of(TableCatalog.PURCHASE_STATE, persisted.select(columns.toArray(Column[]::new))));
  }

  /** The state's declared columns but the run date (a stored table may have retired ones as well). */
  private static Column[] stateColumns() {
    return TableCatalog.PURCHASE_STATE.columnNames().stream().filter(c -> !c.equals(Columns.RUN_DATE))
        .map(c -> col(c)).toArray(Column[]::new);
  }
}
