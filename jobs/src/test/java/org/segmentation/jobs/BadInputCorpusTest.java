package org.segmentation.jobs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.apache.spark.sql.Row;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.segmentation.TestSpark;

/** Every file of src/test/resources/bad-inputs through the whole job (see the README there). */
class BadInputCorpusTest {
  static final Path CORPUS = Path.of("src/test/resources/bad-inputs").toAbsolutePath();

  @TempDir
  Path lake;

  @ParameterizedTest(name = "{0} -> exit {1}")
  @CsvSource({
      // file, exit status, rows quarantined (exit 0 only), text the one-line message must contain (exit 2/3),
      // every reason code of the quarantined rows, sorted (exit 0 only; worked out from the file, see its README)
      "empty.csv, 3, -1, has no columns, ''",
      "header_only.csv, 3, -1, is empty, ''",
      "wrong_delimiter.csv, 2, -1, delimiter, ''",
      "text_in_numeric.csv, 0, 2, '', unparseable_amount unparseable_amount",
      "malformed_dates.csv, 0, 3, '', unparseable_order_ts unparseable_order_ts unparseable_order_ts",
      "nulls_everywhere.csv, 3, -1, were quarantined, ''",
      "extreme_values.csv, 0, 4, '', amount_out_of_range order_ts_in_future unparseable_amount unparseable_amount",
      "non_utf8.csv, 0, 1, '', unparseable_amount",
      "unicode_names.csv, 0, 0, '', ''",
      "duplicated_header.csv, 0, 1, '', unparseable_amount unparseable_order_ts",
  })
  void endsWithAStatusAndAReasonNeverLosesRows(String file, int exit, long quarantined, String message,
      String reasons) throws Exception {
    JobRunner run = JobRunner.run("--config", CdnowReferenceTest.REPO.resolve("conf/local.conf").toString(),
        "--run-date", "2026-11-02",
        "--set", "segments.lake.root=\"" + lake + "\"",
        "--set", "segments.inputs.purchases.format=csv",
        "--set", "segments.inputs.purchases.path=\"" + CORPUS.resolve(file) + "\"",
        "--set", "segments.inputs.purchases.options.header=true",
        "--set", "segments.inputs.profiles.enabled=false",
        "--set", "segments.report.enabled=false", // the report is ReportTest's
        // what a bad file does is decided by reading and validating it: the models on a dozen rows add only time
        "--set", "segments.clustering.enabled=false",
        "--set", "segments.clv.enabled=false",
        "--set", "segments.quality.max-quarantined-share=0.5",
        "--set", "segments.spark.master=\"local[2]\"",
        "--set", "segments.spark.conf.\"spark.sql.shuffle.partitions\"=2");
    assertEquals(exit, run.status(), run.toString());
    assertTrue(run.lastLine().startsWith("result="), run.lastLine());
    if (exit != 0) {
      assertTrue(run.lastLine().contains(message), run.lastLine());
      assertFalse(run.err().contains("\tat "), "a stack trace is not an explanation:\n" + run.err());
      return;
    }
    long dataLines = Files.readAllLines(CORPUS.resolve(file), java.nio.charset.StandardCharsets.ISO_8859_1)
        .stream().skip(1).filter(l -> !l.isBlank()).count();
    Row log = TestSpark.get().read().format("delta").load(lake.resolve("run_log").toString()).first();
    Map<String, Long> read = log.getJavaMap(log.fieldIndex("rows_read"));
    Map<String, Long> accepted = log.getJavaMap(log.fieldIndex("rows_accepted"));
    Map<String, Long> rejected = log.getJavaMap(log.fieldIndex("rows_quarantined"));
    assertEquals(dataLines, (long) read.get("purchases"), "every line is read");
    assertEquals((long) read.get("purchases"), accepted.get("purchases") + rejected.get("purchases"));
    assertEquals(quarantined, (long) rejected.get("purchases"));
    org.apache.spark.sql.Dataset<Row> rows = TestSpark.get().read().format("delta")
        .load(lake.resolve("quarantine").toString());
    assertEquals(quarantined, rows.count());
    assertEquals(reasons, String.join(" ", rows.select(org.apache.spark.sql.functions.explode(
        org.apache.spark.sql.functions.col("reason_codes"))).as(org.apache.spark.sql.Encoders.STRING())
        .collectAsList().stream().sorted().toList()));
  }
}
