package org.segmentation.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.hadoop.conf.Configuration;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.segmentation.TestSpark;
import org.segmentation.config.SourceFormat;
import org.segmentation.config.SourceSettings;

/**
 * {@link InputFiles}: which files of a folder input a night reads and which the next night finds new; every change
 * but new files after the mark (a file rewritten, deleted, or added with an older time) does not match it. And
 * {@link SourceReader#readNewFiles}: the rows of the new files only, with the whole input's schema and its partition
 * column.
 */
class InputFilesTest {
  private static final long T0 = 1_790_000_000_000L;

  @TempDir
  Path dir;

  private Path file(String relative, String content, long modified) throws IOException {
    Path file = dir.resolve(relative);
    Files.createDirectories(file.getParent());
    Files.writeString(file, content);
    Files.setLastModifiedTime(file, FileTime.fromMillis(modified));
    return file;
  }

  private InputFiles list() {
    return InputFiles.list(new Configuration(), dir.toString());
  }

  @Test
  void hiddenFilesAndFoldersAreNotDataButPartitionFoldersAre() throws IOException {
    file("day=1/part-0.parquet", "a", T0);
    file("_x=2/part-1.parquet", "b", T0 + 1);
    file("_SUCCESS", "", T0);
    file("day=1/.part-0.parquet.crc", "c", T0);
    file("_temporary/0/part-9.parquet", "d", T0);
    file(".hidden/part-8.parquet", "e", T0);
    file("day=1/part-7.parquet._COPYING_", "f", T0);
    assertEquals(List.of("day=1/part-0.parquet", "_x=2/part-1.parquet"),
        list().files().stream().map(InputFiles.File::path).toList());
  }

  @Test
  void newFilesAfterTheMarkAreWhatTheInputGained() throws IOException {
    file("day=1/a.parquet", "aa", T0);
    file("day=1/b.parquet", "bbb", T0 + 5);
    InputFiles.Mark mark = list().mark();
    assertEquals(new InputFiles.Mark(2, 5, T0 + 5, mark.sha256()), mark);
    assertEquals(Optional.of(mark), InputFiles.Mark.parse(mark.toString()), "run_log's text reads back");
    assertEquals(Optional.empty(), InputFiles.Mark.parse("17"), "a Delta version is no mark");

    assertEquals(List.of(), list().since(mark).orElseThrow().files(), "nothing new");
    file("day=2/c.parquet", "c", T0 + 9);
    file("day=1/d.parquet", "dddd", T0 + 6);
    assertEquals(List.of("day=1/d.parquet", "day=2/c.parquet"),
        list().since(mark).orElseThrow().files().stream().map(InputFiles.File::path).toList());
    assertTrue(list().since(list().mark()).orElseThrow().files().isEmpty());
  }

  @Test
  void aRewrittenDeletedOrBackdatedFileDoesNotMatchTheMark() throws IOException {
    Path a = file("a.parquet", "aa", T0);
    file("b.parquet", "bb", T0 + 5);
    InputFiles.Mark mark = list().mark();

    file("a.parquet", "AA", T0 + 20); // rewritten: a later time
    assertEquals(Optional.empty(), list().since(mark));
    file("a.parquet", "aaa", T0); // rewritten in place with its old time: another size
    assertEquals(Optional.empty(), list().since(mark));
    file("a.parquet", "aa", T0);
    assertTrue(list().since(mark).isPresent(), "as it was");

    file("c.parquet", "c", T0 + 3); // added with a time before the newest file read
    assertEquals(Optional.empty(), list().since(mark));
    Files.delete(dir.resolve("c.parquet"));
    Files.delete(a);
    assertEquals(Optional.empty(), list().since(mark), "deleted");
  }

  @Test
  void aPlainPathIsListableAndAGlobOrAFileChoosingOptionIsNot() {
    assertTrue(InputFiles.listable("/lake/raw/purchases"));
    assertFalse(InputFiles.listable("/lake/raw/purchases/day=2026-11-*"));
    SourceSettings parquet = new SourceSettings("purchases", true, SourceFormat.PARQUET, "/lake/p", Map.of(),
        Map.of());
    assertTrue(SourceReader.tracksNewFiles(parquet));
    assertFalse(SourceReader.tracksNewFiles(new SourceSettings("purchases", true, SourceFormat.PARQUET, "/lake/p",
        Map.of("pathGlobFilter", "*.parquet"), Map.of())));
    assertFalse(SourceReader.tracksNewFiles(new SourceSettings("purchases", true, SourceFormat.CSV, "/lake/p",
        Map.of(), Map.of())));
  }

  /** A folder partitioned by day: the first read's mark, then a day appended, read alone with its partition column. */
  @Test
  void theNewFilesOfAPartitionedFolderAreReadAloneWithTheWholeInputsColumns() {
    SparkSession spark = TestSpark.get();
    String location = dir.resolve("purchases").toString();
    spark.sql("SELECT id, CAST(id * 1.5 AS double) AS amount, CAST(id % 2 AS int) AS day FROM range(10)")
        .write().partitionBy("day").parquet(location);
    SourceSettings source = new SourceSettings("purchases", true, SourceFormat.PARQUET, location, Map.of(),
        Map.of());
    SourceReader.RawInput first = SourceReader.read(spark, source);
    assertEquals(10, first.rows().count());
    InputFiles.Mark mark = InputFiles.Mark.parse(first.version()).orElseThrow();

    spark.sql("SELECT id, CAST(id * 1.5 AS double) AS amount, 7 AS day FROM range(100, 103)")
        .write().mode("append").partitionBy("day").parquet(location);
    assertEquals(Optional.empty(), SourceReader.whyFilesChanged(spark, source, mark.toString()));
    SourceReader.Changes changes = SourceReader.readNewFiles(spark, source, mark);
    assertArrayEquals(first.rows().schema().fieldNames(), changes.added().rows().schema().fieldNames());
    List<Row> added = changes.added().rows().orderBy("id").collectAsList();
    assertEquals(List.of(100L, 101L, 102L), added.stream().map(r -> r.getLong(0)).toList());
    assertTrue(added.stream().allMatch(r -> r.getInt(r.fieldIndex("day")) == 7), added.toString());
    assertEquals(0, changes.removed().rows().count());
    assertEquals(InputFiles.list(spark.sessionState().newHadoopConf(), location).mark().toString(),
        changes.added().version(), "the night records the mark of every file it listed");
    assertTrue(SourceReader.whyFilesChanged(spark, source, first.version()).isEmpty());
    assertTrue(SourceReader.whyFilesChanged(spark, source, "3").isPresent(), "a Delta version is no mark");
  }
}
