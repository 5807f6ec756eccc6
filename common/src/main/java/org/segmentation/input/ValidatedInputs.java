package org.segmentation.input;

import static org.apache.spark.sql.functions.lit;

import java.time.LocalDate;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.segmentation.pipeline.StepResult;
import org.segmentation.schema.Columns;

/**
 * The inputs of a run after mapping and validation: persisted, counted once, each read exactly once.
 *
 * @param purchases the validated purchase lines (quantity dropped: validated, but no later step reads it)
 * @param profiles the validated profiles, when the profiles input is enabled
 * @param surveys the validated survey answers, when the surveys input is enabled
 * @param experiments the validated assignments of experiments run in another tool, when an uplift model learns from
 *     one (the night reads inputs.experiments for nothing else)
 * @param products the validated product catalogue, when affinity reads one
 * @param counts rows read, accepted and quarantined per input, in input order
 * @param inputVersions the Delta version read of each Delta input
 * @param plan how the purchases were read: the whole input, or (incremental) only the lines added since the night
 *     whose state this night updates; then {@code purchases} and its counts are those lines alone
 * @param removedPurchases on an incremental night, the purchase rows the input lost since that night (deleted, or an
 *     update's old values), validated as when they arrived: they leave the state and the quarantine
 * @param purchasesRemoved how many
 * @param carriedQuarantine on an incremental night, that night's quarantined purchase rows without those that went
 *     (source, reason codes and the row: what a full recompute would quarantine again)
 */
public record ValidatedInputs(ValidatedInput purchases, Optional<ValidatedInput> profiles,
    Optional<ValidatedInput> surveys, Optional<ValidatedInput> experiments, Optional<ValidatedInput> products,
    List<ValidatedInput.Counts> counts, Map<String, String> inputVersions, NightPlan plan,
    Optional<ValidatedInput> removedPurchases, long purchasesRemoved, Optional<Dataset<Row>> carriedQuarantine)
    implements StepResult {

  public ValidatedInputs {
    counts = List.copyOf(counts);
    inputVersions = Map.copyOf(inputVersions);
  }

  /** The counts of one input. */
  public ValidatedInput.Counts countsOf(String input) {
    return counts.stream().filter(c -> c.input().equals(input)).findFirst()
        .orElseThrow(() -> new IllegalArgumentException("no input " + input));
  }

  /** Every input read, purchases first. */
  public List<ValidatedInput> all() {
    List<ValidatedInput> all = new java.util.ArrayList<>(List.of(purchases));
    profiles.ifPresent(all::add);
    surveys.ifPresent(all::add);
    experiments.ifPresent(all::add);
    products.ifPresent(all::add);
    return all;
  }

  /** An input by its name. */
  public ValidatedInput named(String input) {
    return all().stream().filter(i -> i.name().equals(input)).findFirst()
        .orElseThrow(() -> new IllegalArgumentException("no input " + input));
  }

  /** The accepted profiles, or NULL without a profiles input (what the features stage takes). */
  public Dataset<Row> acceptedProfilesOrNull() {
    return profiles.map(ValidatedInput::accepted).orElse(null);
  }

  /**
   * Every quarantined row of the run, for the quarantine table: what a full recompute quarantines, also on an
   * incremental night (the rows read tonight and those carried from the night before, stamped with this run).
   */
  public Dataset<Row> quarantineRows(LocalDate runDate, String runId) {
    Dataset<Row> tonight = all().stream().map(input -> input.quarantined(runDate, runId)).reduce(Dataset::unionByName)
        .orElseThrow();
    return carriedQuarantine.map(carried -> tonight.unionByName(carried
            .withColumn(Columns.RUN_DATE, lit(java.sql.Date.valueOf(runDate)))
            .withColumn(Columns.RUN_ID, lit(runId))))
        .orElse(tonight);
  }

  /** {@code purchases_read=.. purchases_accepted=.. purchases_quarantined=..} and the same for profiles. */
  public String countDetails() {
    return counts.stream().map(c -> c.input() + "_read=" + c.read() + " " + c.input() + "_accepted=" + c.accepted()
        + " " + c.input() + "_quarantined=" + c.quarantined()
        + (c.skipped() > 0 ? " " + c.input() + "_skipped=" + c.skipped() : "")).collect(Collectors.joining(" "))
        + (plan.incremental() ? " " + purchases.name() + "_removed=" + purchasesRemoved : "");
  }

  @Override
  public String progressDetails() {
    return countDetails() + " mode=" + plan.mode();
  }

  /** How the night read its purchases: {@code mode} and {@code mode_reason}, in run_log.summary_json. */
  @Override
  public Map<String, Object> summaryFields() {
    Map<String, Object> fields = new java.util.LinkedHashMap<>();
    fields.put("mode", plan.mode());
    fields.put("mode_reason", plan.reason());
    return fields;
  }

  @Override
  public void release() {
    all().forEach(ValidatedInput::release);
    removedPurchases.ifPresent(ValidatedInput::release);
  }
}
