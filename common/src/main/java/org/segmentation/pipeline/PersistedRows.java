package org.segmentation.pipeline;

import org.apache.spark.rdd.RDD;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.catalyst.InternalRow;
import org.apache.spark.sql.execution.LogicalRDD;
import org.apache.spark.storage.StorageLevel;

/**
 * A step's output that later steps query many times: its rows are kept (memory, then disk) until the run ends, and
 * the Dataset handed on starts its plan at those rows instead of at the inputs.
 *
 * <p>Why not {@link Dataset#persist()} alone: a persisted Dataset keeps its whole logical plan, and Spark analyses it,
 * looks it up in the cache and describes it for the SQL listeners on every query built on top, at a cost that grows
 * with the plan. By the audiences step that plan is most of the night (every input, feature, score and join), and a
 * profile of AudiencesTest had those three in over a third of all samples. Why not {@link Dataset#localCheckpoint()}:
 * it cuts the plan the same way, but its blocks are lost with an executor and the run then fails; these are an
 * ordinary persisted RDD, recomputed from their lineage like any cached partition when a worker dies.
 *
 * <p>This is what Spark's own {@code Dataset.checkpoint} does (a {@link LogicalRDD} over the executed plan's rows, with
 * its partitioning, ordering and statistics), minus writing a checkpoint: it uses that internal constructor, pinned
 * with the Spark version and exercised by PersistedRowsTest.
 */
public final class PersistedRows {
  private PersistedRows() {}

  /**
   * The rows of {@code rows}, persisted at the first action on the result (memory and disk), behind a plan that is one
   * scan of them. Release them with {@link #release}: {@link Dataset#unpersist()} on the result frees nothing.
   */
  public static Dataset<Row> of(Dataset<Row> rows) {
    org.apache.spark.sql.classic.Dataset<Row> dataset = (org.apache.spark.sql.classic.Dataset<Row>) rows;
    // the executed plan reuses its row objects: a copy of each is what a cache may keep
    RDD<InternalRow> kept = dataset.queryExecution().toRdd().toJavaRDD().map(InternalRow::copy).rdd()
        .persist(StorageLevel.MEMORY_AND_DISK());
    kept.setName("persisted rows of " + dataset.queryExecution().analyzed().nodeName());
    return org.apache.spark.sql.classic.Dataset$.MODULE$.ofRows(dataset.sparkSession(),
        org.apache.spark.sql.execution.LogicalRDD$.MODULE$.fromDataset(kept, dataset, false));
  }

  /** Frees the rows behind a Dataset {@link #of} returned (no-op for any other Dataset). */
  public static void release(Dataset<Row> persisted) {
    if (persisted.queryExecution().logical() instanceof LogicalRDD scan) {
      scan.rdd().unpersist(false);
    }
  }
}
