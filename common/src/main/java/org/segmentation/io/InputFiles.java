package org.segmentation.io;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;

/**
 * The data files of a folder input (Parquet), as a night lists them: what it reads, and what tells the next night which
 * files are new. A night reads exactly the files it listed and records their {@link Mark} in run_log; the next night
 * lists again, and when the files up to the recorded mark are still exactly those (same paths, sizes and times), the
 * files after it are what the input gained. Any other change (a file rewritten, deleted, or added with an older time)
 * does not match the mark, and the night reads the whole input.
 *
 * <p>Files and folders whose names start with {@code .} or with {@code _} (but for a partition folder, {@code _x=1})
 * are not data, as for Spark's own listing: {@code _SUCCESS}, {@code _delta_log}, {@code .part-0.crc}, a writer's
 * {@code _temporary}. Neither is a file still being copied ({@code ._COPYING_}).
 *
 * @param root the input's folder, as configured
 * @param files the data files under it, oldest first (by modification time, then path)
 */
public record InputFiles(String root, List<File> files) {
  /** A data file: its path relative to the root, size in bytes and modification time (epoch milliseconds). */
  public record File(String path, long bytes, long modified) {}

  public InputFiles {
    files = List.copyOf(files);
  }

  /**
   * What a night read, as run_log keeps it ({@link #toString}): how many files, their bytes, the newest modification
   * time, and a SHA-256 of every file's path, size and time.
   */
  public record Mark(long files, long bytes, long newest, String sha256) {
    private static final String PREFIX = "files:";

    /** The mark {@link #toString} wrote, or empty for another kind of version (a Delta version, nothing). */
    public static Optional<Mark> parse(String version) {
      if (version == null || !version.startsWith(PREFIX)) {
        return Optional.empty();
      }
      String[] parts = version.substring(PREFIX.length()).split(":");
      if (parts.length != 4) {
        return Optional.empty();
      }
      try {
        return Optional.of(new Mark(Long.parseLong(parts[0]), Long.parseLong(parts[1]), Long.parseLong(parts[2]),
            parts[3]));
      } catch (NumberFormatException e) {
        return Optional.empty();
      }
    }

    @Override
    public String toString() {
      return PREFIX + files + ":" + bytes + ":" + newest + ":" + sha256;
    }
  }

  /** Whether {@code location} is a plain path (no glob) that can be listed file by file. */
  public static boolean listable(String location) {
    return location.chars().noneMatch(c -> "*?[]{}".indexOf(c) >= 0);
  }

  /** Lists the data files under {@code location} (a folder, or one file). One recursive listing, no data read. */
  public static InputFiles list(Configuration hadoop, String location) {
    Path root = new Path(location);
    try {
      FileSystem fs = root.getFileSystem(hadoop);
      Path qualifiedRoot = fs.makeQualified(root);
      List<File> files = new ArrayList<>();
      if (fs.getFileStatus(qualifiedRoot).isFile()) {
        FileStatus status = fs.getFileStatus(qualifiedRoot);
        files.add(new File("", status.getLen(), status.getModificationTime()));
      } else {
        walk(fs, qualifiedRoot, "", files);
      }
      files.sort(Comparator.comparingLong(File::modified).thenComparing(File::path));
      return new InputFiles(qualifiedRoot.toString(), files);
    } catch (IOException e) {
      throw new IllegalStateException("Cannot list " + location + ": " + e.getMessage(), e);
    }
  }

  /**
   * Adds the data files below {@code folder} ({@code relative} to the root), skipping hidden folders whole. Plain
   * listings, one per folder: a recursive {@code listFiles} also looks up every file's block locations, which made it
   * several times slower on a folder of a few hundred files.
   */
  private static void walk(FileSystem fs, Path folder, String relative, List<File> files) throws IOException {
    for (FileStatus status : fs.listStatus(folder)) {
      String name = status.getPath().getName();
      String path = relative.isEmpty() ? name : relative + "/" + name;
      if (!isData(name)) {
        continue;
      }
      if (status.isDirectory()) {
        walk(fs, status.getPath(), path, files);
      } else {
        files.add(new File(path, status.getLen(), status.getModificationTime()));
      }
    }
  }

  /** Whether a path below the root names a data file: no part of it hidden (Spark's rule for file sources). */
  static boolean isData(String relative) {
    for (String part : relative.split("/")) {
      if (part.startsWith(".") || part.startsWith("_") && !part.contains("=") || part.endsWith("._COPYING_")) {
        return false;
      }
    }
    return true;
  }

  /** The mark of these files, for run_log. */
  public Mark mark() {
    return markOf(files);
  }

  /**
   * The files added since {@code last} was recorded, or empty when the files it covers changed (one rewritten,
   * deleted, or added with a time not after its newest): then only the whole input says what the lines are.
   */
  public Optional<InputFiles> since(Mark last) {
    List<File> before = files.stream().filter(f -> f.modified() <= last.newest()).toList();
    if (!markOf(before).equals(last)) {
      return Optional.empty();
    }
    return Optional.of(new InputFiles(root, files.subList(before.size(), files.size())));
  }

  /** The files' full paths, for Spark's reader. */
  public String[] paths() {
    return files.stream().map(f -> f.path().isEmpty() ? root : root + "/" + f.path()).toArray(String[]::new);
  }

  /** Whether the root is a folder (partition folders below it are read as columns: Spark's basePath). */
  public boolean folder() {
    return files.stream().noneMatch(f -> f.path().isEmpty());
  }

  private static Mark markOf(List<File> files) {
    try {
      MessageDigest digest = MessageDigest.getInstance("SHA-256");
      long bytes = 0;
      long newest = Long.MIN_VALUE;
      for (File file : files) {
        digest.update(String.format(Locale.ROOT, "%s\t%d\t%d\n", file.path(), file.bytes(), file.modified())
            .getBytes(StandardCharsets.UTF_8));
        bytes += file.bytes();
        newest = Math.max(newest, file.modified());
      }
      return new Mark(files.size(), bytes, files.isEmpty() ? Long.MIN_VALUE : newest,
          HexFormat.of().formatHex(digest.digest()));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is part of every Java runtime", e);
    }
  }
}
