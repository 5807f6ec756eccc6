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
}
