package org.segmentation.output;

import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.segmentation.io.LakeTables;
import org.segmentation.io.TableSpec;
import org.segmentation.pipeline.RunContext;
import org.segmentation.pipeline.Step;
import org.segmentation.pipeline.StepResult;

/**
 * Step {@code write_<table>}: replaces the run date's rows of one output table in one Delta transaction
 * ({@link LakeTables#replaceRunDate}: other dates are never touched, a rerun gives the same content).
 */
public record PublishTable(TableSpec table, Dataset<Row> rows) implements Step<PublishTable.Commit> {

  /** What was committed: the table, its Delta version holding the run, the rows written. */
  public record Commit(TableSpec table, long version, long rowsWritten) implements StepResult {
    @Override
    public String progressDetails() {
      return "rows_out=" + rowsWritten + " delta_version=" + version;
    }
  }

  @Override
  public String name() {
    return "write_" + table.name();
  }

  @Override
  public Commit execute(RunContext run) {
    LakeTables.Commit commit = run.lake().replaceRunDate(table, rows, run.runDate(), run.runId());
    return new Commit(table, commit.version(), commit.rowsWritten());
  }
}
