package org.segmentation.audiences;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.List;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.segmentation.TestSpark;
import org.segmentation.config.AudienceSettings.Format;
import org.segmentation.io.StagingArea;

/** A date's folder appears whole or not at all, and a rerun replaces it. */
class ExportFolderTest {
  static final LocalDate DATE = LocalDate.of(2026, 11, 21);

  @TempDir
  Path root;

  /** Rows of the file "members", in one partition, sorted. */
  static Dataset<Row> rows(String... ids) {
    return TestSpark.get().createDataset(List.of(ids), org.apache.spark.sql.Encoders.STRING()).toDF("customer_id")
        .withColumn(ExportFolder.FILE, org.apache.spark.sql.functions.lit("members")).coalesce(1)
        .sortWithinPartitions(ExportFolder.FILE, "customer_id").select(ExportFolder.FILE, "customer_id");
  }

  static java.util.Map<String, Long> counts(long members) {
    java.util.Map<String, Long> counts = new java.util.LinkedHashMap<>();
    counts.put("members", members);
    counts.put("removes", 0L);
    return counts;
  }

  static List<String> names(Path folder) throws Exception {
    try (var entries = Files.list(folder)) {
      return entries.map(p -> p.getFileName().toString()).sorted().toList();
    }
  }

  @Test
  void aFolderIsInvisibleUntilPublishedAndAnUncommittedRunsLeftoversGoAtTheNextStart() throws Exception {
    ExportFolder killed = new ExportFolder(TestSpark.get(), root.toString(), "win_back", DATE, "run1");
    killed.writeFiles("mail", rows("C1", "C2"), Format.CSV, counts(2));
    // the run dies here: nothing under the date's name, one hidden folder
    assertFalse(Files.exists(root.resolve("win_back/" + DATE)));
    assertEquals(1, names(root.resolve("win_back")).size());
    assertTrue(names(root.resolve("win_back")).get(0).startsWith("_tmp_"));

    StagingArea.Settled settled = ExportFolder.stagingArea(TestSpark.get(), root.toString()).settle(run -> false);
    assertEquals(List.of("export:win_back@" + DATE), settled.discarded());
    assertEquals(List.of(), names(root.resolve("win_back")));
    ExportFolder next = new ExportFolder(TestSpark.get(), root.toString(), "win_back", DATE, "run2");
    List<ExportFolder.WrittenFile> files = next.writeFiles("mail", rows("C2", "C1", "C3"), Format.CSV, counts(3));
    next.writeManifest("{}");
    assertFalse(Files.exists(root.resolve("win_back/" + DATE)), "not before the rename");
    next.publish();
    assertEquals(List.of(DATE.toString()), names(root.resolve("win_back")));
    assertEquals(List.of("_manifest.json", "mail"), names(root.resolve("win_back/" + DATE)));
    assertEquals(List.of("members.csv", "removes.csv"), names(root.resolve("win_back/" + DATE + "/mail")),
        "one file each, no .crc, no part folder");
    assertEquals(List.of("customer_id", "C1", "C2", "C3"),
        Files.readAllLines(root.resolve("win_back/" + DATE + "/mail/members.csv")));
    assertEquals(List.of("customer_id"), Files.readAllLines(root.resolve("win_back/" + DATE + "/mail/removes.csv")),
        "no rows: the header");
    assertEquals(Files.size(root.resolve("win_back/" + DATE + "/mail/members.csv")), files.get(0).bytes());
    assertEquals("mail/members.csv", files.get(0).path());
    assertEquals(3, files.get(0).rows());
  }

  @Test
  void aRerunReplacesTheDatesFolder() throws Exception {
    for (String run : List.of("run1", "run2")) {
      ExportFolder folder = new ExportFolder(TestSpark.get(), root.toString(), "top", DATE, run);
      folder.writeFiles(run.equals("run1") ? "crm" : "ads", rows(run.equals("run1") ? "A" : "B"),
          run.equals("run1") ? Format.JSONL : Format.CSV, counts(1));
      folder.writeManifest("{\"run\":\"" + run + "\"}");
      folder.publish();
    }
    assertEquals(List.of(DATE.toString()), names(root.resolve("top")));
    assertEquals(List.of("_manifest.json", "ads"), names(root.resolve("top/" + DATE)), "nothing of the first run");
    assertEquals("{\"run\":\"run2\"}", Files.readString(root.resolve("top/" + DATE + "/_manifest.json")));
  }

  @Test
  void aCommittedRunsFolderThatAKillLeftStagedIsPutIntoPlaceByTheNextStart() throws Exception {
    ExportFolder first = new ExportFolder(TestSpark.get(), root.toString(), "vip", DATE, "run1");
    first.writeFiles("crm", rows("A"), Format.CSV, counts(1));
    first.writeManifest("{\"run\":\"run1\"}");
    first.publish();
    ExportFolder committed = new ExportFolder(TestSpark.get(), root.toString(), "vip", DATE, "run2");
    committed.writeFiles("crm", rows("B"), Format.CSV, counts(1));
    committed.writeManifest("{\"run\":\"run2\"}");
    // killed after its run_log row, before the rename: readers still see run1's folder
    assertEquals("{\"run\":\"run1\"}", Files.readString(root.resolve("vip/" + DATE + "/_manifest.json")));

    StagingArea.Settled settled = ExportFolder.stagingArea(TestSpark.get(), root.toString())
        .settle(run -> run.equals("run2"));
    assertEquals(List.of("export:vip@" + DATE), settled.published());
    assertEquals(List.of(DATE.toString()), names(root.resolve("vip")));
    assertEquals("{\"run\":\"run2\"}", Files.readString(root.resolve("vip/" + DATE + "/_manifest.json")));
  }

  @Test
  void aDatesFolderMovedAsideByAnInterruptedRenameComesBackWhenNothingTookItsPlace() throws Exception {
    ExportFolder first = new ExportFolder(TestSpark.get(), root.toString(), "lapsed", DATE, "run1");
    first.writeFiles("crm", rows("A"), Format.CSV, counts(1));
    first.writeManifest("{}");
    first.publish();
    // a rename killed between moving the old folder aside and renaming the new one in, whose run did not commit
    Files.move(root.resolve("lapsed/" + DATE), root.resolve("lapsed/_replaced_" + DATE + "_run2"));
    ExportFolder.stagingArea(TestSpark.get(), root.toString()).settle(run -> false);
    assertEquals(List.of(DATE.toString()), names(root.resolve("lapsed")));
  }

  /**
   * On an object store the rename into place is a copy, file by file: a reader that follows the documented check
   * ({@link ExportFolder#isComplete}: the manifest, and every file it lists at its size) never takes a half-copied
   * folder for a complete one, even when the manifest arrives first.
   */
  @Test
  void onAStoreThatCopiesOnRenameAReaderCheckingTheManifestNeverReadsAHalfCopiedFolder() throws Exception {
    org.apache.hadoop.conf.Configuration hadoop = TestSpark.get().sparkContext().hadoopConfiguration();
    hadoop.set("fs." + CopyingRenameFileSystem.SCHEME + ".impl", CopyingRenameFileSystem.class.getName());
    hadoop.setBoolean("fs." + CopyingRenameFileSystem.SCHEME + ".impl.disable.cache", true);
    String store = CopyingRenameFileSystem.SCHEME + "://" + root.toAbsolutePath();
    ExportFolder folder = new ExportFolder(TestSpark.get(), store, "objects", DATE, "run1");
    List<ExportFolder.WrittenFile> files = new java.util.ArrayList<>();
    files.addAll(folder.writeFiles("mail", rows("C1", "C2", "C3"), Format.CSV, counts(3)));
    files.addAll(folder.writeFiles("crm", rows("C4"), Format.JSONL, counts(1)));
    com.fasterxml.jackson.databind.node.ObjectNode manifest =
        new com.fasterxml.jackson.databind.ObjectMapper().createObjectNode();
    com.fasterxml.jackson.databind.node.ArrayNode listed = manifest.putArray("files");
    files.forEach(f -> listed.addObject().put("path", f.path()).put("bytes", f.bytes()).put("sha256", f.sha256()));
    folder.writeManifest(manifest.toString());

    org.apache.hadoop.fs.Path target = new org.apache.hadoop.fs.Path(store + "/objects/" + DATE);
    org.apache.hadoop.fs.FileSystem fs = target.getFileSystem(hadoop);
    List<Boolean> seenMidCopy = new java.util.ArrayList<>();
    CopyingRenameFileSystem.afterEachFile = () -> seenMidCopy.add(ExportFolder.isComplete(fs, target));
    try {
      assertFalse(ExportFolder.isComplete(fs, target), "nothing there before the rename");
      folder.publish();
    } finally {
      CopyingRenameFileSystem.afterEachFile = () -> { };
    }
    assertEquals(files.size() + 1, seenMidCopy.size(), "a look after each file copied: " + seenMidCopy);
    assertTrue(seenMidCopy.get(0) == Boolean.FALSE, "the manifest alone is not a complete folder");
    assertEquals(java.util.Collections.nCopies(files.size(), false), seenMidCopy.subList(0, files.size()),
        "incomplete until the last file is there: " + seenMidCopy);
    assertTrue(seenMidCopy.get(files.size()));
    assertTrue(ExportFolder.isComplete(fs, target));
  }
}
