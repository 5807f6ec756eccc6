package org.segmentation.jobs;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/**
 * The nightly job in a JVM of its own (the shaded jar plus Spark's classpath), so a test can kill it or run two at
 * once. Needs the jar: integration tests only.
 */
final class ChildJob {
  private final Process process;
  private final List<String> lines = new CopyOnWriteArrayList<>();
  private final Thread reader;

  private ChildJob(Process process, Predicate<String> killWhen) {
    this.process = process;
    this.reader = new Thread(() -> {
      try (BufferedReader in = new BufferedReader(
          new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
        String line;
        while ((line = in.readLine()) != null) {
          lines.add(line);
          if (killWhen.test(line)) {
            process.destroyForcibly(); // SIGKILL: no shutdown hook, no finally block runs
          }
        }
      } catch (IOException e) {
        lines.add("reader stopped: " + e.getMessage());
      }
    });
    reader.start();
  }

  static ChildJob start(Predicate<String> killWhen, String... jobArgs) throws IOException {
    return start(killWhen, false, jobArgs);
  }

  /** @param withTestClasses also put this module's test classes on the classpath (a test's log store) */
  static ChildJob start(Predicate<String> killWhen, boolean withTestClasses, String... jobArgs) throws IOException {
    String classpath = JobJar.path() + java.io.File.pathSeparator + JobJar.sparkClasspath();
    if (withTestClasses) {
      classpath += java.io.File.pathSeparator
          + ChildJob.class.getProtectionDomain().getCodeSource().getLocation().getPath();
    }
    List<String> command = JobJar.java(classpath);
    command.add(NightlySegmentsJob.class.getName());
    command.addAll(Arrays.asList(jobArgs));
    return new ChildJob(new ProcessBuilder(command).redirectErrorStream(true).start(), killWhen);
  }

  /**
   * {@code org.apache.spark.deploy.SparkSubmit} with these arguments, on Spark's classpath only (the job comes from
   * the jar named in them); {@code onLine} sees each line printed. The submitting JVM sets no evaluation property
   * (JobJar.javaAsShipped: SparkSubmit would pass them on to the driver): the job evaluates as shipped unless the
   * arguments say otherwise.
   */
  static ChildJob submit(Predicate<String> onLine, List<String> submitArgs) throws IOException {
    return submit(onLine, false, submitArgs);
  }

  /**
   * @param withTestClasses also put this module's test classes on the submitting JVM's classpath: in client mode the
   *     driver runs there (a test's listener)
   */
  static ChildJob submit(Predicate<String> onLine, boolean withTestClasses, List<String> submitArgs)
      throws IOException {
    String classpath = JobJar.sparkClasspath();
    if (withTestClasses) {
      classpath += java.io.File.pathSeparator
          + ChildJob.class.getProtectionDomain().getCodeSource().getLocation().getPath();
    }
    List<String> command = JobJar.javaAsShipped(classpath);
    command.add("org.apache.spark.deploy.SparkSubmit");
    command.addAll(submitArgs);
    ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
    builder.environment().remove("SPARK_HOME");
    return new ChildJob(builder.start(), onLine);
  }

  /** Kills the job (SIGKILL) after {@code millis} from now, wherever it is by then. */
  ChildJob killAfter(long millis) {
    Thread killer = new Thread(() -> {
      try {
        Thread.sleep(millis);
        process.destroyForcibly();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    });
    killer.setDaemon(true);
    killer.start();
    return this;
  }

  static ChildJob start(String... jobArgs) throws IOException {
    return start(line -> false, jobArgs);
  }

  /**
   * Waits until the lease a killed run left on {@code lake} has expired, so the next run can take it over (kill tests
   * configure a short expiry: {@code segments.run.lease-expires-after}).
   */
  static void awaitLeaseExpiry(java.nio.file.Path lake) throws InterruptedException {
    java.util.Optional<org.segmentation.io.LakeLease.Holder> holder = new org.segmentation.io.LakeLease(
        new org.apache.hadoop.conf.Configuration(), lake.toString(), java.time.Clock.systemUTC()).latest();
    if (holder.isPresent() && holder.get().held()) {
      long millis = java.time.Duration.between(java.time.Instant.now(), holder.get().expiresAt()).toMillis();
      Thread.sleep(Math.max(0, millis) + 200);
    }
  }

  int waitFor() throws InterruptedException {
    if (!process.waitFor(5, TimeUnit.MINUTES)) {
      process.destroyForcibly();
      throw new AssertionError("job did not end in 5 minutes:\n" + output());
    }
    reader.join(10_000);
    return process.exitValue();
  }

  String output() {
    return String.join("\n", lines);
  }

  String summary() {
    return lines.stream().filter(l -> l.startsWith("result=")).reduce((a, b) -> b).orElse("");
  }
}
