package org.segmentation.jobs;

/** The job's exit statuses: what an orchestrator retries and what it escalates. */
public enum ExitCode {
  /** Published (a rerun of the same date is also a success), or a dry run that found no problem. */
  SUCCESS(0),
  /** Anything unexpected: retry. */
  FAILURE(1),
  /** Bad arguments, configuration or input mapping: fix it; a retry will not help. */
  USAGE(2),
  /** The data-quality gate failed, or an input is missing or empty: nothing was published. */
  DATA_QUALITY(3),
  /**
   * Another run holds the lake (its lease): this run changed nothing. Retry later (75 is EX_TEMPFAIL of sysexits.h,
   * "try again later").
   */
  LAKE_BUSY(75);

  private final int status;

  ExitCode(int status) {
    this.status = status;
  }

  public int status() {
    return status;
  }
}
