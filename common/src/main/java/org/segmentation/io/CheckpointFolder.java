package org.segmentation.io;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.SparkContext;
import org.apache.spark.sql.SparkSession;

/**
 * Where a run's iterative MLlib fits checkpoint their intermediate RDDs: {@code <lake root>/_checkpoints/<run id>},
 * deleted when what descends from the fits is no longer needed (closed by the step's result when it is released).
 *
 * <p>Why: MLlib's ALS checkpoints its factors every {@code checkpointInterval} iterations only when the SparkContext
 * has a checkpoint directory; without one the lineage grows with every iteration until the task closures are deep
 * enough to overflow a thread's stack (SPARK-5955; seen here with the default 10 iterations when the JVM compiled
 * with C1 alone). The folder is under the lake because every executor must reach it (a cluster's local disks would
 * not do). ALS deletes each checkpoint when it writes the next, but not the last: closing deletes the run's folder.
 * A run killed during the fit leaves its folder; the next run's start deletes it ({@link #stagingArea}).
 *
 * <p>A session given {@code spark.checkpoint.dir} keeps it: what is written there is the operator's to clean.
 */
public final class CheckpointFolder implements AutoCloseable {
  /** The folder under the lake root that holds each running fit's checkpoints, one folder per run id. */
  public static final String FOLDER = "_checkpoints";
  private static final String CONFIGURED = "spark.checkpoint.dir";

  private final FileSystem fs;
  private final Path folder;

  private CheckpointFolder(FileSystem fs, Path folder) {
    this.fs = fs;
    this.folder = folder;
  }

  /**
   * Points the session's checkpoints at this run's folder (unless {@code spark.checkpoint.dir} is configured) until
   * {@link #close}.
   */
  public static CheckpointFolder forRun(SparkSession spark, String lakeRoot, String runId) {
    SparkContext context = spark.sparkContext();
    if (context.conf().contains(CONFIGURED)) {
      return new CheckpointFolder(null, null);
    }
    FileSystem fs = fileSystem(spark, lakeRoot);
    Path folder = fs.makeQualified(new Path(new Path(lakeRoot, FOLDER), runId));
    context.setCheckpointDir(folder.toString());
    return new CheckpointFolder(fs, folder);
  }

  /** Deletes the run's folder with what the fits left in it. */
  @Override
  public void close() {
    if (folder == null) {
      return;
    }
    try {
      fs.delete(folder, true);
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot delete the checkpoints " + folder + ": " + e.getMessage(), e);
    }
  }

  /**
   * The folders that killed runs left: nothing in them is ever published, so the next run's start (under the lake's
   * lease, so that no live run is fitting) deletes every one.
   */
  public static StagingArea stagingArea(SparkSession spark, String lakeRoot) {
    return committed -> {
      FileSystem fs = fileSystem(spark, lakeRoot);
      Path root = fs.makeQualified(new Path(lakeRoot, FOLDER));
      List<String> discarded = new ArrayList<>();
      if (fs.exists(root)) {
        for (FileStatus run : fs.listStatus(root)) {
          fs.delete(run.getPath(), true);
          discarded.add(FOLDER + "/" + run.getPath().getName());
        }
      }
      return new StagingArea.Settled(List.of(), discarded);
    };
  }

  private static FileSystem fileSystem(SparkSession spark, String path) {
    try {
      return new Path(path).getFileSystem(spark.sessionState().newHadoopConf());
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot open the lake " + path + ": " + e.getMessage(), e);
    }
  }
}
