package org.segmentation.features;

import static org.apache.spark.sql.functions.count;
import static org.apache.spark.sql.functions.lit;

import java.util.List;
import java.util.Optional;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.segmentation.input.ValidatedInputs;
import org.segmentation.pipeline.PersistedRows;
import org.segmentation.pipeline.RunContext;
import org.segmentation.pipeline.Step;
import org.segmentation.pipeline.StepResult;

/**
 * Step {@code features}: one row per customer as of the run date, with the RFM values, behaviour and profile
 * attributes ({@link CustomerFeatures}). Persisted, because scoring and clustering fit over them and then score them;
 * counted once (one Spark job, which fills the cache), and the same aggregation measures how buyers and profiles
 * match ({@link ProfileMatch}). From the purchase state where the night keeps one (the same customers as from the
 * lines), from the accepted lines otherwise.
 *
 * @param purchaseState the night's purchase state ({@link org.segmentation.rfm.KeepPurchaseState}), if it keeps one
 */
public record BuildFeatures(ValidatedInputs inputs, Optional<Dataset<Row>> purchaseState)
    implements Step<BuildFeatures.Features> {

  /**
   * The customer features table of the run.
   *
   * @param rows one row per customer (persisted)
   * @param purchasesAccepted the purchase lines they were built from
   * @param customers the number of rows
   * @param profileMatch how buyers and profiles match, with a profiles input
   */
  public record Features(Dataset<Row> rows, long purchasesAccepted, long customers,
      Optional<ProfileMatch> profileMatch) implements StepResult {
    @Override
    public String progressDetails() {
      return "rows_in=" + purchasesAccepted + " rows_out=" + customers
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
    Dataset<Row> features = PersistedRows.of(purchaseState
        .map(state -> customers.fromState(state, inputs.acceptedProfilesOrNull()))
        .orElseGet(() -> customers.apply(inputs.purchases().accepted(), inputs.acceptedProfilesOrNull())));
    List<Column> figures = ProfileMatch.aggregates();
    Row counted = features.agg(count(lit(1)), figures.toArray(Column[]::new)).first();
    Optional<ProfileMatch> match = inputs.profiles().isPresent() ? Optional.of(ProfileMatch.of(counted, 1))
        : Optional.empty();
    return new Features(features, inputs.countsOf(inputs.purchases().name()).accepted(), counted.getLong(0), match);
  }
}
