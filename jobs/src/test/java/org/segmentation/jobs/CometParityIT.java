package org.segmentation.jobs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.LocalDate;
import java.util.List;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.segmentation.TestSpark;
import org.segmentation.TestTier;
import org.segmentation.bench.LakeDiff;

/**
 * The same night with and without Apache DataFusion Comet (the settings of conf/comet.conf, the Comet jar on the
 * classpath as for run-local.sh): every output table is identical, row for row, and Comet did run parts of the plan
 * natively (its operators are in the job's explained fallbacks). Full tier: Comet is an optional engine.
 */
@Tag(TestTier.FULL)
class CometParityIT {
  @TempDir
  Path dir;

  @Test
  void everyTableIsTheSameWithAndWithoutComet() throws Exception {
    Path config = SampleLake.create(dir, 1_000, 8_000, 7, LocalDate.of(2026, 11, 20), "");
    ChildJob spark = ChildJob.start("--config", config.toString(), "--run-date", "2026-11-20",
        "--set", "segments.lake.root=\"" + dir.resolve("spark") + "\"");
    assertEquals(0, spark.waitFor(), spark.output());
    ChildJob comet = ChildJob.start("--config", config.toString(), "--run-date", "2026-11-20",
        "--set", "segments.lake.root=\"" + dir.resolve("comet") + "\"",
        "--set", "segments.spark.conf.\"spark.plugins\"=\"org.apache.spark.CometPlugin\"",
        "--set", "segments.spark.conf.\"spark.shuffle.manager\"="
            + "\"org.apache.spark.sql.comet.execution.shuffle.CometShuffleManager\"",
        "--set", "segments.spark.conf.\"spark.comet.shuffle.enabled\"=\"true\"",
        "--set", "segments.spark.conf.\"spark.memory.offHeap.enabled\"=\"true\"",
        "--set", "segments.spark.conf.\"spark.memory.offHeap.size\"=\"1g\"",
        "--set", "segments.spark.conf.\"spark.comet.explain.fallback.enabled\"=\"true\"");
    assertEquals(0, comet.waitFor(), comet.output());
    assertTrue(comet.output().contains("CometHashAggregate") || comet.output().contains("CometProject"),
        "Comet ran no operator natively:\n" + comet.output());

    List<String> tables = LakeDiff.compare(TestSpark.get(), dir.resolve("spark").toString(),
        dir.resolve("comet").toString());
    assertEquals(org.segmentation.io.TableCatalog.ALL.size(), tables.size(), String.join("\n", tables));
    for (String table : tables) {
      // no audiences are configured here: their tables are absent from both lakes
      boolean audienceTable = org.segmentation.io.TableCatalog.OPTIONAL_TABLES.stream()
          .anyMatch(t -> table.startsWith("table=" + t.name() + " "));
      assertTrue(table.endsWith(audienceTable ? "result=absent_in_both" : "result=same"), String.join("\n", tables));
    }
  }
}
