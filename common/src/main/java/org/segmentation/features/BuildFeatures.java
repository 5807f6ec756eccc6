package org.segmentation.features;

import static org.apache.spark.sql.functions.count;
import static org.apache.spark.sql.functions.lit;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.segmentation.input.ValidatedInputs;
import org.segmentation.io.RunLog;
import org.segmentation.io.TableCatalog;
import org.segmentation.io.TableSpec;
import org.segmentation.pipeline.PersistedRows;
import org.segmentation.pipeline.RunContext;
import org.segmentation.pipeline.Step;
import org.segmentation.pipeline.StepResult;
import org.segmentation.rfm.KeepPurchaseState;
import org.segmentation.rfm.PurchaseTotals;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Step {@code features}: one row per customer as of the run date, with the RFM values, behaviour and profile
 * attributes ({@link CustomerFeatures}). Persisted, because scoring and clustering fit over them and then score them;
 * counted once (one Spark job, which fills the cache), and the same aggregation measures how buyers and profiles
 * match ({@link ProfileMatch}).
 *
 * <p>From the purchase state where the night keeps one (the same customers as from the lines), from the accepted lines
 * otherwise. A night that updates the last night's state computes from it only the customers it touches, and carries
 * every other buyer's figures from that night's {@code purchase_totals} ({@link PurchaseTotals}); a night that keeps a
 * state publishes its buyers' figures there for the next.
 *
 * @param state what step purchase_state kept ({@link KeepPurchaseState}): the night's state, if it keeps one, and
 *     what an incremental night changed in the last night's
 */
public record BuildFeatures(ValidatedInputs inputs, KeepPurchaseState.Kept state)
    implements Step<BuildFeatures.Features> {
  private static final Logger LOG = LoggerFactory.getLogger(BuildFeatures.class);

  /**
   * The customer features table of the run.
   *
   * @param rows one row per customer (persisted)
   * @param purchasesAccepted the purchase lines they were built from
   * @param customers the number of rows
   * @param recomputed on a night that carried the others' figures, how many customers it computed from the state
   * @param profileMatch how buyers and profiles match, with a profiles input
   * @param tables the rows to publish: the buyers' figures under the run date when the night keeps a state, or no
   *     rows where the lake has the table
   */
  public record Features(Dataset<Row> rows, long purchasesAccepted, long customers, OptionalLong recomputed,
      Optional<ProfileMatch> profileMatch, Map<TableSpec, Dataset<Row>> tables) implements StepResult {
    @Override
    public String progressDetails() {
      return "rows_in=" + purchasesAccepted + " rows_out=" + customers
          + (recomputed.isPresent() ? " recomputed=" + recomputed.getAsLong() : "")
          + profileMatch.map(match -> " " + match.progressDetails()).orElse("");
    }

    @Override
    public void release() {
      PersistedRows.release(rows);
    }
  }

  @Override
  public String name() {
    return "features";
  }

  @Override
  public Features execute(RunContext run) {
    CustomerFeatures customers = CustomerFeatures.of(run.settings(), run.runDate());
    Dataset<Row> profiles = inputs.acceptedProfilesOrNull();
    Dataset<Row> features;
    OptionalLong recomputed = OptionalLong.empty();
    Dataset<Row> touched = null;
    if (state.state().isEmpty()) {
      features = PersistedRows.of(customers.apply(inputs.purchases().accepted(), profiles));
    } else {
      Dataset<Row> rows = state.state().get();
      Optional<KeepPurchaseState.Update> update = state.update();
      Optional<Dataset<Row>> earlier = update.flatMap(u -> earlierTotals(run, u.from()));
      if (earlier.isPresent()) {
        touched = PersistedRows.of(customers.totals().touched(rows, update.get().changes(),
            update.get().from().runDate()));
        long howMany = touched.count();
        if (howMany <= PurchaseTotals.FEW_CUSTOMERS) {
          recomputed = OptionalLong.of(howMany);
        } else {
          LOG.info("{}: {} customers touched since {}: computing every customer from the state", run.runDate(),
              howMany, update.get().from().runDate());
        }
      }
      features = PersistedRows.of(recomputed.isPresent()
          ? customers.fromState(rows, touched, earlier.get(), profiles)
          : customers.fromState(rows, profiles));
    }
    List<Column> figures = ProfileMatch.aggregates();
    Row counted = features.agg(count(lit(1)), figures.toArray(Column[]::new)).first();
    if (touched != null) {
      PersistedRows.release(touched); // the features are in the cache
    }
    Optional<ProfileMatch> match = inputs.profiles().isPresent() ? Optional.of(ProfileMatch.of(counted, 1))
        : Optional.empty();
    Map<TableSpec, Dataset<Row>> tables = state.state().isPresent()
        ? Map.of(TableCatalog.PURCHASE_TOTALS, customers.totals().rows(features))
        : run.lake().noRowsInThoseItHas(List.of(TableCatalog.PURCHASE_TOTALS));
    return new Features(features, inputs.countsOf(inputs.purchases().name()).accepted(), counted.getLong(0),
        recomputed, match, tables);
  }

  /**
   * The buyers' figures the night {@code from} published, when it did (a night of an earlier version of the job kept
   * none, or kept them in another form): the night then computes every customer from the state, and keeps them.
   */
  private static Optional<Dataset<Row>> earlierTotals(RunContext run, RunLog.PublishedRun from) {
    if (!from.tableVersions().containsKey(TableCatalog.PURCHASE_TOTALS.name())) {
      LOG.info("{}: the night of {} kept no {}: computing every customer from the state", run.runDate(),
          from.runDate(), TableCatalog.PURCHASE_TOTALS.name());
      return Optional.empty();
    }
    Dataset<Row> earlier = run.lake().readRunDate(TableCatalog.PURCHASE_TOTALS, from.runDate(),
        from.versionOf(TableCatalog.PURCHASE_TOTALS));
    List<String> missing = TableCatalog.PURCHASE_TOTALS.missingFrom(earlier.schema());
    if (!missing.isEmpty()) {
      LOG.info("{}: the {} of {} lack {}: computing every customer from the state", run.runDate(),
          TableCatalog.PURCHASE_TOTALS.name(), from.runDate(), missing);
      return Optional.empty();
    }
    return Optional.of(earlier);
  }
}
