package org.segmentation.jobs;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import org.apache.spark.sql.SparkSession;
import org.segmentation.TestSpark;
import org.segmentation.sample.SampleDataGenerator;

/** Generated sample inputs under a test folder and a job configuration that reads them. */
final class SampleLake {
  private SampleLake() {}

  /** The job's arguments for one date of a sample lake at {@code lake}, then {@code more}. */
  static String[] jobArgs(Path config, Path lake, LocalDate date, String... more) {
    java.util.List<String> all = new java.util.ArrayList<>(java.util.List.of("--config", config.toString(),
        "--run-date", date.toString(), "--set", "segments.lake.root=\"" + lake + "\""));
    all.addAll(java.util.List.of(more));
    return all.toArray(String[]::new);
  }

  /**
   * Writes {@code dir/raw/purchases} and {@code dir/raw/profiles} (Parquet) and {@code dir/job.conf}: local[2], one
   * shuffle partition, Delta's table state rebuilt with two tasks (its default of 50 makes each commit of a job in
   * a JVM of its own seconds slower on two cores, as in conf/local.conf), those inputs, no HTML report (a test about
   * the report, or about a whole night, turns it on with {@code report.enabled = true}), no purchase state, plus
   * {@code extraSettings} (HOCON inside the {@code segments} block).
   *
   * <p>One shuffle partition: the test JVMs run two classes side by side, so a night's second task per stage buys no
   * time, and each task deserialises its stage's plan (a profile of AudiencesTest had 28 % of its samples in Java
   * serialisation of task closures and plans). AudiencesTest alone took 179 s of CPU against 197 s with two (wall
   * 113 s against 126 s). What depends on how rows are split into partitions still runs split: StandaloneClusterIT's
   * nights (on the cluster and the local one it is compared with, row for row) and the nights of the other
   * configurations keep two partitions (CdnowReferenceTest, IncrementalNightsTest, NewCustomersTest,
   * BadInputCorpusTest, OnlineRetailExampleTest, TimeZoneTest), and so do the library's tests (TestSpark).
   *
   * <p>Without adaptive query execution: on a test night's few thousand rows each query of a step is a handful of
   * small jobs under it (every shuffle stage a job of its own, planned again), and AudiencesTest alone took 173 s of
   * CPU against 201 s with it (wall 120 s against 140 s). Both are Spark's planners of the same rows. The job as shipped
   * keeps it on, and so do the fast tier's nights on other configurations: CdnowReferenceTest, IncrementalNightsTest,
   * BadInputCorpusTest, OnlineRetailExampleTest, TimeZoneTest.
   *
   * @return the configuration file
   */
  static Path create(Path dir, long customers, long purchases, long seed, LocalDate endDate, String extraSettings)
      throws IOException {
    return create(dir, customers, purchases, seed, endDate, extraSettings, null);
  }

  /** As {@link #create}, with the order lines of a planted campaign added to the purchases (NULL for none). */
  static Path create(Path dir, long customers, long purchases, long seed, LocalDate endDate, String extraSettings,
      SampleDataGenerator.PlantedCampaign campaign) throws IOException {
    SparkSession spark = TestSpark.get();
    SampleDataGenerator generator = new SampleDataGenerator(customers, purchases, seed, endDate);
    org.apache.spark.sql.Dataset<org.apache.spark.sql.Row> lines = generator.purchases(spark);
    if (campaign != null) {
      lines = lines.unionByName(generator.campaignPurchases(spark, campaign));
    }
    lines.write().parquet(dir.resolve("raw/purchases").toString());
    generator.profiles(spark).write().parquet(dir.resolve("raw/profiles").toString());
    Path config = dir.resolve("job.conf");
    Files.writeString(config, """
        segments {
          spark { master = "local[2]", conf { "spark.sql.shuffle.partitions" = "1", "spark.ui.enabled" = "false",
            "spark.databricks.delta.snapshotPartitions" = "2", "spark.sql.adaptive.enabled" = "false" } }
          inputs.purchases.path = "%s"
          inputs.profiles.path = "%s"
          report.enabled = false
          # a Parquet input's nights keep a purchase state for the next (docs/incremental.md): seconds a night, and
          # what IncrementalNightsTest and IncrementalFilesTest are about; the other tests read their inputs whole
          run.incremental = false
          %s
        }
        """.formatted(dir.resolve("raw/purchases"), dir.resolve("raw/profiles"), extraSettings));
    return config;
  }

  /** A copy of a lake folder (Delta logs hold relative paths: a copied table is a table), file times kept. */
  static Path copy(Path from, Path to) throws IOException {
    try (java.util.stream.Stream<Path> files = Files.walk(from)) {
      for (Path file : files.toList()) {
        Files.copy(file, to.resolve(from.relativize(file).toString()),
            java.nio.file.StandardCopyOption.COPY_ATTRIBUTES); // Delta dates commits by file time
      }
    }
    return to;
  }
}
