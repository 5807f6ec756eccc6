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
    List<String> command = JobJar.java(JobJar.path() + java.io.File.pathSeparator + JobJar.sparkClasspath());
    command.add(NightlySegmentsJob.class.getName());
    command.addAll(Arrays.asList(jobArgs));
    return new ChildJob(new ProcessBuilder(command).redirectErrorStream(true).start(), killWhen);
  }

  static ChildJob start(String... jobArgs) throws IOException {
    return start(line -> false, jobArgs);
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
