package org.segmentation.run;

/** The one-line form of error messages, for progress lines, the run summary and run_log. */
public final class Messages {
  private Messages() {}

  /** The first line of {@code message}, stripped; empty for none. Spark's messages run to many lines of plan. */
  public static String firstLine(String message) {
    if (message == null) {
      return "";
    }
    String stripped = message.strip();
    int newline = stripped.indexOf('\n');
    return newline < 0 ? stripped : stripped.substring(0, newline);
  }

  /** The line that sums up a failure: {@link SegmentationException#summary()} when there is one. */
  public static String summaryOf(Throwable failure) {
    if (failure instanceof SegmentationException known) {
      return known.summary();
    }
    String first = firstLine(failure.getMessage());
    return first.isEmpty() ? failure.getClass().getSimpleName() : first;
  }
}
