package org.segmentation.input;

import java.util.Optional;
import org.segmentation.io.RunLog;
import org.segmentation.pipeline.StepResult;

/**
 * How a night reads its purchases: the whole input (a full recompute) or only the lines added since the night whose
 * purchase state it updates, and why.
 *
 * @param incremental true: read the input's changes since {@code from}'s input version and update its state
 * @param reason why this mode: a reason code ({@code no_state}, {@code configuration_changed}, ...; see
 *     docs/incremental.md), the run line's {@code mode_reason}
 * @param keepsState whether the night builds and publishes the purchase state (a later night may then update it):
 *     the purchases input records its changes and no enabled step reads the lines themselves
 * @param from the published night whose state an incremental night updates; empty on a full recompute
 */
public record NightPlan(boolean incremental, String reason, boolean keepsState, Optional<RunLog.PublishedRun> from)
    implements StepResult {
  public static final String FULL = "full";
  public static final String INCREMENTAL = "incremental";

  /** A full recompute, for {@code reason}. */
  public static NightPlan full(String reason, boolean keepsState) {
    return new NightPlan(false, reason, keepsState, Optional.empty());
  }

  /** The night's mode: {@value #FULL} or {@value #INCREMENTAL}. */
  public String mode() {
    return incremental ? INCREMENTAL : FULL;
  }

  /** {@code mode=... mode_reason=...}: how the night reads its purchases, as its lines and summary line say it. */
  public String modeDetails() {
    return "mode=" + mode() + " mode_reason=" + reason;
  }

  @Override
  public String progressDetails() {
    return modeDetails() + " keeps_state=" + keepsState
        + from.map(run -> " state_of=" + run.runDate()).orElse("");
  }
}
