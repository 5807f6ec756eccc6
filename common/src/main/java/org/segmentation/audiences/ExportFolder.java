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

/**
 * One audience's folder of one run date, {@code <export root>/<audience>/<run_date>/}, built where nobody looks
 * ({@code _tmp_<run_date>_<run id>}, a name Spark, Hadoop and most sync tools skip) and renamed into place when every
 * file and the manifest are written. A rerun moves the date's old folder aside, renames the new one in and deletes the
 * old one; a run that fails before the rename leaves only its hidden temporary folder, which the next export of the
 * audience deletes. {@link ExportAudiences} writes every audience's folder before it renames any, so a failure while
 * writing shows no new folder at all. Each file is one file (Spark writes one part into a hidden folder, which is then renamed), sorted
 * by customer id, so a rerun on the same data writes the same bytes.
 */
final class ExportFolder {
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
    this.audienceFolder = new Path(exportRoot, audience);
    this.runTag = runDate + "_" + runId;
    this.temporary = new Path(audienceFolder, TEMPORARY + runTag);
    this.target = new Path(audienceFolder, runDate.toString());
    try {
      this.fs = audienceFolder.getFileSystem(spark.sessionState().newHadoopConf());
    } catch (IOException e) {
      throw new IllegalStateException("Cannot open the export root " + exportRoot + ": " + e.getMessage(), e);
    }
  }

  /** The folder's final place. */
  String location() {
    return fs.makeQualified(target).toString();
  }

  /** Deletes what killed or failed exports of this audience left: temporary and moved-aside folders. */
  void deleteLeftovers() throws IOException {
    if (!fs.exists(audienceFolder)) {
      return;
    }
    for (FileStatus status : fs.listStatus(audienceFolder)) {
      String name = status.getPath().getName();
      if (name.startsWith(TEMPORARY) || name.startsWith(REPLACED)) {
        fs.delete(status.getPath(), true);
      }
    }
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

  /** Writes the manifest, last: a folder with a manifest is complete. */
  void writeManifest(String manifestJson) throws IOException {
    try (OutputStream out = fs.create(new Path(temporary, MANIFEST), true)) {
      out.write(manifestJson.getBytes(StandardCharsets.UTF_8));
    }
    deleteChecksumFiles(temporary);
  }

  /** Renames the complete folder into place (replacing the date's earlier export) and returns where it is. */
  String publish() throws IOException {
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
    return location();
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
