package org.segmentation.io;

import java.time.LocalDate;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Predicate;
import org.apache.spark.sql.Row;

/**
 * Keeps what a plain reader of an output table sees (no {@code VERSION AS OF}) equal to the published nights: the rows
 * of a run date that a run wrote but did not publish are put back as the date's last published run recorded them
 * (or removed, for a date never published), in one replaceWhere transaction per table and date
 * ({@link LakeTables#restoreRunDate}).
 *
 * <p>Who wrote a date last is read from the table's recent commits: every commit of the job carries the run id as its
 * userMetadata, and a run id starts with its run date; a restore carries {@code <run id> restore <date>}. So for each
 * table and date, the latest commit tells whether the date holds a published run's rows (its run has a
 * {@code published} row in run_log), a restore, or an unpublished run's rows (a run that failed, or was killed).
 * Two uses:
 * <ul>
 *   <li>a run that fails in a way it can catch restores the dates whose latest commit is its own, before it exits
 *       ({@link #restoreOwnWrites});</li>
 *   <li>every run starts by repairing the dates whose latest commit is an unpublished run's other than itself: a
 *       killed run's leftovers ({@link #repairLeftovers}). No other run can be writing meanwhile: a run repairs only
 *       while it holds the lake's lease ({@link LakeLease}), and the run that held it before is dead (it released the
 *       lease, or stopped renewing it for longer than its expiry; were it alive after all, it stops before its next
 *       write when it finds its lease taken over).</li>
 * </ul>
 * The commits looked at are those after the highest version run_log recorded for the table (a published run's, or a
 * restore's): every commit of the job before it was either published or put back, and was recorded as such. So the
 * look-back is exactly the commits no run has accounted for, however many killed runs left them.
 */
public final class TableRepair {
  private static final String RESTORE = " restore ";
  /** Stands for the writer of a date whose latest commit is a restore (never a run id: no date prefix). */
  static final String RESTORED = "(restored)";

  /** One date of one table put back, and the Delta version of the restore. */
  public record Restored(TableSpec table, LocalDate runDate, long version) {
    @Override
    public String toString() {
      return table.name() + "@" + runDate;
    }
  }

  private final LakeTables lake;
  private final RunLog runLog;

  /** @param runLog the lake's run_log (the run's own, read once) */
  public TableRepair(LakeTables lake, RunLog runLog) {
    this.lake = lake;
    this.runLog = runLog;
  }

  /** Restores every table date whose latest commit is this run's (a failed run, before it exits). */
  public List<Restored> restoreOwnWrites(String runId) {
    return restore(runId::equals, runId);
  }

  /** Restores every table date whose latest commit is by an unpublished run other than {@code runId}. */
  public List<Restored> repairLeftovers(String runId) {
    Set<String> published = runLog.publishedRunIds();
    return restore(writer -> !writer.equals(runId) && !published.contains(writer), runId);
  }

  /**
   * Looks only at tables with commits that run_log does not account for (its latest version above the highest one
   * recorded): a table whose latest version a run recorded (the usual night: the last run published) has neither
   * leftovers nor writes of this run, and its commits are not read.
   *
   * @param isToRestore whether the run that last wrote a date is one whose rows must go
   */
  private List<Restored> restore(Predicate<String> isToRestore, String runId) {
    Map<String, Long> recorded = runLog.recordedVersions();
    List<Restored> restored = new ArrayList<>();
    for (TableSpec table : TableCatalog.ALL) {
      if (!table.partitionedByRunDate() || !lake.exists(table)) {
        continue;
      }
      long unaccounted = lake.latestVersion(table) - recorded.getOrDefault(table.name(), -1L);
      if (unaccounted <= 0) {
        continue;
      }
      for (Map.Entry<LocalDate, String> date : latestWriters(table, unaccounted).entrySet()) {
        if (!RESTORED.equals(date.getValue()) && isToRestore.test(date.getValue())) {
          Optional<Long> version = runLog.publishedRunOf(date.getKey())
              .flatMap(published -> Optional.ofNullable(published.tableVersions().get(table.name())));
          long committed = lake.restoreRunDate(table, date.getKey(), version, runId + RESTORE + date.getKey())
              .version();
          restored.add(new Restored(table, date.getKey(), committed));
        }
      }
    }
    return restored;
  }

  /**
   * For each run date among the table's {@code unaccounted} latest commits (those run_log does not account for), the
   * run id of the latest commit that wrote it, or {@link #RESTORED} when the latest was a restore. Commits of other
   * writers (NULL or foreign userMetadata) write no date.
   */
  Map<LocalDate, String> latestWriters(TableSpec table, long unaccounted) {
    Map<LocalDate, String> writers = new LinkedHashMap<>();
    for (Row commit : lake.recentCommits(table, (int) Math.min(Integer.MAX_VALUE, unaccounted))) { // newest first
      if (commit.isNullAt(1)) {
        continue;
      }
      String metadata = commit.getString(1);
      int restore = metadata.indexOf(RESTORE);
      if (restore >= 0) {
        dateOf(metadata.substring(restore + RESTORE.length())).ifPresent(d -> writers.putIfAbsent(d, RESTORED));
      } else {
        dateOf(metadata).ifPresent(d -> writers.putIfAbsent(d, metadata));
      }
    }
    return writers;
  }

  /** The run date a run id or date text starts with ({@code 2026-11-20_...}). */
  public static Optional<LocalDate> dateOf(String text) {
    if (text.length() < 10) {
      return Optional.empty();
    }
    try {
      return Optional.of(LocalDate.parse(text.substring(0, 10)));
    } catch (DateTimeParseException e) {
      return Optional.empty();
    }
  }
}
