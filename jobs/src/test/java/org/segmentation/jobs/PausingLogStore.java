package org.segmentation.jobs;

import java.io.IOException;
import java.nio.file.Files;
import java.util.Iterator;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.Path;

/**
 * Delta's log store for local files, with a gate for tests that need two runs to overlap deterministically: while the
 * file named by the Hadoop setting {@value #GATE} exists, a data commit (not the creation, version 0) to a
 * {@code customer_segments} table waits inside
 * its transaction (its snapshot read, its data files written, its log entry not yet), after creating
 * {@code <gate>.waiting} so the test knows. A run configured with it ({@code spark.delta.logStore.file.impl}) can be
 * held there while another run commits the same table; when the gate goes, its commit meets the other's.
 */
public class PausingLogStore extends io.delta.storage.LocalLogStore {
  /** The Hadoop setting naming the gate file ({@code spark.hadoop.} prefixed as a Spark setting). */
  public static final String GATE = "segmentation.test.commit-gate";

  public PausingLogStore(Configuration hadoopConf) {
    super(hadoopConf);
  }

  @Override
  public void write(Path path, Iterator<String> actions, Boolean overwrite, Configuration hadoopConf)
      throws IOException {
    String gate = hadoopConf.get(GATE, initHadoopConf().get(GATE));
    // version 0 is the table's creation (the job creates a table before its first write): held is the first data commit
    if (gate != null && path.getParent().toString().endsWith("customer_segments/_delta_log")
        && path.getName().matches("\\d+\\.json") && !path.getName().matches("0+\\.json")) {
      java.nio.file.Path gateFile = java.nio.file.Path.of(gate);
      Files.writeString(java.nio.file.Path.of(gate + ".waiting"), path.getName());
      while (Files.exists(gateFile)) {
        try {
          Thread.sleep(50);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          throw new IOException("interrupted at the commit gate", e);
        }
      }
    }
    super.write(path, actions, overwrite, hadoopConf);
  }
}
