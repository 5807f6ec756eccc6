package org.segmentation.jobs;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The built job jar and Spark's own classpath beside it (what a cluster provides), as Maven's integration-test phase
 * passes them: for tests that run the job in JVMs of their own.
 */
final class JobJar {
  private JobJar() {}

  static String path() {
    return System.getProperty("segmentation.jobJar");
  }

  static String sparkClasspath() throws IOException {
    return Files.readString(Path.of(System.getProperty("segmentation.sparkClasspath"))).strip();
  }

  /**
   * The compiler and collector of a child JVM. A child runs a small night for half a minute: C1 alone compiles enough,
   * and leaves C2's compile threads off the 2 cores the job itself needs (about 13 % faster a run); C1-compiled code is
   * larger, hence the code cache. The serial collector: a night of the smoke benchmark's size took 61 s of CPU against
   * 66 with G1 (wall 46.9 s against 50.0 s), and half the memory.
   */
  static final List<String> CHILD_JIT = List.of("-XX:TieredStopAtLevel=1", "-XX:ReservedCodeCacheSize=512m",
      "-XX:+UseSerialGC");

  /**
   * Spark interprets its expressions in a child JVM, as in the test JVMs: the root pom's {@code test.codegen}, passed
   * as {@code segmentation.childEvaluation}, says how and why (a cold JVM compiles generated code slowest of all). The
   * job as shipped, with code generation, runs in SparkSubmitIT and the smoke benchmark.
   */
  static final List<String> CHILD_EVALUATION = Arrays.stream(
      System.getProperty("segmentation.childEvaluation", "").trim().split("\\s+")).filter(s -> !s.isEmpty()).toList();

  /**
   * {@code java -Xmx1g <the opens Spark needs on Java 17> -cp classpath}, with {@link #CHILD_JIT} and
   * {@link #CHILD_EVALUATION}: the start of a command line.
   */
  static List<String> java(String classpath) {
    List<String> command = javaAsShipped(classpath);
    command.addAll(command.indexOf("-cp"), CHILD_EVALUATION);
    return command;
  }

  /** {@link #java} with Spark's own evaluation settings: the job as a user submits it. */
  static List<String> javaAsShipped(String classpath) {
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    command.add("-Xmx1g");
    command.addAll(CHILD_JIT);
    command.addAll(Arrays.asList(System.getProperty("segmentation.jvmOpens").trim().split("\\s+")));
    command.addAll(List.of("-cp", classpath));
    return command;
  }
}
