package org.segmentation.jobs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.segmentation.TestSpark;
import org.segmentation.TestTier;
import org.segmentation.bench.LakeDiff;
import org.segmentation.config.LakeSettings;
import org.segmentation.io.LakeTables;
import org.segmentation.io.RunLog;
import org.segmentation.io.TableCatalog;
import org.segmentation.io.TableSpec;

/**
 * A night's side outputs (audience export folders, the report page) under the publish contract: the job is killed
 * inside {@code export_audiences} (between two audiences' folders), inside {@code write_report} (while the page is
 * written), right after its {@code run_log} row (before the folders and page are put into place), and at a random
 * instant from a seed printed and new on every run, all while rerunning a published date with other settings on one
 * lake. After each kill no reader sees a folder or page of a night that did not publish (every visible manifest and
 * page names a published run), the night killed after its commit gets its folders and page put into place by the next
 * run's start, and a last uninterrupted rerun ends with the tables, export files (by checksum) and manifests' file
 * lists of an uninterrupted rerun on an untouched copy.
 *
 * <p>The fast tier kills after the commit (the step boundary a later run must finish) and at the random instant, and
 * compares the last rerun with the lake as the uninterrupted night before the random kill left it (a copy: one night
 * fewer); the full tier adds the kills inside the side outputs, the untouched copy's rerun, and KillAnywhereIT's kill
 * after every step.
 */
class KillSideOutputsIT {
  static final LocalDate DATE = LocalDate.of(2026, 11, 20);
  static final String FIRST = "lapsing";
  static final String SECOND = "top"; // after FIRST in name order, the order audiences are exported in
  static final List<TableSpec> DATED = TableCatalog.ALL.stream().filter(TableSpec::partitionedByRunDate).toList();
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Pattern RUN_ID = Pattern.compile("(?m)^run_id=(\\S+) ");
  /** New on every run, so that the random kills cover more instants over time; printed, so a failure reproduces. */
  static final long RANDOM_SEED = Long.getLong("killSeed", System.nanoTime());
  private static final Pattern PAGE_RUN_ID = Pattern.compile("<meta name=\"run-id\" content=\"([^\"]+)\">");

  @TempDir
  static Path dir;
  static Path config;
  static Path published;

  @BeforeAll
  static void publishTheNightBeforeAndTheDate() throws Exception {
    config = SampleLake.create(dir, 700, 6_000, 13, DATE, """
        clustering { k = 3, restarts = 1 }
        %s
        report.enabled = true
        audiences {
          destinations {
            mail { format = "csv", allow-raw-email = true }
            crm { format = "jsonl" }
          }
          lists {
            %s { filter = "recency_days > 30", holdout-share = 0.2, destinations = ["mail", "crm"] }
            %s { filter = "frequency > 0", order-by = ["monetary desc"], limit = 200, destinations = ["crm"] }
          }
        }
        """.formatted(KillAnywhereIT.SHORT_LEASE, FIRST, SECOND));
    published = dir.resolve("published");
    // the full tier kills inside the side outputs with two nights' folders and pages on the lake; the fast tier's
    // kill after the commit needs the date's only
    for (LocalDate date : TestTier.full() ? List.of(DATE.minusDays(1), DATE) : List.of(DATE)) {
      JobRunner run = JobRunner.run(args(published, date)); // in this JVM: no kill here, and a warm JVM is quicker
      assertEquals(0, run.status(), run.toString());
    }
  }

  static String[] args(Path lake, LocalDate date, String... more) {
    return SampleLake.jobArgs(config, lake, date, more);
  }

  static String[] rerun(Path lake, String... more) {
    List<String> all = new ArrayList<>(List.of(args(lake, DATE, "--set", "segments.rfm.score-bins=3")));
    all.addAll(List.of(more));
    return all.toArray(String[]::new);
  }

  /** The rerun, ended by {@link HaltingFileSystem} when it first creates a path matching {@code regex}. */
  static ChildJob haltedAt(Path lake, String regex) throws IOException {
    return ChildJob.start(line -> false, true, rerun(lake,
        "--set", "segments.spark.conf.\"spark.hadoop.fs.file.impl\"=\"" + HaltingFileSystem.class.getName() + "\"",
        "--set", "segments.spark.conf.\"spark.hadoop." + HaltingFileSystem.HALT_ON + "\"=\"" + regex + "\""));
  }

  /**
   * What readers see: each export folder in place ({@code export:<audience>@<date>}) with the run id of its manifest,
   * and each report page ({@code report@<date>}) with the run id it names.
   */
  static Map<String, String> visibleOutputs(Path lake) throws IOException {
    Map<String, String> visible = new TreeMap<>();
    Path exports = lake.resolve("exports");
    if (Files.isDirectory(exports)) {
      try (Stream<Path> audiences = Files.list(exports)) {
        for (Path audience : audiences.toList()) {
          try (Stream<Path> folders = Files.list(audience)) {
            for (Path folder : folders.filter(f -> !f.getFileName().toString().startsWith("_")).toList()) {
              JsonNode manifest = JSON.readTree(folder.resolve("_manifest.json").toFile());
              visible.put("export:" + audience.getFileName() + "@" + folder.getFileName(),
                  manifest.get("run_id").asText());
            }
          }
        }
      }
    }
    try (Stream<Path> pages = Files.list(lake.resolve("reports"))) {
      for (Path page : pages.filter(p -> !p.getFileName().toString().startsWith("_")).toList()) {
        Matcher runId = PAGE_RUN_ID.matcher(Files.readString(page));
        assertTrue(runId.find(), page.toString());
        visible.put("report@" + page.getFileName().toString().replace(".html", ""), runId.group(1));
      }
    }
    return visible;
  }

  static Set<String> publishedRunIds(Path lake) {
    return new RunLog(TestSpark.get(), new LakeTables(TestSpark.get(), new LakeSettings(lake.toString())))
        .publishedRunIds();
  }

  /** No reader sees a folder or page of a night that did not publish. */
  static void onlyPublishedNightsAreVisible(Path lake, String after) throws IOException {
    Set<String> published = publishedRunIds(lake);
    visibleOutputs(lake).forEach((output, runId) -> assertTrue(published.contains(runId),
        output + " shows run " + runId + ", which did not publish (" + after + ")"));
  }

  /** Whether the repair line lists {@code item} in {@code field} ({@code outputs_discarded=a,b}). */
  static boolean listed(String output, String field, String item) {
    Matcher list = Pattern.compile("stage=repair_tables .*" + field + "=(\\S+)").matcher(output);
    return list.find() && List.of(list.group(1).split(",")).contains(item);
  }

  static String runIdOf(String output) {
    Matcher runId = RUN_ID.matcher(output);
    assertTrue(runId.find(), output);
    return runId.group(1);
  }

  private static Path reference;

  /** The published lake after an uninterrupted rerun (in this JVM: no kill here), what a killed lake must end as. */
  static synchronized Path reference() throws IOException {
    if (reference == null) {
      Path lake = SampleLake.copy(published, dir.resolve("reference"));
      JobRunner uninterrupted = JobRunner.run(rerun(lake));
      assertEquals(0, uninterrupted.status(), uninterrupted.toString());
      reference = lake;
    }
    return reference;
  }

  /** The files of the date's export folders by checksum, and the manifests' file lists (run ids differ). */
  static Map<String, String> exportFiles(Path lake) throws Exception {
    Map<String, String> files = new TreeMap<>();
    for (String audience : List.of(FIRST, SECOND)) {
      Path folder = lake.resolve("exports/" + audience + "/" + DATE);
      try (Stream<Path> all = Files.walk(folder)) {
        for (Path file : all.filter(Files::isRegularFile).toList()) {
          String name = lake.relativize(file).toString();
          files.put(name, name.endsWith("_manifest.json") ? JSON.readTree(file.toFile()).get("files").toString()
              : HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(file))));
        }
      }
    }
    return files;
  }

  @Test
  void killedAfterItsCommitThenAtARandomInstantTheNightEndsAsIfNothingHappened() throws Exception {
    Path lake = SampleLake.copy(published, dir.resolve("committed"));
    killAfterTheCommitThenStartTheNext(lake, visibleOutputs(lake));
    // "as if nothing happened": the fast tier compares with the lake as the night after the first kill left it (a
    // copy, one night fewer); the full tier with an uninterrupted rerun of its own, which checks that night too
    killAtARandomInstantThenRerunAndCompare(lake,
        TestTier.full() ? reference() : SampleLake.copy(lake, dir.resolve("after-the-first-kill")));
  }

  @Test
  @Tag(TestTier.FULL)
  void killedInsideTheSideOutputsNoUnpublishedNightIsEverVisibleAndARerunEndsAsIfNothingHappened()
      throws Exception {
    Path lake = SampleLake.copy(published, dir.resolve("killed"));
    Map<String, String> before = visibleOutputs(lake);
    assertEquals(6, before.size(), "two audiences and a page, for each of two nights: " + before);

    // inside export_audiences: the first audience's folder is written, the second's just begun
    ChildJob exporting = haltedAt(lake, "/exports/" + SECOND + "/_tmp_");
    assertEquals(HaltingFileSystem.HALTED, exporting.waitFor(), exporting.output());
    ChildJob.awaitLeaseExpiry(lake);
    assertTrue(exporting.output().contains("stage=write_audience_changes "), exporting.output());
    assertEquals(before, visibleOutputs(lake), "killed between two audiences' folders");

    // inside write_report: the page is being written; the start repaired the first kill's staged folder
    ChildJob reporting = haltedAt(lake, "/reports/_tmp_");
    assertEquals(HaltingFileSystem.HALTED, reporting.waitFor(), reporting.output());
    ChildJob.awaitLeaseExpiry(lake);
    assertTrue(listed(reporting.output(), "outputs_discarded", "export:" + FIRST + "@" + DATE),
        "the first kill's staged folder is deleted:\n" + reporting.output());
    assertEquals(before, visibleOutputs(lake), "killed while writing the report");

    killAfterTheCommitThenStartTheNext(lake, before);

    killAtARandomInstantThenRerunAndCompare(lake, reference());
  }

  /**
   * Kills a rerun at an instant drawn from {@link #RANDOM_SEED}, then reruns uninterrupted (in this JVM) and compares
   * the tables, export files and manifests with {@code expected}, a lake where the same rerun was published.
   */
  private static void killAtARandomInstantThenRerunAndCompare(Path lake, Path expected) throws Exception {
    long millis = 4_000 + new Random(RANDOM_SEED).nextInt(45_000);
    String seed = "seed " + RANDOM_SEED + ", reproduce with -DkillSeed=" + RANDOM_SEED;
    System.out.println("KillSideOutputsIT: random kill at " + millis + " ms (" + seed + ")");
    ChildJob anytime = ChildJob.start(rerun(lake)).killAfter(millis);
    anytime.waitFor();
    ChildJob.awaitLeaseExpiry(lake);
    onlyPublishedNightsAreVisible(lake, "a kill at " + millis + " ms (" + seed + ")");

    JobRunner last = JobRunner.run(rerun(lake));
    assertEquals(0, last.status(), last.toString());
    String lastRun = runIdOf(last.out());
    onlyPublishedNightsAreVisible(lake, "the last rerun");
    assertEquals(lastRun, visibleOutputs(lake).get("report@" + DATE));
    assertEquals(lastRun, visibleOutputs(lake).get("export:" + FIRST + "@" + DATE));
    assertEquals(exportFiles(expected), exportFiles(lake), "export files (" + seed + ")");
    for (String line : LakeDiff.compare(TestSpark.get(), expected.toString(), lake.toString())) {
      if (DATED.stream().anyMatch(t -> line.startsWith("table=" + t.name() + " "))) {
        // a table this configuration never writes (the propensity tables) is absent from both lakes
        assertTrue(line.endsWith("result=same") || (line.endsWith("result=absent_in_both")
            && TableCatalog.OPTIONAL_TABLES.stream().anyMatch(t -> line.startsWith("table=" + t.name() + " "))),
            line + " (" + seed + ")");
      }
    }
    try (Stream<Path> leftovers = Files.walk(lake.resolve("exports"))) {
      assertEquals(List.of(), leftovers.filter(p -> p.getFileName().toString().startsWith("_tmp_")).toList(),
          "no staged folder is left");
    }
  }

  /**
   * Kills a rerun right after its commit (published, its folders and page still staged: readers see the previous
   * ones), then starts the next, which puts them into place before replacing them with its own.
   */
  private static void killAfterTheCommitThenStartTheNext(Path lake, Map<String, String> before) throws Exception {
    // halted by the first rename of publish_outputs (an export folder moved aside, or the page renamed into place):
    // a kill on the run_log line itself lands a few milliseconds later, when some renames may have been done
    // (ExportFolder moves the earlier folder aside to _replaced_<run>; no backslash: the regex goes through HOCON)
    ChildJob committed = haltedAt(lake, "/exports/[^/]+/_replaced_|/reports/[0-9-]+[.]html$");
    assertEquals(HaltingFileSystem.HALTED, committed.waitFor(), committed.output());
    assertTrue(committed.output().contains("stage=write_run_log status=published"), committed.output());
    ChildJob.awaitLeaseExpiry(lake);
    String committedRun = runIdOf(committed.output());
    assertTrue(publishedRunIds(lake).contains(committedRun), committed.output());
    assertEquals(before, visibleOutputs(lake), "killed after its run_log row, before the renames");
    onlyPublishedNightsAreVisible(lake, "a kill after the commit");

    JobRunner next = JobRunner.run(rerun(lake));
    assertEquals(0, next.status(), next.toString());
    for (String output : List.of("export:" + FIRST + "@" + DATE, "export:" + SECOND + "@" + DATE,
        "report@" + DATE + ".html")) {
      assertTrue(listed(next.out(), "outputs_put_in_place", output), next.toString());
    }
  }
}
