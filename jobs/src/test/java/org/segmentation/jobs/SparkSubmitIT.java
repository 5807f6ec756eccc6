package org.segmentation.jobs;

import static org.apache.spark.sql.functions.col;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.apache.spark.sql.Row;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.segmentation.TestSpark;
import org.segmentation.TestTier;

/**
 * The shaded job jar, submitted through Spark's own launcher ({@code org.apache.spark.deploy.SparkSubmit}, local[2])
 * with only Spark's classpath beside it, as a cluster would run it: Delta and typesafe-config must come from the jar.
 * Runs in the integration-test phase, after the jar is built. In the full tier only: the fast tier submits the same jar
 * through {@code SparkSubmit} to a standalone cluster, with Delta inputs ({@link StandaloneClusterIT}).
 */
class SparkSubmitIT {
  @TempDir
  Path dir;

  private Process submit(Path log, String mainClass, String... jobArgs) throws IOException {
    List<String> command = JobJar.javaAsShipped(JobJar.sparkClasspath());
    command.addAll(List.of("org.apache.spark.deploy.SparkSubmit",
        "--master", "local[2]", "--conf", "spark.ui.enabled=false",
        "--conf", "spark.sql.shuffle.partitions=2",
        "--conf", "spark.databricks.delta.snapshotPartitions=2",
        "--class", mainClass, JobJar.path()));
    command.addAll(Arrays.asList(jobArgs));
    ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile());
    builder.environment().remove("SPARK_HOME");
    return builder.start();
  }

  private String runToEnd(String name, String mainClass, String... args) throws Exception {
    Path log = dir.resolve(name + ".log");
    Process process = submit(log, mainClass, args);
    assertTrue(process.waitFor(5, TimeUnit.MINUTES), "timed out");
    String output = Files.readString(log, StandardCharsets.UTF_8);
    assertEquals(0, process.exitValue(), output);
    return output;
  }

  @Test
  @Tag(TestTier.FULL) // the fast tier's StandaloneClusterIT submits the jar, with Delta inputs, in cluster mode
  void theShadedJarRunsThroughSparkSubmitAndWritesDelta() throws Exception {
    assertTrue(new File(JobJar.path()).isFile(), "build the jar first (mvn verify)");
    // the inputs are written here (one child JVM fewer): the job's own start is what is under test
    org.segmentation.sample.SampleDataGenerator inputs = new org.segmentation.sample.SampleDataGenerator(400, 3000, 5,
        java.time.LocalDate.parse("2026-11-20"));
    inputs.purchases(TestSpark.get()).write().format("delta").save(dir.resolve("raw/purchases").toString());
    inputs.profiles(TestSpark.get()).write().format("delta").save(dir.resolve("raw/profiles").toString());
    Path config = dir.resolve("submit.conf");
    Files.writeString(config, """
        segments {
          lake.root = "%s"
          inputs.purchases { format = delta, path = "%s" }
          inputs.profiles { format = delta, path = "%s" }
        }
        """.formatted(dir.resolve("lake"), dir.resolve("raw/purchases"), dir.resolve("raw/profiles")));
    String output = runToEnd("nightly", "org.segmentation.jobs.NightlySegmentsJob",
        "--config", config.toString(), "--run-date", "2026-11-20");
    List<String> lines = output.strip().lines().toList();
    String summary = lines.stream().filter(l -> l.startsWith("result=")).reduce((a, b) -> b).orElse("");
    assertTrue(summary.startsWith("result=published exit=0 run_date=2026-11-20"), output);

    long customers = TestSpark.get().read().format("delta").load(dir.resolve("lake/customer_segments").toString())
        .count();
    long profilesOrBuyers = TestSpark.get().read().format("delta").load(dir.resolve("raw/purchases").toString())
        .select("customer_id")
        .union(TestSpark.get().read().format("delta").load(dir.resolve("raw/profiles").toString())
            .select("customer_id"))
        .distinct().count();
    assertEquals(profilesOrBuyers, customers);
    Row run = TestSpark.get().read().format("delta").load(dir.resolve("lake/run_log").toString())
        .where(col("status").equalTo("published")).first();
    // Delta inputs are pinned: run_log records the versions read
    assertEquals("0", run.<String, String>getJavaMap(run.fieldIndex("input_versions")).get("purchases"));
  }
}
