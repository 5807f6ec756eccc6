package org.segmentation.pipeline;

import java.time.Instant;
import java.time.LocalDate;
import org.apache.spark.sql.SparkSession;
import org.segmentation.config.JobSettings;
import org.segmentation.io.LakeTables;

/**
 * What every step of one run shares, fixed before the first step starts.
 *
 * @param spark the job's session
 * @param settings every setting, validated
 * @param runDate the business day computed (purchases after it are ignored)
 * @param runId this run's id: it tags every Delta commit and the run_log row
 * @param startedAt when the job started (purchases stamped well after it are impossible)
 * @param configFingerprint the fingerprint of the effective configuration, recorded in run_log
 */
public record RunContext(SparkSession spark, JobSettings settings, LocalDate runDate, String runId,
    Instant startedAt, String configFingerprint) {

  /** The output tables under the configured lake root. */
  public LakeTables lake() {
    return new LakeTables(spark, settings.lake());
  }
}
