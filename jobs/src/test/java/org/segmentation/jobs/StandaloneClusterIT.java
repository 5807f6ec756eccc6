package org.segmentation.jobs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;
import org.segmentation.TestSpark;
import org.segmentation.TestTier;
import org.segmentation.bench.LakeDiff;

/**
 * The shaded jar on a real Spark standalone cluster on loopback: one Master and, in the full tier, two Workers (two
 * cores each; the application takes one on each, spread out, and in cluster mode the driver takes one more; the fast
 * tier starts one Worker, which hosts the driver and one executor: two cold JVMs fewer), separate
 * JVMs started from the Spark jars Maven resolved. A Worker launches executors from a Spark home with a {@code jars/}
 * folder and a {@code RELEASE} file, so the test builds one from those jars. The job is submitted with
 * {@code SparkSubmit} in cluster mode (the driver runs on a Worker) and, in the full tier, in client mode with one
 * Worker killed (SIGKILL) while a stage has tasks in flight; each run's tables must equal those of a {@code local[2]}
 * run on the same input, row for row.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class) // the worker dies last: cluster mode has both
class StandaloneClusterIT {
  static final LocalDate DATE = LocalDate.of(2026, 11, 20);
  /**
   * The cluster's driver and executors run a small night cold, as the other child jobs do (JobJar.CHILD_JIT), but
   * evaluate as the job ships: generated code, and adaptive execution over two shuffle partitions (SampleLake turns
   * adaptive execution off and keeps one partition; the configuration below puts both back), while the local
   * reference night in the test JVM interprets its expressions (pom.xml test.codegen). This is the fast tier's night
   * as shipped, so the tables must also be the same whichever way Spark evaluates them.
   */
  static final String CHILD_JIT = String.join(" ", JobJar.CHILD_JIT);

  @TempDir
  static Path dir;
  static Path config;
  static String masterUrl;
  static final List<Process> daemons = new ArrayList<>();
  static Process killable;
  static Path local;

  @BeforeAll
  static void startCluster() throws Exception {
    // an audience with a raw and a hashed destination: the exports run on the executors (libphonenumber from the
    // job jar, SHA-256) and must write the same files as a local run
    config = SampleLake.create(dir, 1000, 8_000, 17, DATE, """
        report.enabled = true
        clustering { k = 3, restarts = 1 }
        audiences {
          destinations { mail { format = "csv", allow-raw-email = true }, ads { format = "csv" } }
          lists.lapsing { filter = "r_score <= 2", fields = ["rfm_segment"], destinations = ["mail", "ads"] }
        }
        run.incremental = true
        spark.conf { "spark.sql.adaptive.enabled" = "true", "spark.sql.shuffle.partitions" = "2" }
        inputs.purchases { format = delta, path = "%s" }
        inputs.profiles { format = delta, path = "%s" }
        """.formatted(dir.resolve("delta/purchases"), dir.resolve("delta/profiles")));
    // Delta inputs: the cluster's driver must find Delta in the job jar, and run_log pins the versions it read; the
    // purchases record their changes, so the night keeps a purchase state (built and written on the cluster too)
    for (String input : List.of("purchases", "profiles")) {
      TestSpark.get().read().parquet(dir.resolve("raw").resolve(input).toString())
          .write().format("delta").save(dir.resolve("delta").resolve(input).toString());
    }
    TestSpark.get().sql("ALTER TABLE delta.`" + dir.resolve("delta/purchases")
        + "` SET TBLPROPERTIES (delta.enableChangeDataFeed = true)");
    Path sparkHome = dir.resolve("spark-home");
    Files.createDirectories(sparkHome.resolve("jars"));
    for (String jar : JobJar.sparkClasspath().split(File.pathSeparator)) {
      Path link = sparkHome.resolve("jars").resolve(Path.of(jar).getFileName());
      if (jar.endsWith(".jar") && !Files.exists(link)) {
        Files.createSymbolicLink(link, Path.of(jar));
      }
    }
    Files.writeString(sparkHome.resolve("RELEASE"), "Spark 4.1.0 (jars resolved by Maven, for a test)\n");

    int port = freePort();
    masterUrl = "spark://127.0.0.1:" + port;
    daemons.add(daemon(sparkHome, "master", line -> line.contains("I have been elected leader"),
        "org.apache.spark.deploy.master.Master", "--host", "127.0.0.1", "--port", Integer.toString(port),
        "--webui-port", Integer.toString(freePort())));
    for (int i = 1; i <= (TestTier.full() ? 2 : 1); i++) {
      Process worker = daemon(sparkHome, "worker-" + i, line -> line.contains("Successfully registered with master"),
          "org.apache.spark.deploy.worker.Worker", "--host", "127.0.0.1", "--cores", "2", "--memory", "2g",
          "--work-dir", dir.resolve("work-" + i).toString(), "--webui-port", Integer.toString(freePort()),
          masterUrl);
      daemons.add(worker);
      killable = worker;
    }
    local = dir.resolve("local-lake");
    JobRunner reference = JobRunner.run(jobArgs(local)); // local[2], as the configuration says
    assertEquals(0, reference.status(), reference.toString());
  }

  @AfterAll
  static void stopCluster() {
    daemons.forEach(Process::destroyForcibly);
  }

  private static int freePort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0)) {
      return socket.getLocalPort();
    }
  }

  /** Starts a Spark daemon JVM and waits for the log line that says it is up. */
  private static Process daemon(Path sparkHome, String name, Predicate<String> ready, String... args)
      throws Exception {
    List<String> command = JobJar.java(JobJar.sparkClasspath());
    command.addAll(List.of(args));
    Path log = dir.resolve(name + ".log");
    ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile());
    builder.environment().put("SPARK_HOME", sparkHome.toString());
    builder.environment().put("SPARK_SCALA_VERSION", "2.13");
    Process process = builder.start();
    long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(2);
    while (Files.readAllLines(log, StandardCharsets.UTF_8).stream().noneMatch(ready)) {
      assertTrue(process.isAlive() && System.nanoTime() < deadline, name + " did not start:\n"
          + Files.readString(log, StandardCharsets.UTF_8));
      Thread.sleep(200);
    }
    return process;
  }

  private static String[] jobArgs(Path lake) {
    return new String[] {"--config", config.toString(), "--run-date", DATE.toString(),
        "--set", "segments.lake.root=\"" + lake + "\""};
  }

  /** SparkSubmit to the cluster; the job's lines go to the returned ChildJob. */
  /** @param more options before the others (in client mode, with the test classes on the driver's classpath) */
  private static ChildJob submit(String deployMode, Predicate<String> onLine, Path lake, String... more)
      throws IOException {
    List<String> submit = new ArrayList<>(List.of(more));
    submit.addAll(List.of("--master", masterUrl, "--deploy-mode", deployMode,
        "--conf", "spark.executor.memory=600m", "--conf", "spark.executor.cores=1", "--conf", "spark.cores.max=2",
        "--driver-memory", "1g", "--conf", "spark.ui.enabled=false",
        "--conf", "spark.driver.extraJavaOptions=" + CHILD_JIT + " "
            + System.getProperty("segmentation.jvmOpens").trim(),
        "--conf", "spark.executor.extraJavaOptions=" + CHILD_JIT,
        "--conf", "spark.standalone.submit.waitAppCompletion=true",
        "--class", NightlySegmentsJob.class.getName(), JobJar.path()));
    submit.addAll(List.of(jobArgs(lake)));
    return ChildJob.submit(onLine, more.length > 0, submit);
  }

  private static void assertSameTables(Path expected, Path actual) throws IOException {
    for (String line : LakeDiff.compare(TestSpark.get(), expected.toString(), actual.toString())) {
      // a first night has no member sent before it: no experiment is measured, in either lake; and this
      // configuration scores no propensity or uplift model and measures no product affinity
      boolean absent = java.util.stream.Stream.concat(org.segmentation.io.TableCatalog.EXPERIMENT_TABLES.stream(),
              java.util.stream.Stream.of(org.segmentation.io.TableCatalog.CUSTOMER_PROPENSITY,
                  org.segmentation.io.TableCatalog.PROPENSITY_MODEL_METRICS,
                  org.segmentation.io.TableCatalog.PROPENSITY_MODELS, org.segmentation.io.TableCatalog.CUSTOMER_UPLIFT,
                  org.segmentation.io.TableCatalog.UPLIFT_MODEL_METRICS, org.segmentation.io.TableCatalog.UPLIFT_MODELS,
                  org.segmentation.io.TableCatalog.SEGMENT_AFFINITY, org.segmentation.io.TableCatalog.PRODUCT_RULES,
                  org.segmentation.io.TableCatalog.NEXT_BEST_PRODUCTS,
                  org.segmentation.io.TableCatalog.RECOMMENDATION_METRICS))
          .anyMatch(t -> line.startsWith("table=" + t.name() + " "));
      assertTrue(line.endsWith(absent ? "result=absent_in_both" : "result=same"), line);
    }
    // the export files too: same rows, same bytes (the manifests' lists of files, checksums included)
    com.fasterxml.jackson.databind.ObjectMapper json = new com.fasterxml.jackson.databind.ObjectMapper();
    Path manifest = Path.of("exports", "lapsing", DATE.toString(), "_manifest.json");
    assertEquals(json.readTree(expected.resolve(manifest).toFile()).get("files"),
        json.readTree(actual.resolve(manifest).toFile()).get("files"), actual.toString());
  }

  @Test
  @Order(1)
  void inClusterModeTheJobPublishesTheSameTablesAsLocally() throws Exception {
    // the driver runs on a Worker (which also hosts an executor)
    Path clusterLake = dir.resolve("cluster-lake");
    long started = System.nanoTime();
    ChildJob cluster = submit("cluster", line -> false, clusterLake);
    assertEquals(0, cluster.waitFor(), cluster.output());
    String check = checkPublished(clusterLake);
    assertTrue(check.startsWith("result=published exit=0"), check);
    assertSameTables(local, clusterLake);
    org.apache.spark.sql.Row run = TestSpark.get().read().format("delta").load(clusterLake.resolve("run_log").toString())
        .where("status = 'published'").first();
    // version 1: the write, then the change data feed turned on
    assertEquals("1", run.<String, String>getJavaMap(run.fieldIndex("input_versions")).get("purchases"));
    System.out.printf("StandaloneClusterIT: cluster mode %.0f s%n", (System.nanoTime() - started) / 1e9);
  }

  @Test
  @Order(2)
  @Tag(TestTier.FULL)
  void inClientModeTheJobPublishesTheSameTablesWhenAWorkerDies() throws Exception {
    // Client mode; once tasks run on both executors at once (RecoveryListener, in the driver, says so), one Worker
    // dies: its executor's running tasks are lost and must run again on the other.
    Path clientLake = dir.resolve("client-lake");
    long started = System.nanoTime();
    ChildJob client = submit("client", line -> {
      if (line.startsWith("recovery_listener busy_executors=")) {
        killable.destroyForcibly();
      }
      return false;
    }, clientLake, "--conf", "spark.extraListeners=" + RecoveryListener.class.getName());
    assertEquals(0, client.waitFor(), client.output());
    assertTrue(client.summary().startsWith("result=published exit=0"), client.output());
    assertTrue(!killable.isAlive(), "a worker was killed during the run");
    java.util.regex.Matcher removed = java.util.regex.Pattern
        .compile("recovery_listener executor_removed=\\S+ tasks_lost=([1-9]\\d*)").matcher(client.output());
    assertTrue(removed.find(), "an executor with running tasks was lost:\n" + client.output());
    assertTrue(client.output().contains("recovery_listener task_rerun "),
        "a lost task ran again on another executor:\n" + client.output());
    assertSameTables(local, clientLake);
    System.out.printf("StandaloneClusterIT: client mode with a worker killed %.0f s%n",
        (System.nanoTime() - started) / 1e9);
  }

  private static String checkPublished(Path lake) {
    java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
    CheckPublished.run(new String[] {"--config", config.toString(), "--run-date", DATE.toString(),
        "--set", "segments.lake.root=\"" + lake + "\""}, new java.io.PrintStream(out, true), System.err);
    return out.toString(StandardCharsets.UTF_8);
  }
}
