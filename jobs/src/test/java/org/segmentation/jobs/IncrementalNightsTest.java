package org.segmentation.jobs;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.concat;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.negate;
import static org.apache.spark.sql.functions.pmod;
import static org.apache.spark.sql.functions.xxhash64;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.segmentation.jobs.GeneratedHistory.date;
import static org.segmentation.jobs.GeneratedHistory.day;
import static org.segmentation.jobs.GeneratedHistory.late;
import static org.segmentation.jobs.GeneratedHistory.lines;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.functions;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;
import org.segmentation.TestSpark;
import org.segmentation.TestTier;
import org.segmentation.bench.LakeDiff;
import org.segmentation.config.LakeSettings;
import org.segmentation.input.PlanNight;
import org.segmentation.io.LakeTables;
import org.segmentation.io.RunLog;
import org.segmentation.io.TableCatalog;
import org.segmentation.sample.SampleDataGenerator;

/**
 * Incremental nights are a full recompute's nights, row for row. A seeded history of purchases in a Delta table with
 * its change data feed on is run night after night by two lakes: one as the job runs by default (incremental where it
 * can), one with {@code --full} on every night. After every night every table of the two lakes is the same
 * ({@link LakeDiff}; run_log aside, whose row counts say what each night read), and the first lake's summary line
 * says which mode ran and why. An audience with a holdout is measured as an experiment every night after the first.
 * The fast tier runs the first two nights, the full tier all ten:
 * <ol>
 *   <li>the first night: no state yet, a full recompute (which keeps the state); a line without an amount is
 *       quarantined;</li>
 *   <li>a night with its day's lines, lines of earlier days that arrive late and returns of earlier orders (the same
 *       order id, a negative amount, a later day); the quarantined line is carried in its quarantine;</li>
 *   <li>a night without new lines: recency ages, nothing is read;</li>
 *   <li>a rerun of that night (the state of its own date is updated);</li>
 *   <li>the last night, with two days of lines;</li>
 *   <li>a rerun of it after lines were deleted from the input, others updated, and the line without an amount
 *       corrected (it leaves the quarantine and joins the state);</li>
 *   <li>a night after a VACUUM deleted files of its changes: recomputed in full ({@code changes_no_longer_kept}),
 *       after a first attempt that failed because the VACUUM was not in the input's history;</li>
 *   <li>a night after the state was rewritten as an earlier version of the job kept it: recomputed in full
 *       ({@code state_of_earlier_version});</li>
 *   <li>the night after it: incremental again, after its run_log row was rewritten as that version kept it (without
 *       {@code purchase_totals}): every customer computed from the state;</li>
 *   <li>the night after that: incremental, computing again only the customers it touches.</li>
 * </ol>
 * Every incremental night but the ninth computes again fewer customers than it has, carrying the others' figures from
 * the last night's {@code purchase_totals}.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class IncrementalNightsTest {
  static final LocalDate LAST = LocalDate.of(2026, 11, 24);

  @TempDir
  static Path dir;
  static String generated;
  static String input;
  static Path config;
  static Path incremental;
  static Path full;
  /** Whether the last night's purchase_totals are in its run_log row (false: a lake of an earlier version). */
  static boolean totalsKept = true;

  /**
   * The first two nights (the fast tier): a full recompute that quarantines a line, then late lines and returns (the
   * quarantined line is carried).
   */
  @Test
  @Order(1)
  void aNightWithLateLinesAndReturnsEqualsTheFullRecompute() throws Exception {
    generated = dir.resolve("generated").toString();
    new SampleDataGenerator(500, 5000, 20261207L, LAST).purchases(TestSpark.get()).write().parquet(generated);
    input = dir.resolve("raw/purchases").toString();
    Dataset<Row> lines = lines(generated);
    // a line without an amount, quarantined by the first night: the incremental nights carry it in their quarantine
    Dataset<Row> noAmount = lines.limit(1).withColumn("order_id", lit("O-no-amount"))
        .withColumn("order_ts", lit(java.sql.Timestamp.valueOf(LAST.minusDays(5).atTime(12, 0))))
        .withColumn("amount", lit(null).cast(lines.schema().apply("amount").dataType()));
    append(lines.where(day().leq(date(LAST.minusDays(3))).and(late(LAST.minusDays(3)).unary_$bang())).unionByName(noAmount), input);
    TestSpark.get().sql("ALTER TABLE delta.`" + input + "` SET TBLPROPERTIES (delta.enableChangeDataFeed = true)");
    config = dir.resolve("job.conf");
    Files.writeString(config, """
        segments {
          spark { master = "local[2]", conf { "spark.sql.shuffle.partitions" = "2", "spark.ui.enabled" = "false",
            "spark.databricks.delta.snapshotPartitions" = "2" } }
          inputs.purchases { format = "delta", path = "%s" }
          inputs.profiles.enabled = false
          report.enabled = false
          # measured as an experiment from the second night on: from the state on an incremental night
          audiences.lists.repeat_buyers { filter = "frequency > 1", holdout-share = 0.5, destinations = [] }
        }
        """.formatted(input));
    incremental = dir.resolve("incremental");
    full = dir.resolve("full");

    night(LAST.minusDays(3), PlanNight.NO_STATE, false);

    lines = lines(generated); // (the night stopped the session that read them)
    // returns of a few earlier orders, on the second night's day
    Dataset<Row> returns = lines.where(day().lt(date(LAST.minusDays(10)))
            .and(col("order_id").startsWith("O")).and(pmod(xxhash64(col("order_id")), lit(40)).equalTo(0)))
        .withColumn("order_ts", lit(java.sql.Timestamp.valueOf(LAST.minusDays(2).atTime(12, 0))))
        .withColumn("amount", negate(col("amount")));
    append(lines.where(day().equalTo(date(LAST.minusDays(2))).or(late(LAST.minusDays(3)))).unionByName(returns), input);
    night(LAST.minusDays(2), PlanNight.CHANGES_SINCE_VERSION, true);
    assertTrue(TestSpark.get().read().format("delta").load(incremental.resolve("experiment_results").toString())
        .where(col("run_date").equalTo(date(LAST.minusDays(2)))).count() > 0,
        "the audience was measured from the state");
  }

  /**
   * The rest (the full tier): a night without lines, its rerun, two days of lines, a rerun after deleted, updated
   * and corrected lines.
   */
  @Test
  @Order(2)
  @Tag(TestTier.FULL)
  void aQuietNightARerunMoreLinesAndDeletedLinesEqualTheFullRecompute() {
    night(LAST.minusDays(1), PlanNight.CHANGES_SINCE_VERSION, true); // no new line: recency ages
    night(LAST.minusDays(1), PlanNight.CHANGES_SINCE_VERSION, false); // a rerun updates the state of its own date

    append(lines(generated).where(day().geq(date(LAST.minusDays(1)))), input);
    night(LAST, PlanNight.CHANGES_SINCE_VERSION, true);

    io.delta.tables.DeltaTable deltaInput = io.delta.tables.DeltaTable.forPath(TestSpark.get(), input);
    deltaInput.delete(pmod(xxhash64(col("order_id")), lit(25)).equalTo(0));
    deltaInput.update(pmod(xxhash64(col("order_id")), lit(25)).equalTo(1),
        java.util.Map.of("amount", col("amount").multiply(2)));
    deltaInput.update(col("order_id").equalTo("O-no-amount"), java.util.Map.of("amount", lit(12.5))); // corrected
    night(LAST, PlanNight.CHANGES_SINCE_VERSION, true);
  }

  /**
   * After a VACUUM deleted files the input's changes since the last night name (the files an OPTIMIZE replaced): a
   * VACUUM that the table's history does not show fails the night (exit 3, nothing published) and tells to run it
   * with {@code --full}; once a VACUUM is in the history, the night recomputes in full by itself.
   */
  @Test
  @Order(3)
  @Tag(TestTier.FULL)
  void aNightAfterAVacuumOfItsChangesRecomputesInFull() {
    SparkSession spark = TestSpark.get();
    append(lines(generated).where(day().equalTo(date(LAST))).limit(20)
        .withColumn("order_id", concat(col("order_id"), lit("-again"))), input);
    spark.sql("OPTIMIZE delta.`" + input + "`");
    TestSpark.vacuumKeepingNothing(input, false);
    LocalDate date = LAST.plusDays(1);
    JobRunner failed = JobRunner.run(SampleLake.jobArgs(config, incremental, date));
    assertEquals(3, failed.status(), failed::toString);
    assertTrue(failed.toString().contains("run this night with --full"), failed::toString);
    LakeTables tables = new LakeTables(TestSpark.get(), new LakeSettings(incremental.toString()));
    assertEquals(LAST, new RunLog(TestSpark.get(), tables).latestPublished().orElseThrow().runDate(),
        "the last night stands");

    TestSpark.vacuumKeepingNothing(input, true); // deletes nothing more, but the history now says a VACUUM ran
    night(date, PlanNight.CHANGES_NO_LONGER_KEPT, true);
  }

  /**
   * A lake whose state an earlier version of the job wrote (a row per customer, order and day, the categories' lines
   * in a map): the next night recomputes in full by itself and keeps a state of this version, the one after goes
   * incremental again, and both equal a full recompute.
   */
  @Test
  @Order(4)
  @Tag(TestTier.FULL)
  void aStateOfAnEarlierVersionIsRecomputedOnce() {
    SparkSession spark = TestSpark.get();
    String state = incremental.resolve(TableCatalog.PURCHASE_STATE.name()).toString();
    spark.read().format("delta").load(state).createOrReplaceTempView("state");
    spark.sql("""
            SELECT run_date, customer_id, order_id, purchase_day, CAST(sum(amount) AS decimal(30,4)) AS amount,
              sum(lines) AS lines, sum(return_lines) AS return_lines,
              aggregate(collect_list(share_lines), CAST(map() AS map<string,bigint>),
                (total, m) -> map_zip_with(total, m, (k, a, b) -> coalesce(a, 0) + coalesce(b, 0))) AS share_lines,
              map_from_entries(collect_list(CASE WHEN product_category IS NOT NULL
                THEN struct(product_category, lines) END)) AS category_lines
            FROM state GROUP BY run_date, customer_id, order_id, purchase_day""")
        .write().format("delta").mode("overwrite").option("overwriteSchema", "true").partitionBy("run_date")
        .save(state);
    long olderVersion = io.delta.tables.DeltaTable.forPath(spark, state).history(1).first().getLong(0);
    io.delta.tables.DeltaTable.forPath(spark, incremental.resolve(TableCatalog.RUN_LOG.name()).toString())
        .update(col("status").equalTo("published"), java.util.Map.of("table_versions", functions.expr(
            "map_concat(map_filter(table_versions, (k, v) -> k != 'purchase_state'), map('purchase_state', "
                + olderVersion + "L))")));

    LocalDate date = LAST.plusDays(2);
    append(lines(generated).where(day().equalTo(date(LAST))).limit(30)
        .withColumn("order_id", concat(col("order_id"), lit("-upgraded"))), input);
    night(date, PlanNight.STATE_OF_EARLIER_VERSION, false);
    sameAsTheFullRecomputeButTheOlderStates(date);
    Dataset<Row> upgraded = TestSpark.get().read().format("delta").load(state); // (the night stopped `spark`)
    assertEquals(0, upgraded.where(col("run_date").equalTo(date(date)).and(col("category_lines").isNotNull()))
        .count(), "the retired column is NULL in the new rows");

    // nor did that version keep purchase_totals: the incremental night after computes every customer from the state
    io.delta.tables.DeltaTable.forPath(TestSpark.get(), incremental.resolve(TableCatalog.RUN_LOG.name()).toString())
        .update(col("status").equalTo("published"), java.util.Map.of("table_versions", functions.expr(
            "map_filter(table_versions, (k, v) -> k != '" + TableCatalog.PURCHASE_TOTALS.name() + "')")));
    append(lines(generated).where(day().equalTo(date(LAST))).limit(30)
        .withColumn("order_id", concat(col("order_id"), lit("-after"))), input);
    totalsKept = false;
    JobRunner withoutTotals = night(date.plusDays(1), PlanNight.CHANGES_SINCE_VERSION, false);
    totalsKept = true;
    assertTrue(withoutTotals.out().contains("stage=features ") && !withoutTotals.out().contains(" recomputed="),
        "every customer computed from the state:\n" + withoutTotals.out());
    sameAsTheFullRecomputeButTheOlderStates(date.plusDays(1));

    append(lines(generated).where(day().equalTo(date(LAST))).limit(30)
        .withColumn("order_id", concat(col("order_id"), lit("-carried"))), input);
    night(date.plusDays(2), PlanNight.CHANGES_SINCE_VERSION, false); // which kept them for this one
    sameAsTheFullRecomputeButTheOlderStates(date.plusDays(2));
  }

  /** Every table the same as the full recompute's, but the states an earlier version kept (and run_log). */
  private static void sameAsTheFullRecomputeButTheOlderStates(LocalDate date) {
    List<String> differing = LakeDiff.compare(TestSpark.get(), full.toString(), incremental.toString()).stream()
        .filter(LakeDiff::differs)
        .filter(t -> !t.startsWith("table=" + TableCatalog.RUN_LOG.name() + " ")
            && !t.startsWith("table=" + TableCatalog.PURCHASE_STATE.name() + " "))
        .toList();
    assertEquals(List.of(), differing, "the night of " + date + " differs from a full recompute");
    assertEquals(stateRows(full, date), stateRows(incremental, date), "the state of " + date);
  }

  private static List<String> stateRows(Path lake, LocalDate date) {
    return TestSpark.get().read().format("delta").load(lake.resolve(TableCatalog.PURCHASE_STATE.name()).toString())
        .where(col("run_date").equalTo(date(date)))
        .select(TableCatalog.PURCHASE_STATE.columnNames().stream().map(c -> c.equals("share_lines")
            ? functions.array_sort(functions.map_entries(col(c))).as(c) : col(c)).toArray(Column[]::new))
        .collectAsList().stream().map(Row::toString).sorted().toList();
  }


  /**
   * Runs {@code date} on both lakes (the second with {@code --full}) and checks the first's mode (and, incremental,
   * that it carried customers' figures where the last night kept them); with {@code compare}, then every table. A night's rows stay in every table until its date is rerun, so comparing
   * before each rerun and after each test's last night compares every night's rows (a comparison of the two lakes
   * costs about two nights).
   *
   * @param reason the reason code the first lake's summary line gives (a prefix, for the versions)
   * @return the first lake's run
   */
  private static JobRunner night(LocalDate date, String reason, boolean compare) {
    JobRunner updated = JobRunner.run(SampleLake.jobArgs(config, incremental, date));
    assertEquals(0, updated.status(), updated::toString);
    JobRunner recomputed = JobRunner.run(SampleLake.jobArgs(config, full, date, "--full"));
    assertEquals(0, recomputed.status(), recomputed::toString);
    String mode = reason.equals(PlanNight.CHANGES_SINCE_VERSION) ? "incremental" : "full";
    assertTrue(updated.lastLine().contains(" mode=" + mode + " mode_reason=" + reason), updated.lastLine());
    assertTrue(recomputed.lastLine().contains(" mode=full mode_reason=" + PlanNight.FULL_ASKED),
        recomputed.lastLine());
    System.out.println("IncrementalNightsTest " + date + ": " + updated.lastLine().replaceAll(" lake=.*", ""));
    if (mode.equals("incremental")) {
      assertTrue(purchasesRead(updated) < purchasesRead(recomputed), "an incremental night reads what the input "
          + "gained: " + updated.lastLine() + " against " + recomputed.lastLine());
      if (totalsKept) {
        System.out.println("  customers computed again: " + carriedCustomers(updated));
      }
    }
    if (!compare) {
      return updated;
    }
    List<String> differing = new ArrayList<>();
    List<String> compared = LakeDiff.compare(TestSpark.get(), full.toString(), incremental.toString());
    for (String table : compared) {
      if (LakeDiff.differs(table) && !table.startsWith("table=" + TableCatalog.RUN_LOG.name() + " ")) {
        differing.add(table);
      }
    }
    assertEquals(List.of(), differing, "the night of " + date + " differs from a full recompute");
    assertTrue(compared.stream().anyMatch(t -> t.startsWith("table=" + TableCatalog.PURCHASE_STATE.name()
        + " ") && t.endsWith("result=same")), "both lakes keep the state: " + compared);
    return updated;
  }

  /**
   * An incremental night after a night that kept its buyers' totals computes again only the customers it touches,
   * fewer than all: asserts so and returns how many (the features' line, {@code recomputed=}).
   */
  static long carriedCustomers(JobRunner run) {
    java.util.regex.Matcher features = java.util.regex.Pattern
        .compile("(?m)^stage=features .*rows_out=(\\d+) recomputed=(\\d+) ").matcher(run.out());
    assertTrue(features.find(), "the features carried the untouched customers' figures:\n" + run.out());
    long recomputedCustomers = Long.parseLong(features.group(2));
    assertTrue(recomputedCustomers < Long.parseLong(features.group(1)), features.group());
    return recomputedCustomers;
  }

  private static long purchasesRead(JobRunner run) {
    java.util.regex.Matcher read = java.util.regex.Pattern.compile(" purchases_read=(\\d+) ").matcher(run.lastLine());
    assertTrue(read.find(), run.lastLine());
    return Long.parseLong(read.group(1));
  }

  private static void append(Dataset<Row> rows, String table) {
    rows.write().format("delta").mode("append").save(table);
  }
}
