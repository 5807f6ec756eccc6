package org.segmentation.input;

import java.time.LocalDate;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.segmentation.pipeline.StepResult;

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
 */
public record ValidatedInputs(ValidatedInput purchases, Optional<ValidatedInput> profiles,
    Optional<ValidatedInput> surveys, Optional<ValidatedInput> experiments, Optional<ValidatedInput> products,
    List<ValidatedInput.Counts> counts,
    Map<String, String> inputVersions) implements StepResult {

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

  /** Every quarantined row of the run, for the quarantine table. */
  public Dataset<Row> quarantineRows(LocalDate runDate, String runId) {
    return all().stream().map(input -> input.quarantined(runDate, runId)).reduce(Dataset::unionByName).orElseThrow();
  }

  /** {@code purchases_read=.. purchases_accepted=.. purchases_quarantined=..} and the same for profiles. */
  public String countDetails() {
    return counts.stream().map(c -> c.input() + "_read=" + c.read() + " " + c.input() + "_accepted=" + c.accepted()
        + " " + c.input() + "_quarantined=" + c.quarantined()
        + (c.skipped() > 0 ? " " + c.input() + "_skipped=" + c.skipped() : "")).collect(Collectors.joining(" "));
  }

  @Override
  public String progressDetails() {
    return countDetails();
  }

  @Override
  public void release() {
    all().forEach(ValidatedInput::release);
  }
}
