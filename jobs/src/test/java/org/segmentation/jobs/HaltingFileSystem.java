package org.segmentation.jobs;

import java.io.IOException;
import java.util.regex.Pattern;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FSDataOutputStream;
import org.apache.hadoop.fs.LocalFileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.fs.permission.FsPermission;
import org.apache.hadoop.util.Progressable;

/**
 * Hadoop's local file system that ends the process at once (as SIGKILL does: no shutdown hook, no finally block) the
 * first time a file or folder whose path matches the regex in the Hadoop setting {@value #HALT_ON} is created or
 * renamed to: a kill at an exact point inside a step (between two audiences' export folders, while the report page is
 * written, before the first output is put into place). A job
 * uses it with {@code spark.hadoop.fs.file.impl} set to this class.
 */
public class HaltingFileSystem extends LocalFileSystem {
  /** The Hadoop setting with the regex ({@code spark.hadoop.} prefixed as a Spark setting). */
  public static final String HALT_ON = "segmentation.test.halt-on";
  /** The exit status of a halted job (128 + SIGKILL's 9, as a killed process shows). */
  public static final int HALTED = 137;

  private Pattern haltOn;

  @Override
  public void initialize(java.net.URI name, Configuration conf) throws IOException {
    super.initialize(name, conf);
    String regex = conf.get(HALT_ON);
    haltOn = regex == null || regex.isBlank() ? null : Pattern.compile(regex);
  }

  private void haltIfMatches(Path path) {
    if (haltOn != null && haltOn.matcher(path.toString()).find()) {
      System.out.println("halted_at=" + path);
      System.out.flush();
      Runtime.getRuntime().halt(HALTED);
    }
  }

  @Override
  public FSDataOutputStream create(Path f, FsPermission permission, boolean overwrite, int bufferSize,
      short replication, long blockSize, Progressable progress) throws IOException {
    haltIfMatches(f);
    return super.create(f, permission, overwrite, bufferSize, replication, blockSize, progress);
  }

  @Override
  public boolean rename(Path source, Path destination) throws IOException {
    haltIfMatches(destination);
    return super.rename(source, destination);
  }

  @Override
  public boolean mkdirs(Path f, FsPermission permission) throws IOException {
    haltIfMatches(f);
    return super.mkdirs(f, permission);
  }
}
