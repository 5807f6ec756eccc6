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

/**
 * Every file of src/test/resources/bad-inputs (see the README there): the files that stop the run through the whole
 * job, and those it accepts through the read and validation (LoadAndValidate, in this JVM: rows read, accepted and
 * quarantined, and each quarantined row's reasons), two of them also through the whole job (its run_log and quarantine
 * table). A whole night on a file of a dozen rows costs half a minute of fixed cost, and what a bad file does is
 * decided by reading and validating it.
 */
class BadInputCorpusTest {
  static final Path CORPUS = Path.of("src/test/resources/bad-inputs").toAbsolutePath();

  @TempDir
  Path lake;

  @ParameterizedTest(name = "{0} -> exit {1}")
  @CsvSource({
      // file, exit status, rows quarantined (exit 0 only), text the one-line message must contain (exit 2/3),
      // every reason code of the quarantined rows, sorted (exit 0 only; worked out from the file, see its README),
      // whether a file the job accepts also goes through the whole job
      "empty.csv, 3, -1, has no columns, '', true",
      "header_only.csv, 3, -1, is empty, '', true",
      "wrong_delimiter.csv, 2, -1, delimiter, '', true",
      "text_in_numeric.csv, 0, 2, '', unparseable_amount unparseable_amount, false",
      "malformed_dates.csv, 0, 3, '', unparseable_order_ts unparseable_order_ts unparseable_order_ts, false",
      "nulls_everywhere.csv, 3, -1, were quarantined, '', true",
      "extreme_values.csv, 0, 4, '', amount_out_of_range order_ts_in_future unparseable_amount unparseable_amount, "
          + "true",
      "non_utf8.csv, 0, 1, '', unparseable_amount, false",
      "unicode_names.csv, 0, 0, '', '', false",
      "duplicated_header.csv, 0, 1, '', unparseable_amount unparseable_order_ts, true",
  })
  void endsWithAStatusAndAReasonNeverLosesRows(String file, int exit, long quarantined, String message,
      String reasons, boolean wholeJob) throws Exception {
    String[] settings = {
        "segments.lake.root=\"" + lake + "\"",
        "segments.inputs.purchases.format=csv",
        "segments.inputs.purchases.path=\"" + CORPUS.resolve(file) + "\"",
        "segments.inputs.purchases.options.header=true",
        "segments.inputs.profiles.enabled=false",
        "segments.report.enabled=false", // the report is ReportTest's
        // what a bad file does is decided by reading and validating it: the models on a dozen rows add only time
        "segments.clustering.enabled=false",
        "segments.clv.enabled=false",
        "segments.quality.max-quarantined-share=0.5",
        "segments.spark.master=\"local[2]\"",
        "segments.spark.conf.\"spark.sql.shuffle.partitions\"=2"};
    long dataLines = Files.readAllLines(CORPUS.resolve(file), java.nio.charset.StandardCharsets.ISO_8859_1)
        .stream().skip(1).filter(l -> !l.isBlank()).count();
    if (!wholeJob) {
      validatedOnly(settings, dataLines, quarantined, reasons);
      return;
    }
    JobRunner run = JobRunner.night(CdnowReferenceTest.REPO.resolve("conf/local.conf"),
        java.time.LocalDate.of(2026, 11, 2), settings);
    assertEquals(exit, run.status(), run.toString());
    assertTrue(run.lastLine().startsWith("result="), run.lastLine());
    if (exit != 0) {
      assertTrue(run.lastLine().contains(message), run.lastLine());
      assertFalse(run.err().contains("\tat "), "a stack trace is not an explanation:\n" + run.err());
      return;
    }
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

  /** The file through LoadAndValidate only, in this JVM's session: the same counts and reasons the job would write. */
  private static void validatedOnly(String[] settings, long dataLines, long quarantined, String reasons) {
    Map<String, String> overrides = new java.util.LinkedHashMap<>();
    for (String setting : settings) {
      int equals = setting.indexOf('=');
      overrides.put(setting.substring(0, equals), setting.substring(equals + 1));
    }
    org.segmentation.config.JobSettings job = org.segmentation.config.JobSettings.load(
        CdnowReferenceTest.REPO.resolve("conf/local.conf").toFile(), overrides);
    java.time.LocalDate runDate = java.time.LocalDate.of(2026, 11, 2);
    org.segmentation.input.ValidatedInputs inputs = org.segmentation.input.LoadAndValidate.wholeInputs().execute(
        new org.segmentation.pipeline.RunContext(TestSpark.get(), job, runDate, "bad-input", java.time.Instant.now(),
            "test"));
    try {
      org.segmentation.input.ValidatedInput.Counts counts = inputs.counts().get(0);
      assertEquals(dataLines, counts.read(), "every line is read");
      assertEquals(counts.read(), counts.accepted() + counts.quarantined());
      assertEquals(quarantined, counts.quarantined());
      assertEquals(reasons, String.join(" ", inputs.quarantineRows(runDate, "bad-input")
          .select(org.apache.spark.sql.functions.explode(org.apache.spark.sql.functions.col("reason_codes")))
          .as(org.apache.spark.sql.Encoders.STRING()).collectAsList().stream().sorted().toList()));
    } finally {
      inputs.release();
    }
  }
}
