package org.segmentation.report;

import java.time.LocalDate;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeSet;
import org.segmentation.input.ValidatedInput;
import org.segmentation.io.RunLog;
import org.segmentation.io.TableSpec;

/**
 * The night a report shows, as the publishing contract names it: the run date, the run, the Delta version of each
 * table that holds the night's rows, and the input counts. The nightly run builds it from its own commits just before
 * it records the night published; {@code RenderReport} builds it from the night's published row in run_log. Either
 * way the report reads the same rows.
 */
public record ReportNight(LocalDate runDate, String runId, Map<String, Long> tableVersions,
    List<ValidatedInput.Counts> inputs) {

  public ReportNight {
    tableVersions = Map.copyOf(tableVersions);
    // by name: the run's inputs and run_log's maps list them in other orders, and the page must not differ
    inputs = inputs.stream().sorted(java.util.Comparator.comparing(ValidatedInput.Counts::input)).toList();
  }

  /** The night of a published run_log row. */
  public static ReportNight of(RunLog.PublishedRun run) {
    TreeSet<String> names = new TreeSet<>(run.rowsRead().keySet());
    names.addAll(run.rowsAccepted().keySet());
    List<ValidatedInput.Counts> counts = names.stream()
        .map(input -> new ValidatedInput.Counts(input, run.rowsRead().getOrDefault(input, 0L),
            run.rowsAccepted().getOrDefault(input, 0L), run.rowsQuarantined().getOrDefault(input, 0L),
            run.rowsSkipped().getOrDefault(input, 0L)))
        .toList();
    return new ReportNight(run.runDate(), run.runId(), run.tableVersions(), counts);
  }

  /** The version of {@code table} holding the night's rows, when the night wrote the table. */
  public Optional<Long> versionOf(TableSpec table) {
    return Optional.ofNullable(tableVersions.get(table.name()));
  }
}
