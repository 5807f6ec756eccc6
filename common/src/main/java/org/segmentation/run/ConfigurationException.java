package org.segmentation.run;

import java.util.List;

/** Bad arguments, configuration or input mapping: a retry will not help, the operator has to fix something. */
public final class ConfigurationException extends SegmentationException {
  private final List<String> problems;

  public ConfigurationException(List<String> problems) {
    super("Invalid configuration (" + problems.size() + " problem" + (problems.size() == 1 ? "" : "s") + "):\n  - "
        + String.join("\n  - ", problems));
    this.problems = List.copyOf(problems);
  }

  public ConfigurationException(String problem) {
    this(List.of(problem));
  }

  public List<String> problems() {
    return problems;
  }

  /** The count of problems and the first one: "Invalid configuration (2 problems): segments.rfm.score-bins: ...". */
  @Override
  public String summary() {
    return "Invalid configuration (" + problems.size() + " problem" + (problems.size() == 1 ? "" : "s") + "): "
        + problems.get(0);
  }

  @Override
  public String reasonCode() {
    return "configuration";
  }
}
