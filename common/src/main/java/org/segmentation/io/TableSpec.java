package org.segmentation.io;

/**
 * An output table: its name (and folder under the lake root) and whether it is partitioned by {@code run_date}.
 * Partitioned tables are written one run date at a time; {@code run_log} is append-only.
 */
public record TableSpec(String name, boolean partitionedByRunDate) {
  public static final TableSpec CUSTOMER_SEGMENTS = new TableSpec("customer_segments", true);
  public static final TableSpec SEGMENT_SUMMARY = new TableSpec("segment_summary", true);
  public static final TableSpec SEGMENT_TRANSITIONS = new TableSpec("segment_transitions", true);
  public static final TableSpec CLUSTER_PROFILES = new TableSpec("cluster_profiles", true);
  public static final TableSpec QUARANTINE = new TableSpec("quarantine", true);
  public static final TableSpec RUN_LOG = new TableSpec("run_log", false);
}
