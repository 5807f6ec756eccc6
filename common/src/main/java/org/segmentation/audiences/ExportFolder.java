package org.segmentation.audiences;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.LocalDate;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.sql.DataFrameWriter;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SaveMode;
import org.apache.spark.sql.SparkSession;
import org.segmentation.config.AudienceSettings.Format;
import org.segmentation.io.StagedOutput;
import org.segmentation.io.StagingArea;

/**
 * One audience's folder of one run date, {@code <export root>/<audience>/<run_date>/}, built where nobody looks
 * ({@code _tmp_<run_date>_<run id>}, a name Spark, Hadoop and most sync tools skip) and staged there until the night
 * commits; then it is renamed into place ({@link #publish}: the date's old folder is moved aside, the new one renamed
 * in, the old one deleted). A run that fails leaves nothing (its folder is discarded); a run killed before it commits
 * leaves its hidden folder, which the next run deletes; a run killed after it commits and before the rename leaves it
 * too, and the next run renames it into place ({@link #stagingArea}). Each file is one file (Spark writes one part into
 * a hidden folder, which is then renamed), sorted by customer id, so a rerun on the same data writes the same bytes.
 *
 * <p>On an object store a rename is a copy, file by file: a reader may see the new folder while it is being copied.
 * The manifest is what a reader checks: the folder is complete when {@code _manifest.json} is there and every file it
 * lists has the size (and SHA-256) it gives.
 */
final class ExportFolder implements StagedOutput {
  static final String MANIFEST = "_manifest.json";
  private static final String TEMPORARY = "_tmp_";
  private static final String REPLACED = "_replaced_";

  /** A file written: its path in the folder, rows, bytes and SHA-256. */
  record WrittenFile(String path, long rows, long bytes, String sha256) {}

  private final FileSystem fs;
  private final Path audienceFolder;
  private final Path temporary;
  private final Path target;
  private final String runTag;

  ExportFolder(SparkSession spark, String exportRoot, String audience, LocalDate runDate, String runId) {
    this(fileSystem(spark, exportRoot), new Path(exportRoot, audience), runDate + "_" + runId);
  }

  /** @param runTag {@code <run_date>_<run id>} */
  private ExportFolder(FileSystem fs, Path audienceFolder, String runTag) {
    this.fs = fs;
    this.audienceFolder = audienceFolder;
    this.runTag = runTag;
    this.temporary = new Path(audienceFolder, TEMPORARY + runTag);
    this.target = new Path(audienceFolder, runTag.substring(0, 10));
  }

  private static FileSystem fileSystem(SparkSession spark, String exportRoot) {
    try {
      return new Path(exportRoot).getFileSystem(spark.sessionState().newHadoopConf());
    } catch (IOException e) {
      throw new IllegalStateException("Cannot open the export root " + exportRoot + ": " + e.getMessage(), e);
    }
  }

  /**
   * The folders staged under the export root (every audience's, configured or not), settled at the start of a run:
   * the folder of a run that committed is renamed into place, any other deleted; a date's folder moved aside by a
   * rename that a kill interrupted is put back when nothing took its place, and deleted otherwise.
   */
  static StagingArea stagingArea(SparkSession spark, String exportRoot) {
    FileSystem fs = fileSystem(spark, exportRoot);
    Path root = new Path(exportRoot);
    return committed -> {
      List<String> published = new java.util.ArrayList<>();
      List<String> discarded = new java.util.ArrayList<>();
      if (!fs.exists(root)) {
        return new StagingArea.Settled(published, discarded);
      }
      for (FileStatus audience : fs.listStatus(root)) {
        if (!audience.isDirectory()) {
          continue;
        }
        List<FileStatus> entries = List.of(fs.listStatus(audience.getPath()));
        for (FileStatus entry : entries) {
          String name = entry.getPath().getName();
          if (name.startsWith(TEMPORARY) && name.length() > TEMPORARY.length() + 11) {
            ExportFolder folder = new ExportFolder(fs, audience.getPath(), name.substring(TEMPORARY.length()));
            if (committed.test(folder.runTag.substring(11))) {
              folder.publish();
              published.add(folder.name() + "@" + folder.target.getName());
            } else {
              folder.discard();
              discarded.add(folder.name() + "@" + folder.target.getName());
            }
          }
        }
        for (FileStatus entry : entries) {
          String name = entry.getPath().getName();
          if (name.startsWith(REPLACED) && name.length() >= REPLACED.length() + 10) {
            Path date = new Path(audience.getPath(), name.substring(REPLACED.length(), REPLACED.length() + 10));
            if (!fs.exists(date)) {
              fs.rename(entry.getPath(), date);
            } else {
              fs.delete(entry.getPath(), true);
            }
          }
        }
      }
      return new StagingArea.Settled(published, discarded);
    };
  }

  @Override
  public String name() {
    return "export:" + audienceFolder.getName();
  }

  /** The folder's final place. */
  @Override
  public String location() {
    return fs.makeQualified(target).toString();
  }

  /** Deletes this run's staged folder (its night did not commit). */
  @Override
  public void discard() throws IOException {
    fs.delete(temporary, true);
  }

  /** The column that names, in {@link #writeFiles}' input, the file of each row. */
  static final String FILE = "__file";

  /**
   * Writes one file per value of {@link #FILE} in one Spark job ({@code <folder>/<file>.<extension>}, e.g.
   * {@code email_platform/members.csv}); a file without rows is written too (a header, or a schema), by a job of its
   * own.
   *
   * @param rows one partition, sorted by {@link #FILE} and then in the order the files should have; the other
   *     columns are the files' columns
   * @param rowCounts the rows of each file, by name (known beforehand: they go into the manifest)
   */
  List<WrittenFile> writeFiles(String folder, Dataset<Row> rows, Format format, Map<String, Long> rowCounts)
      throws IOException {
    Path parts = new Path(new Path(temporary, folder), "_parts");
    write(rows.write().partitionBy(FILE), format, parts);
    List<WrittenFile> written = new java.util.ArrayList<>();
    for (Map.Entry<String, Long> name : rowCounts.entrySet()) {
      String relative = folder + "/" + name.getKey() + "." + format.extension();
      Path file = new Path(temporary, relative);
      Path partition = new Path(parts, FILE + "=" + name.getKey());
      if (!fs.exists(partition)) { // no row: Spark writes the empty file (header, schema) of an empty frame
        partition = new Path(parts, "_empty_" + name.getKey());
        write(rows.limit(0).drop(FILE).write(), format, partition);
      }
      Path part = null;
      for (FileStatus status : fs.listStatus(partition)) {
        if (status.getPath().getName().startsWith("part-")) {
          part = status.getPath();
        }
      }
      if (part == null) {
        fs.create(file, true).close();
      } else if (!fs.rename(part, file)) {
        throw new IOException("Cannot move " + part + " to " + file);
      }
      written.add(new WrittenFile(relative, name.getValue(), fs.getFileStatus(file).getLen(), sha256(file)));
    }
    fs.delete(parts, true);
    return written;
  }

  private static void write(DataFrameWriter<Row> writer, Format format, Path to) {
    writer = writer.mode(SaveMode.Overwrite);
    switch (format) {
      // RFC 4180: a quote inside a quoted field is doubled (Spark's default escape is a backslash); UTF-8; a header
      case CSV -> writer.option("header", "true").option("escape", "\"").option("encoding", "UTF-8")
          .csv(to.toString());
      // JSON Lines with every column on every line, NULL included, so that each line has the same keys
      case JSONL -> writer.option("ignoreNullFields", "false").option("encoding", "UTF-8").json(to.toString());
      case PARQUET -> writer.parquet(to.toString());
    }
  }

  /**
   * What a reader checks before it reads a folder (on an object store, where the rename into place is a copy file by
   * file, in no set order): {@code _manifest.json} is there, parses, and every file it lists is there with the
   * number of bytes it gives. A reader that wants more checks each file's SHA-256 too.
   */
  public static boolean isComplete(FileSystem fs, Path folder) {
    try {
      Path manifest = new Path(folder, MANIFEST);
      if (!fs.exists(manifest)) {
        return false;
      }
      com.fasterxml.jackson.databind.JsonNode files;
      try (InputStream in = fs.open(manifest)) {
        files = new com.fasterxml.jackson.databind.ObjectMapper().readTree(in).get("files");
      } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
        return false; // still being copied
      }
      if (files == null) {
        return false;
      }
      for (com.fasterxml.jackson.databind.JsonNode file : files) {
        Path path = new Path(folder, file.get("path").asText());
        if (!fs.exists(path) || fs.getFileStatus(path).getLen() != file.get("bytes").asLong()) {
          return false;
        }
      }
      return true;
    } catch (java.io.FileNotFoundException e) {
      return false; // a file went between two looks: the folder is being replaced
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  /** Writes the manifest, last: a folder with a manifest is complete. */
  void writeManifest(String manifestJson) throws IOException {
    try (OutputStream out = fs.create(new Path(temporary, MANIFEST), true)) {
      out.write(manifestJson.getBytes(StandardCharsets.UTF_8));
    }
    deleteChecksumFiles(temporary);
  }

  /** Renames the complete folder into place, replacing the date's earlier export. */
  @Override
  public void publish() throws IOException {
    Path replaced = new Path(audienceFolder, REPLACED + runTag);
    boolean hadOne = fs.exists(target);
    if (hadOne && !fs.rename(target, replaced)) {
      throw new IOException("Cannot move the earlier export " + target + " aside");
    }
    if (!fs.rename(temporary, target)) {
      if (hadOne) {
        fs.rename(replaced, target); // put the earlier export back
      }
      throw new IOException("Cannot rename " + temporary + " to " + target);
    }
    if (hadOne) {
      fs.delete(replaced, true);
    }
  }

  /**
   * On a local disk Hadoop writes a hidden {@code .<file>.crc} beside each file; they mean nothing to a campaign
   * tool, and the manifest's SHA-256 is the folder's checksum.
   */
  private void deleteChecksumFiles(Path folder) throws IOException {
    if (!(fs instanceof org.apache.hadoop.fs.ChecksumFileSystem checksummed)) {
      return;
    }
    FileSystem raw = checksummed.getRawFileSystem();
    org.apache.hadoop.fs.RemoteIterator<org.apache.hadoop.fs.LocatedFileStatus> files = raw.listFiles(folder, true);
    List<Path> checksums = new java.util.ArrayList<>();
    while (files.hasNext()) {
      Path file = files.next().getPath();
      if (file.getName().startsWith(".") && file.getName().endsWith(".crc")) {
        checksums.add(file);
      }
    }
    for (Path checksum : checksums) {
      raw.delete(checksum, false);
    }
  }

  private String sha256(Path file) throws IOException {
    MessageDigest digest;
    try {
      digest = MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
    try (InputStream in = new DigestInputStream(fs.open(file), digest)) {
      in.transferTo(OutputStream.nullOutputStream());
    }
    return HexFormat.of().formatHex(digest.digest());
  }
}
