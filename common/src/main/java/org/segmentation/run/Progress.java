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
  /** The stages running now (more than one while independent steps run side by side), with their start times. */
  private final java.util.Map<String, Long> running = new java.util.concurrent.ConcurrentSkipListMap<>();

  public Progress(PrintStream out, long heartbeatSeconds) {
    this.out = out;
    this.heartbeat = Executors.newSingleThreadScheduledExecutor(r -> {
      Thread thread = new Thread(r, "progress-heartbeat");
      thread.setDaemon(true);
      return thread;
    });
    if (heartbeatSeconds > 0) {
      heartbeat.scheduleAtFixedRate(this::beat, heartbeatSeconds, heartbeatSeconds, TimeUnit.SECONDS);
    }
  }

  /** One heartbeat line per running stage (none between stages). */
  private void beat() {
    String run = seconds(runStartNanos);
    running.forEach((stage, started) -> out.println("heartbeat stage=" + stage + " stage_seconds=" + seconds(started)
        + " run_seconds=" + run));
  }

  /** Marks the start of a stage (for the heartbeat and the stage's duration). */
  public void begin(String stage) {
    running.put(stage, System.nanoTime());
  }

  /** Prints the line of the stage that just ended, with its duration and the given {@code key=value} details. */
  public void end(String stage, String details) {
    Long started = running.remove(stage);
    out.println("stage=" + stage + (details.isBlank() ? "" : " " + details) + " seconds="
        + seconds(started == null ? System.nanoTime() : started));
    out.flush();
  }

  /** Forgets a stage that failed (no line: the run's failure line says why). */
  public void abandon(String stage) {
    running.remove(stage);
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
