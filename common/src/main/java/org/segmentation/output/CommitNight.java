package org.segmentation.output;

import org.segmentation.pipeline.RunContext;
import org.segmentation.pipeline.Step;

/**
 * Step {@code write_run_log} of a night that publishes: appends its {@code published} row, the night's commit point
 * ({@link NightPublisher}); from here on the night stands, whatever happens to the rest of the run.
 */
public record CommitNight(NightPublisher night, RecordRun record) implements Step<RecordRun.Recorded> {
  @Override
  public String name() {
    return record.name();
  }

  @Override
  public RecordRun.Recorded execute(RunContext run) {
    RecordRun.Recorded recorded = record.execute(run);
    night.committed();
    return recorded;
  }
}
