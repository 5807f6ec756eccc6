package org.segmentation.pipeline;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
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
 * it cuts the plan the same way, but its blocks are lost with an executor and the run then fails.
 *
 * <p>So the rows are persisted as Spark persists any Dataset (its compressed columnar cache, recomputed from its
 * lineage when a block is lost with a worker), and the Dataset handed on is a {@link LogicalRDD} over a scan of that
 * cache, with the origin's partitioning, ordering and statistics: what Spark's own {@code Dataset.checkpoint} builds
 * over its checkpointed rows. That constructor is internal to Spark, pinned with the Spark version and exercised by
 * PersistedRowsTest.
 */
public final class PersistedRows {
  /** The persisted origin of each Dataset {@link #of} returned, by the id of the RDD its plan scans. */
  private static final Map<Integer, Dataset<Row>> ORIGINS = new ConcurrentHashMap<>();

  private PersistedRows() {}

  /**
   * The rows of {@code rows}, persisted (memory and disk) behind a plan that is one scan of them. With adaptive
   * execution (Spark's default) the cache is filled here, by one job; without it, by the first action on the result.
   * Release them with {@link #release}: {@link Dataset#unpersist()} on the result frees nothing.
   */
  public static Dataset<Row> of(Dataset<Row> rows) {
    rows.persist(StorageLevel.MEMORY_AND_DISK());
    // a new Dataset over the same plan, planned after the cache entry exists: its executed plan scans the cache
    org.apache.spark.sql.classic.Dataset<Row> cached = (org.apache.spark.sql.classic.Dataset<Row>) rows.select("*");
    RDD<InternalRow> scan = cached.queryExecution().toRdd();
    ORIGINS.put(scan.id(), rows);
    return org.apache.spark.sql.classic.Dataset$.MODULE$.ofRows(cached.sparkSession(),
        org.apache.spark.sql.execution.LogicalRDD$.MODULE$.fromDataset(scan, cached, false));
  }

  /** Frees the rows behind a Dataset {@link #of} returned (no-op for any other Dataset). */
  public static void release(Dataset<Row> persisted) {
    if (persisted.queryExecution().logical() instanceof LogicalRDD scan) {
      Dataset<Row> origin = ORIGINS.remove(scan.rdd().id());
      if (origin != null) {
        origin.unpersist();
      }
    }
  }
}
