package org.segmentation.jobs;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;

/** Runs the job's main in this JVM and keeps what it printed. */
record JobRunner(int status, String out, String err) {
  static JobRunner run(String... args) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    int status = NightlySegmentsJob.run(args, new PrintStream(out, true, StandardCharsets.UTF_8),
        new PrintStream(err, true, StandardCharsets.UTF_8));
    JobRunner run = new JobRunner(status, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    System.out.println(run.cost());
    return run;
  }

  /**
   * One line for the test log: the run's exit, its seconds and its five slowest steps, so that the CI log says where
   * a test class's time goes ({@code stage=<name> ... seconds=<s>} lines and the summary's {@code seconds=}).
   */
  String cost() {
    java.util.regex.Matcher step = java.util.regex.Pattern.compile("(?m)^stage=(\\S+) .*?seconds=([0-9.]+)$")
        .matcher(out);
    List<java.util.Map.Entry<String, Double>> steps = new java.util.ArrayList<>();
    while (step.find()) {
      steps.add(java.util.Map.entry(step.group(1), Double.parseDouble(step.group(2))));
    }
    steps.sort(java.util.Map.Entry.<String, Double>comparingByValue().reversed());
    java.util.regex.Matcher whole = java.util.regex.Pattern.compile("(?m)^result=.* seconds=([0-9.]+)$").matcher(out);
    StringBuilder line = new StringBuilder("JobRunner: exit=" + status + " seconds="
        + (whole.find() ? whole.group(1) : "?") + " slowest:");
    steps.stream().limit(5).forEach(s -> line.append(' ').append(s.getKey()).append('=').append(s.getValue()));
    return line.toString();
  }

  /** Runs one night of {@code config}, each setting given as {@code --set key=value}. */
  static JobRunner night(java.nio.file.Path config, java.time.LocalDate date, String... settings) {
    List<String> args = new java.util.ArrayList<>(List.of("--config", config.toString(), "--run-date",
        date.toString()));
    for (String setting : settings) {
      args.add("--set");
      args.add(setting);
    }
    return run(args.toArray(String[]::new));
  }

  String lastLine() {
    List<String> lines = out.strip().lines().toList();
    return lines.get(lines.size() - 1);
  }

  @Override
  public String toString() {
    return "exit " + status + "\n--- stdout\n" + out + "\n--- stderr\n" + err;
  }
}
