package org.segmentation.io;

import java.io.IOException;

/**
 * A file or folder that a night writes beside its tables (an audience's export folder, the report page), written where
 * no reader looks and put into place only once the night has committed ({@code run_log}'s published row): until then
 * readers see the date's earlier one, or none.
 */
public interface StagedOutput {
  /** What it is, for progress lines ({@code export:vip_customers}, {@code report}). */
  String name();

  /** Where readers find it once it is in place (qualified). */
  String location();

  /** Moves it into place, replacing the date's earlier one; done again by the next run when a kill interrupts it. */
  void publish() throws IOException;

  /** Deletes it: its night did not commit. */
  void discard() throws IOException;
}
