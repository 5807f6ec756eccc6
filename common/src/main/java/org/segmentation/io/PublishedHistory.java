package org.segmentation.io;

import java.time.LocalDate;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * What earlier nights published, as a run sees it at its start (read once from run_log, under the lake's lease, by
 * the night's begin): the steps that compare with the past or reuse a model take it explicitly.
 *
 * @param runDate the night being computed
 * @param previous the latest published night before it: its customers give the transitions, its audience members
 *     the adds and removes
 * @param publishedRunIds every published run: a model is reused or kept only from one of them
 * @param datesBefore the published run dates before this night, oldest first (the report's trend)
 */
public record PublishedHistory(LocalDate runDate, Optional<RunLog.PublishedRun> previous, Set<String> publishedRunIds,
    List<LocalDate> datesBefore) {

  public PublishedHistory {
    publishedRunIds = Set.copyOf(publishedRunIds);
    datesBefore = List.copyOf(datesBefore);
  }

  /** The history of {@code runDate} in the lake's run_log. */
  public static PublishedHistory read(RunLog runLog, LocalDate runDate) {
    return new PublishedHistory(runDate, runLog.latestPublishedBefore(runDate), runLog.publishedRunIds(),
        runLog.publishedDatesBefore(runDate, Integer.MAX_VALUE));
  }

  /** The latest {@code nights} published dates before this night, oldest first. */
  public List<LocalDate> lastDatesBefore(int nights) {
    return datesBefore.subList(Math.max(0, datesBefore.size() - nights), datesBefore.size());
  }
}
