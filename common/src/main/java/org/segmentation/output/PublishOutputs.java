package org.segmentation.output;

import java.util.List;
import org.segmentation.pipeline.RunContext;
import org.segmentation.pipeline.Step;
import org.segmentation.pipeline.StepResult;

/**
 * Step {@code publish_outputs}: after the commit, the night's staged export folders and report page renamed into
 * place ({@link NightPublisher}). A run killed before it ends leaves them staged, and the next run's start puts them
 * there.
 */
public record PublishOutputs(NightPublisher night) implements Step<PublishOutputs.Published> {

  /** The outputs put into place, by name. */
  public record Published(List<String> outputs) implements StepResult {
    @Override
    public String progressDetails() {
      return "outputs=" + outputs.size() + (outputs.isEmpty() ? "" : " published=" + String.join(",", outputs));
    }
  }

  @Override
  public String name() {
    return "publish_outputs";
  }

  @Override
  public Published execute(RunContext run) {
    return new Published(night.publishStaged());
  }
}
