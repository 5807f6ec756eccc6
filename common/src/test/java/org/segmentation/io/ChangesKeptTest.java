package org.segmentation.io;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.segmentation.TestSpark;
import org.segmentation.config.SourceFormat;
import org.segmentation.config.SourceSettings;

/**
 * {@link SourceReader#whyChangesNotKept}: a Delta input's changes since a version can be read until its log loses
 * those commits or a VACUUM may have deleted their files; each case made the way Delta makes it.
 */
class ChangesKeptTest {
  @TempDir
  Path dir;

  /** A Delta table with its change feed: version 0 created, 1 the feed turned on, 2 to 4 appends. */
  private SourceSettings table(String name) {
    SparkSession spark = TestSpark.get();
    String location = dir.resolve(name).toString();
    spark.range(10).toDF("id").write().format("delta").save(location);
    spark.sql("ALTER TABLE delta.`" + location + "` SET TBLPROPERTIES (delta.enableChangeDataFeed = true)");
    for (int append = 1; append <= 3; append++) {
      spark.range(10L * append, 10L * append + 10).toDF("id").write().format("delta").mode("append").save(location);
    }
    return new SourceSettings("purchases", true, SourceFormat.DELTA, location, Map.of(), Map.of());
  }

  @Test
  void theChangesOfAKeptLogAreReadableAndNothingSinceTheCurrentVersionIsToo() {
    SourceSettings source = table("kept");
    assertEquals(Optional.empty(), SourceReader.whyChangesNotKept(TestSpark.get(), source, 1));
    assertEquals(Optional.empty(), SourceReader.whyChangesNotKept(TestSpark.get(), source, 4));
    assertEquals(30, SourceReader.readChanges(TestSpark.get(), source, 1).added().rows().count(),
        "the three appends since version 1");
  }

  /**
   * Delta's log clean-up deletes the commits older than a checkpoint once they pass delta.logRetentionDuration: here
   * the commits before the checkpoint of version 4 are deleted by hand, as the clean-up does.
   */
  @Test
  void changesWhoseCommitsLeftTheLogAreNotKeptWhileThoseAfterTheCheckpointAre() throws Exception {
    SourceSettings source = table("truncated");
    org.apache.spark.sql.delta.DeltaLog.forTable(TestSpark.get(), source.location()).checkpoint();
    for (int version = 0; version <= 3; version++) {
      Files.delete(Path.of(source.location(), "_delta_log", String.format("%020d.json", version)));
    }
    Optional<String> why = SourceReader.whyChangesNotKept(TestSpark.get(), source, 1);
    assertTrue(why.isPresent() && why.get().startsWith("the log no longer has version 2"), why.toString());
    // version 4 is rebuilt from its checkpoint: the changes after it are readable
    SparkSession spark = TestSpark.get();
    spark.range(40, 45).toDF("id").write().format("delta").mode("append").save(source.location());
    assertEquals(Optional.empty(), SourceReader.whyChangesNotKept(spark, source, 4));
  }

  /** VACUUM deletes the files an OPTIMIZE replaced, and with them the rows the appends' change feed reads. */
  @Test
  void changesAcrossAVacuumAreNotKept() {
    SourceSettings source = table("vacuumed");
    SparkSession spark = TestSpark.get();
    spark.sql("OPTIMIZE delta.`" + source.location() + "`"); // version 5
    assertEquals(Optional.empty(), SourceReader.whyChangesNotKept(spark, source, 1), "before the VACUUM");
    TestSpark.vacuumKeepingNothing(source.location(), true); // versions 6 and 7
    Optional<String> why = SourceReader.whyChangesNotKept(spark, source, 1);
    assertTrue(why.isPresent() && why.get().startsWith("VACUUM START at version 6"), why.toString());
    // what the check stands for: the appends' files are gone
    assertThrows(Exception.class,
        () -> SourceReader.readChanges(spark, source, 1).added().rows().count());
    assertEquals(Optional.empty(), SourceReader.whyChangesNotKept(spark, source, 7), "nothing since the VACUUM");
  }
}
