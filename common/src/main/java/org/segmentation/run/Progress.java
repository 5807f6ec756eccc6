package org.segmentation.run;

import java.io.PrintStream;
import java.util.Locale;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * The job's own progress lines on standard output, one {@code key=value} line per finished step:
 * {@code stage=features rows_in=1000000 rows_out=98765 seconds=4.2} (operators parse them: the format stays). The
 * stage names are the step names. While a stage runs, a heartbeat line is
 * printed every {@code heartbeatSeconds} so a long night visibly stays alive. Never prints customer data.
 */
public final class Progress implements AutoCloseable {
  private final PrintStream out;
  private final ScheduledExecutorService heartbeat;
  private final long runStartNanos = System.nanoTime();
  private volatile String currentStage = "start";
  private volatile long stageStartNanos = System.nanoTime();

  public Progress(PrintStream out, long heartbeatSeconds) {
    this.out = out;
    this.heartbeat = Executors.newSingleThreadScheduledExecutor(r -> {
      Thread thread = new Thread(r, "progress-heartbeat");
      thread.setDaemon(true);
      return thread;
    });
    if (heartbeatSeconds > 0) {
      heartbeat.scheduleAtFixedRate(() -> out.println("heartbeat stage=" + currentStage + " stage_seconds="
          + seconds(stageStartNanos) + " run_seconds=" + seconds(runStartNanos)),
          heartbeatSeconds, heartbeatSeconds, TimeUnit.SECONDS);
    }
  }

  /** Marks the start of a stage (for the heartbeat and the stage's duration). */
  public void begin(String stage) {
    currentStage = stage;
    stageStartNanos = System.nanoTime();
  }

  /** Prints the line of the stage that just ended, with its duration and the given {@code key=value} details. */
  public void end(String stage, String details) {
    out.println("stage=" + stage + (details.isBlank() ? "" : " " + details) + " seconds=" + seconds(stageStartNanos));
    out.flush();
  }

  public void line(String text) {
    out.println(text);
    out.flush();
  }

  public String runSeconds() {
    return seconds(runStartNanos);
  }

  private static String seconds(long startNanos) {
    return String.format(Locale.ROOT, "%.1f", (System.nanoTime() - startNanos) / 1e9);
  }

  @Override
  public void close() {
    heartbeat.shutdownNow();
  }
}
