package org.segmentation.report;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.sql.SparkSession;
import org.segmentation.io.StagedOutput;
import org.segmentation.io.StagingArea;

/**
 * A report page written beside its place under a hidden name ({@code _tmp_<run_date>.html_<run id>}) and renamed over
 * the date's earlier page when its night commits: a reader finds the earlier page, or the new one, never half of one,
 * and never the page of a night that did not publish.
 */
final class StagedPage implements StagedOutput {
  private static final String TEMPORARY = "_tmp_";
  private static final String RUN = ".html_";

  private final FileSystem fs;
  private final Path target;
  private final Path temporary;

  private StagedPage(FileSystem fs, Path target, Path temporary) {
    this.fs = fs;
    this.target = target;
    this.temporary = temporary;
  }

  /** Writes the page under its hidden name beside {@code targetPath}. */
  static StagedPage stage(SparkSession spark, String targetPath, String html, String runId) {
    FileSystem fs = fileSystem(spark, targetPath);
    Path target = fs.makeQualified(new Path(targetPath));
    Path temporary = new Path(target.getParent(), TEMPORARY + target.getName() + "_" + runId);
    try (OutputStream out = fs.create(temporary, true)) {
      out.write(html.getBytes(StandardCharsets.UTF_8));
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot write the report " + temporary + ": " + e.getMessage(), e);
    }
    return new StagedPage(fs, target, temporary);
  }

  /**
   * The pages staged in the report folder, settled at the start of a run: a committed run's page is put into place,
   * any other deleted.
   */
  static StagingArea stagingArea(SparkSession spark, String reportRoot) {
    FileSystem fs = fileSystem(spark, reportRoot);
    Path root = fs.makeQualified(new Path(reportRoot));
    return committed -> {
      List<String> published = new ArrayList<>();
      List<String> discarded = new ArrayList<>();
      if (!fs.exists(root)) {
        return new StagingArea.Settled(published, discarded);
      }
      for (FileStatus file : fs.listStatus(root)) {
        String name = file.getPath().getName();
        int run = name.indexOf(RUN);
        if (!name.startsWith(TEMPORARY) || run < 0) {
          continue;
        }
        StagedPage page = new StagedPage(fs, new Path(root, name.substring(TEMPORARY.length(), run + 5)),
            file.getPath());
        if (committed.test(name.substring(run + RUN.length()))) {
          page.publish();
          published.add(page.name() + "@" + page.target.getName());
        } else {
          page.discard();
          discarded.add(page.name() + "@" + page.target.getName());
        }
      }
      return new StagingArea.Settled(published, discarded);
    };
  }

  private static FileSystem fileSystem(SparkSession spark, String path) {
    try {
      FileSystem fs = FileSystem.newInstance(new Path(path).toUri(), spark.sessionState().newHadoopConf());
      fs.setWriteChecksum(false); // no .crc file beside the page on a local disk (an instance of our own for that)
      return fs;
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot open the report folder " + path + ": " + e.getMessage(), e);
    }
  }

  @Override
  public String name() {
    return "report";
  }

  @Override
  public String location() {
    return target.toString();
  }

  /**
   * A local rename replaces the old page atomically; HDFS and object stores refuse to rename over a file, so there the
   * old page is deleted first (a reader may find no page for a moment, never half of one).
   */
  @Override
  public void publish() throws IOException {
    if (!fs.rename(temporary, target)) {
      fs.delete(target, false);
      if (!fs.rename(temporary, target)) {
        throw new IOException("cannot rename " + temporary + " to " + target);
      }
    }
  }

  @Override
  public void discard() throws IOException {
    fs.delete(temporary, false);
  }
}
