package org.segmentation.pipeline;

import java.time.Instant;
import java.time.LocalDate;
import org.apache.spark.sql.SparkSession;
import org.segmentation.config.JobSettings;
import org.segmentation.io.LakeTables;
import org.segmentation.io.RunLog;

/**
 * What every step of one run shares, fixed before the first step starts.
 *
 * @param spark the job's session
 * @param settings every setting, validated
 * @param runDate the business day computed (purchases after it are ignored)
 * @param runId this run's id: it tags every Delta commit and the run_log row
 * @param startedAt when the job started (purchases stamped well after it are impossible)
 * @param configFingerprint the fingerprint of the effective configuration, recorded in run_log
 * @param runLog the lake's run_log, shared by the steps: read once, by the first step that asks (repair_tables)
 */
public record RunContext(SparkSession spark, JobSettings settings, LocalDate runDate, String runId,
    Instant startedAt, String configFingerprint, RunLog runLog) {

  /** With the lake's run_log, read once by the first step that asks. */
  public RunContext(SparkSession spark, JobSettings settings, LocalDate runDate, String runId, Instant startedAt,
      String configFingerprint) {
    this(spark, settings, runDate, runId, startedAt, configFingerprint,
        new RunLog(spark, new LakeTables(spark, settings.lake())));
  }

  /** The output tables under the configured lake root. */
  public LakeTables lake() {
    return new LakeTables(spark, settings.lake());
  }
}
