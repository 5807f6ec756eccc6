package org.segmentation.io;

import java.io.IOException;
import java.util.List;
import java.util.function.Predicate;

/**
 * Where a kind of {@link StagedOutput} is staged (the audiences' export root, the report folder). At the start of a
 * run, under the lake's lease, what earlier runs left staged is settled: the outputs of a run that committed (killed
 * between its run_log row and putting them into place) are put into place, the others deleted.
 */
public interface StagingArea {
  /** What was settled: the outputs put into place and those deleted, by name. */
  record Settled(List<String> published, List<String> discarded) {}

  /**
   * @param committed whether the run with this id committed its night (is the latest published run of its date)
   */
  Settled settle(Predicate<String> committed) throws IOException;
}
