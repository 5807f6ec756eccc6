package org.segmentation.audiences;

import java.io.IOException;
import java.net.URI;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.fs.RawLocalFileSystem;

/**
 * The local disk under the scheme {@code copyfs:}, renaming a folder as an object store's connector does: a copy, file
 * by file, then a delete. The files are copied manifest first (the order that would fool a reader who only looks for
 * the manifest), and {@link #afterEachFile} runs after each, so a test can look at the target as a reader would,
 * mid-copy.
 */
public class CopyingRenameFileSystem extends RawLocalFileSystem {
  public static final String SCHEME = "copyfs";
  /** Runs after each file a folder rename copied; set by the test. */
  static volatile Runnable afterEachFile = () -> { };

  @Override
  public URI getUri() {
    return URI.create(SCHEME + ":///");
  }

  @Override
  public String getScheme() {
    return SCHEME;
  }

  @Override
  public boolean rename(Path src, Path dst) throws IOException {
    java.nio.file.Path from = pathToFile(src).toPath();
    java.nio.file.Path to = pathToFile(dst).toPath();
    if (!java.nio.file.Files.isDirectory(from)) {
      return super.rename(src, dst);
    }
    if (java.nio.file.Files.exists(to)) {
      return false;
    }
    List<java.nio.file.Path> files;
    try (java.util.stream.Stream<java.nio.file.Path> all = java.nio.file.Files.walk(from)) {
      files = new ArrayList<>(all.filter(java.nio.file.Files::isRegularFile).toList());
    }
    files.sort(Comparator.comparing((java.nio.file.Path p) -> !p.getFileName().toString().equals(ExportFolder.MANIFEST))
        .thenComparing(java.nio.file.Path::toString));
    java.nio.file.Files.createDirectories(to);
    for (java.nio.file.Path file : files) {
      java.nio.file.Path target = to.resolve(from.relativize(file).toString());
      java.nio.file.Files.createDirectories(target.getParent());
      java.nio.file.Files.copy(file, target);
      afterEachFile.run();
    }
    return delete(src, true);
  }
}
