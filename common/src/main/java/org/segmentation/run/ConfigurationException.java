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

  @Override
  public String reasonCode() {
    return "configuration";
  }
}
