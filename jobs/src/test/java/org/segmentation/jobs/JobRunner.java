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
    return new JobRunner(status, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
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
