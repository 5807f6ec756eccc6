package org.segmentation.jobs;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.lit;

import java.time.Instant;
import java.time.LocalDate;
import java.time.temporal.ChronoUnit;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.storage.StorageLevel;
import org.segmentation.config.ClusteringSettings;
import org.segmentation.config.ConfigReader;
import org.segmentation.config.JobSettings;
import org.segmentation.config.QualitySettings;
import org.segmentation.io.LakeTables;
import org.segmentation.io.ModelStore;
import org.segmentation.io.RunLog;
import org.segmentation.io.SourceReader;
import org.segmentation.io.SourceReader.RawInput;
import org.segmentation.io.TableSpec;
import org.segmentation.run.DataQualityException;
import org.segmentation.run.Progress;
import org.segmentation.schema.CanonicalColumn;
import org.segmentation.schema.Columns;
import org.segmentation.stage.ClusterProfiles;
import org.segmentation.stage.ColumnMapping;
import org.segmentation.stage.CustomerFeatures;
import org.segmentation.stage.CustomerSegmentsAssembly;
import org.segmentation.stage.InputValidation;
import org.segmentation.stage.RfmScoring;
import org.segmentation.stage.RfmSegmentation;
import org.segmentation.stage.RuleSegments;
import org.segmentation.stage.SegmentClustering;
import org.segmentation.stage.SegmentSummary;
import org.segmentation.stage.SegmentTransitions;
import org.segmentation.stage.ValidatedInput;

/**
 * One night's run, step by step, as an operator would describe it. Reads happen first, publishing last; every
 * computation in between is a pure stage from {@code org.segmentation.stage}.
 */
final class NightlyRun {
  private final SparkSession spark;
  private final JobSettings settings;
  private final LocalDate runDate;
  private final String runId;
  private final Instant startedAt;
  private final Progress progress;
  private final LakeTables lake;
  private final RunLog runLog;
  /** Filled as the run goes, so a failed run's run_log row still shows what was read. */
  private final Map<String, ValidatedInput.Counts> counts = new LinkedHashMap<>();
  private final Map<String, String> inputVersions = new LinkedHashMap<>();
  /** The cluster_profiles rows of this run, when clustering ran. */
  private Dataset<Row> clusterProfiles;

  /** What a run did, for the summary line and {@code run_log}. */
  record Outcome(String status, Map<String, ValidatedInput.Counts> inputs, Map<String, String> inputVersions,
      Map<String, Long> tableVersions, Map<String, Long> rowsWritten, long customers) {}

  NightlyRun(SparkSession spark, JobSettings settings, LocalDate runDate, String runId, Instant startedAt,
      Progress progress) {
    this.spark = spark;
    this.startedAt = startedAt;
    this.settings = settings;
    this.runDate = runDate;
    this.runId = runId;
    this.progress = progress;
    this.lake = new LakeTables(spark, settings.lake());
    this.runLog = new RunLog(spark, lake);
  }

  Outcome run(boolean dryRun) {
    // 1. Configuration that needs Spark to check: the segment rules compile and cover every score combination.
    progress.begin("check_rules");
    List<String> shadowed = RfmSegmentation.check(spark, settings.rfm());
    progress.end("check_rules", "segments=" + settings.rfm().segments().size()
        + (shadowed.isEmpty() ? "" : " never_matched=\"" + String.join(",", shadowed) + "\""));

    // 2. Read, map and validate each input. Mapping problems surface here, before any data is read (exit 2).
    progress.begin("load_validate");
    ValidatedInput purchases = validate(SourceReader.read(spark, settings.purchases()), Columns.PURCHASES,
        InputValidation.purchases(settings.quality(), startedAt));
    ValidatedInput profiles = settings.profiles().enabled()
        ? validate(SourceReader.read(spark, settings.profiles()), Columns.PROFILES,
            InputValidation.profiles(settings.quality()))
        : null;
    if (profiles != null
        && settings.quality().purchasesWithoutProfile() == QualitySettings.Handling.QUARANTINE) {
      purchases = InputValidation.quarantineCustomersWithoutProfile(purchases,
          profiles.accepted().select(Columns.CUSTOMER_ID));
    }
    // quantity is validated (an unparseable one is quarantined), but no stage reads it: not worth caching
    purchases = purchases.without(Columns.QUANTITY);
    // The customer features, as a plan only: rule segments and clustering features are checked against its schema
    // now, before any data is read.
    Dataset<Row> featuresPlan = new CustomerFeatures(settings.features(), settings.rfm(), runDate)
        .apply(purchases.accepted(), profiles == null ? null : profiles.accepted());
    RuleSegments ruleSegments = new RuleSegments(settings.ruleSegments());
    ruleSegments.check(featuresPlan);
    if (settings.clustering().enabled()) {
      SegmentClustering.check(featuresPlan.schema(), settings.clustering());
    }
    // Persisted: the validated rows feed the RFM aggregate, the features, the quarantine table and the counts, and
    // each source must be read once. MEMORY_AND_DISK spills instead of recomputing when memory runs short.
    purchases.rows().persist(StorageLevel.MEMORY_AND_DISK());
    counts.put(purchases.name(), purchases.counts());
    if (profiles != null) {
      profiles.rows().persist(StorageLevel.MEMORY_AND_DISK());
      counts.put(profiles.name(), profiles.counts());
    }
    progress.end("load_validate", countsDetails(counts));

    // 3. Quality gate: too many quarantined rows, or no usable purchase at all, stops the night here (exit 3).
    checkQualityGate();
    if (dryRun) {
      return new Outcome(RunLog.DRY_RUN, counts, inputVersions, Map.of(), Map.of(), 0);
    }

    // 4. Per customer, as of the run date: RFM values and the other features. Persisted: scoring and clustering
    //    fit over them, then score them.
    progress.begin("features");
    Dataset<Row> features = featuresPlan.persist(StorageLevel.MEMORY_AND_DISK());
    long customers = features.count();
    progress.end("features", "rows_in=" + counts.get(purchases.name()).accepted() + " rows_out=" + customers);

    progress.begin("rfm_scoring");
    RfmScoring scoring = RfmScoring.fit(features, settings.rfm());
    Dataset<Row> segmented = ruleSegments.apply(new RfmSegmentation(settings.rfm()).apply(scoring.apply(features)));
    progress.end("rfm_scoring", scoring.describe());

    // 5. Clusters of the customers with a counted purchase: reuse or refit the model, profile and name them.
    progress.begin("clustering");
    Dataset<Row> clustered = cluster(segmented).persist(StorageLevel.MEMORY_AND_DISK());

    // 6. Compare with the previous published night (the run_log contract, never a half-written table).
    progress.begin("transitions");
    Optional<RunLog.PublishedRun> previousRun = runLog.latestPublishedBefore(runDate);
    Dataset<Row> previous = previousRun
        .map(p -> lake.readRunDate(TableSpec.CUSTOMER_SEGMENTS, p.runDate(),
            p.tableVersions().get(TableSpec.CUSTOMER_SEGMENTS.name())))
        .orElse(null);
    Dataset<Row> customerSegments = new CustomerSegmentsAssembly(runDate).finish(clustered, previous)
        .persist(StorageLevel.MEMORY_AND_DISK());
    Dataset<Row> summary = new SegmentSummary().apply(customerSegments);
    Dataset<Row> transitions = new SegmentTransitions(runDate, previousRun.map(RunLog.PublishedRun::runDate)
        .orElse(null)).apply(customerSegments, previous);
    progress.end("transitions", "previous_run_date=" + previousRun.map(p -> p.runDate().toString()).orElse("none"));

    // 6. Publish: each table replaces exactly this run date; run_log (written by the caller) marks it published.
    Map<String, Long> versions = new LinkedHashMap<>();
    Map<String, Long> written = new LinkedHashMap<>();
    publish(TableSpec.CUSTOMER_SEGMENTS, customerSegments, versions, written);
    publish(TableSpec.SEGMENT_SUMMARY, summary, versions, written);
    publish(TableSpec.SEGMENT_TRANSITIONS, transitions, versions, written);
    Dataset<Row> quarantine = purchases.quarantined(runDate, runId);
    if (profiles != null) {
      quarantine = quarantine.unionByName(profiles.quarantined(runDate, runId));
    }
    publish(TableSpec.QUARANTINE, quarantine.coalesce(1), versions, written);
    if (clusterProfiles != null) {
      publish(TableSpec.CLUSTER_PROFILES, clusterProfiles, versions, written);
    }

    customerSegments.unpersist();
    clustered.unpersist();
    features.unpersist();
    purchases.rows().unpersist();
    if (profiles != null) {
      profiles.rows().unpersist();
    }
    return new Outcome(RunLog.PUBLISHED, counts, inputVersions, versions, written, customers);
  }

  /**
   * Adds cluster_id, cluster_name, cluster_distance and cluster_probability (NULL for customers without a counted
   * purchase, and for everyone when clustering is off) and prepares the cluster_profiles rows.
   */
  private Dataset<Row> cluster(Dataset<Row> segmented) {
    ClusteringSettings clustering = settings.clustering();
    Column noId = lit(null).cast(DataTypes.IntegerType);
    Column noValue = lit(null).cast(DataTypes.DoubleType);
    Dataset<Row> active = segmented.where(col(Columns.FREQUENCY).gt(0));
    long activeCustomers = clustering.enabled() ? active.count() : 0;
    long needed = (long) SegmentClustering.MIN_CUSTOMERS_PER_CLUSTER
        * Math.max(clustering.k(), clustering.kMin());
    if (!clustering.enabled() || activeCustomers < needed) {
      progress.end("clustering", clustering.enabled()
          ? "skipped=\"" + activeCustomers + " customers with a purchase, need at least " + needed + "\""
          : "enabled=false");
      return segmented.withColumn(SegmentClustering.CLUSTER_ID, noId)
          .withColumn(CustomerSegmentsAssembly.CLUSTER_NAME, lit(null).cast(DataTypes.StringType))
          .withColumn(SegmentClustering.CLUSTER_DISTANCE, noValue)
          .withColumn(SegmentClustering.CLUSTER_PROBABILITY, noValue);
    }
    ModelStore models = new ModelStore(spark, settings.lake());
    Optional<ModelStore.Saved> saved = models.latestOnOrBefore(runDate);
    boolean refit = saved.isEmpty() || (!saved.get().fittedFor().equals(runDate)
        && ChronoUnit.DAYS.between(saved.get().fittedFor(), runDate) >= clustering.refitEveryDays());
    SegmentClustering.Model model;
    if (refit) {
      model = SegmentClustering.fit(active, clustering, saved.map(ModelStore.Saved::model).orElse(null));
      models.save(runDate, model, runId);
    } else {
      model = saved.get().model();
    }
    Dataset<Row> assigned = SegmentClustering.assign(model, active);
    ClusterProfiles.Profiles profiles = new ClusterProfiles(clustering, runDate)
        .compute(spark, assigned, model.silhouetteByK());
    clusterProfiles = profiles.rows();
    Dataset<Row> inactive = segmented.where(col(Columns.FREQUENCY).leq(0))
        .withColumn(SegmentClustering.CLUSTER_ID, noId)
        .withColumn(SegmentClustering.CLUSTER_DISTANCE, noValue)
        .withColumn(SegmentClustering.CLUSTER_PROBABILITY, noValue);
    progress.end("clustering", "algorithm=" + ConfigReader.kebab(clustering.algorithm()) + " k=" + model.k()
        + " refit=" + refit + " model_date=" + (refit ? runDate : saved.get().fittedFor())
        + " silhouette_by_k=\"" + model.silhouetteByK() .toString().replace(" ", "") + "\""
        + " names=\"" + String.join(",", profiles.names().values()) + "\"");
    return assigned.unionByName(inactive)
        .withColumn(CustomerSegmentsAssembly.CLUSTER_NAME, ClusterProfiles.nameOf(profiles.names()));
  }

  private ValidatedInput validate(RawInput raw, List<CanonicalColumn> schema, InputValidation validation) {
    if (!raw.version().isEmpty()) {
      inputVersions.put(raw.source().name(), raw.version());
    }
    Dataset<Row> mapped = new ColumnMapping(raw.source(), schema).apply(raw.rows());
    return new ValidatedInput(raw.source().name(), schema, validation.apply(mapped));
  }

  private void checkQualityGate() {
    for (ValidatedInput.Counts c : counts.values()) {
      if (c.read() == 0) {
        throw new DataQualityException("Cannot segment: input " + c.input() + " is empty");
      }
      if (c.quarantinedShare() > settings.quality().maxQuarantinedShare()) {
        throw new DataQualityException(String.format(java.util.Locale.ROOT,
            "Cannot segment: %d of %d %s rows (%.2f %%) were quarantined, above the limit of %.2f %% "
                + "(segments.quality.max-quarantined-share); see the reasons with --dry-run or in the input",
            c.quarantined(), c.read(), c.input(), 100 * c.quarantinedShare(),
            100 * settings.quality().maxQuarantinedShare()));
      }
    }
    ValidatedInput.Counts purchases = counts.get(settings.purchases().name());
    if (purchases.accepted() == 0) {
      throw new DataQualityException("Cannot segment: no usable purchase among " + purchases.read() + " rows");
    }
  }

  private void publish(TableSpec table, Dataset<Row> rows, Map<String, Long> versions, Map<String, Long> written) {
    progress.begin("write_" + table.name());
    spark.sparkContext().setJobDescription("publish " + table.name() + " run_date=" + runDate);
    LakeTables.Commit commit = lake.replaceRunDate(table, rows, runDate, runId);
    versions.put(table.name(), commit.version());
    written.put(table.name(), commit.rowsWritten());
    spark.sparkContext().setJobDescription(null);
    progress.end("write_" + table.name(), "rows_out=" + commit.rowsWritten() + " delta_version=" + commit.version());
  }

  /** Appends this run's row to run_log: the publish marker when status is published. */
  void record(Outcome outcome, int exitCode, String reason, String message, String fingerprint) {
    Map<String, Long> read = new LinkedHashMap<>();
    Map<String, Long> accepted = new LinkedHashMap<>();
    Map<String, Long> quarantined = new LinkedHashMap<>();
    for (ValidatedInput.Counts c : counts.values()) {
      read.put(c.input(), c.read());
      accepted.put(c.input(), c.accepted());
      quarantined.put(c.input(), c.quarantined());
    }
    runLog.append(new RunLog.Entry(runId, runDate, outcome == null ? RunLog.FAILED : outcome.status(), exitCode,
        startedAt, Instant.now(), reason, message, read, accepted, quarantined,
        outcome == null ? Map.of() : outcome.rowsWritten(),
        inputVersions,
        outcome == null ? Map.of() : outcome.tableVersions(), fingerprint));
  }

  static String countsDetails(Map<String, ValidatedInput.Counts> counts) {
    StringBuilder details = new StringBuilder();
    for (ValidatedInput.Counts c : counts.values()) {
      details.append(c.input()).append("_read=").append(c.read()).append(' ')
          .append(c.input()).append("_accepted=").append(c.accepted()).append(' ')
          .append(c.input()).append("_quarantined=").append(c.quarantined()).append(' ');
    }
    return details.toString().trim();
  }
}
