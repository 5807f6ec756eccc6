package org.segmentation.output;

import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.segmentation.features.ProfileMatch;
import org.segmentation.input.ValidatedInput;
import org.segmentation.input.ValidatedInputs;
import org.segmentation.io.RunLog;
import org.segmentation.io.TableRepair;
import org.segmentation.pipeline.RunContext;
import org.segmentation.pipeline.Step;
import org.segmentation.pipeline.StepResult;

/**
 * Step {@code write_run_log}: appends the run's row to run_log. Written last, a {@code published} row is what marks the
 * run date published (see {@link RunLog}); a failed run records a {@code failed} row with what its steps had found.
 *
 * @param status {@link RunLog#PUBLISHED} or {@link RunLog#FAILED}
 * @param inputs the validated inputs, when the run got that far (their counts and Delta versions are recorded)
 * @param profileMatch how buyers and profiles matched, when the run got that far with a profiles input
 * @param commits the tables this run committed, in order
 * @param reportPath the night's HTML report, when the run wrote one
 */
public record RecordRun(String status, int exitCode, String reason, String message, Optional<ValidatedInputs> inputs,
    Optional<ProfileMatch> profileMatch, List<PublishTable.Commit> commits, List<TableRepair.Restored> restored,
    String summaryJson, String reportPath) implements Step<RecordRun.Recorded> {

  public RecordRun {
    commits = List.copyOf(commits);
    restored = List.copyOf(restored);
  }

  /**
   * The marker of a published run.
   *
   * @param repaired the leftovers of earlier runs this run put back when it started
   */
  public static RecordRun published(ValidatedInputs inputs, Optional<ProfileMatch> profileMatch,
      List<PublishTable.Commit> commits, List<TableRepair.Restored> repaired, String summaryJson,
      Optional<String> reportPath) {
    return new RecordRun(RunLog.PUBLISHED, 0, null, null, Optional.of(inputs), profileMatch, commits, repaired,
        summaryJson, reportPath.orElse(null));
  }

  /**
   * The row of a failed run.
   *
   * @param restored the table dates it put back: leftovers repaired at its start, and its own writes
   */
  public static RecordRun failed(int exitCode, String reason, String message, Optional<ValidatedInputs> inputs,
      Optional<ProfileMatch> profileMatch, List<TableRepair.Restored> restored, String summaryJson) {
    return new RecordRun(RunLog.FAILED, exitCode, reason, message, inputs, profileMatch, List.of(), restored,
        summaryJson, null);
  }

  /** The run_log row was appended. */
  public record Recorded(String status) implements StepResult {
    @Override
    public String progressDetails() {
      return "status=" + status;
    }
  }

  @Override
  public String name() {
    return "write_run_log";
  }

  /** {@code table@date} to the Delta version of its restore. */
  private Map<String, Long> restoredVersions() {
    Map<String, Long> versions = new LinkedHashMap<>();
    restored.forEach(r -> versions.put(r.toString(), r.version()));
    return versions;
  }

  @Override
  public Recorded execute(RunContext run) {
    Map<String, Long> read = new LinkedHashMap<>();
    Map<String, Long> accepted = new LinkedHashMap<>();
    Map<String, Long> quarantined = new LinkedHashMap<>();
    Map<String, Long> skipped = new LinkedHashMap<>();
    for (ValidatedInput.Counts c : inputs.map(ValidatedInputs::counts).orElse(List.of())) {
      read.put(c.input(), c.read());
      accepted.put(c.input(), c.accepted());
      quarantined.put(c.input(), c.quarantined());
      skipped.put(c.input(), c.skipped());
    }
    Map<String, Long> versions = new LinkedHashMap<>();
    Map<String, Long> written = new LinkedHashMap<>();
    for (PublishTable.Commit commit : commits) {
      versions.put(commit.table().name(), commit.version());
      written.put(commit.table().name(), commit.rowsWritten());
    }
    new RunLog(run.spark(), run.lake()).append(new RunLog.Entry(
        run.runId(), run.runDate(), status, exitCode, run.startedAt(), Instant.now(), reason, message,
        read, accepted, quarantined, written, inputs.map(ValidatedInputs::inputVersions).orElse(Map.of()),
        versions, run.configFingerprint(),
        profileMatch.map(ProfileMatch::figures).orElse(null), skipped, restoredVersions(), summaryJson, reportPath));
    return new Recorded(status);
  }
}
