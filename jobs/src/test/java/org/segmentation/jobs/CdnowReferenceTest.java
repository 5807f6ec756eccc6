package org.segmentation.jobs;

import static org.apache.spark.sql.functions.col;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.spark.sql.Row;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.segmentation.TestSpark;

/**
 * The real CDNOW log (69,659 purchases, 23,570 customers), read by the job through conf/examples/cdnow.conf only
 * (a text source and mapping expressions), against recency, frequency and monetary value computed here in plain
 * Java straight from the file.
 */
class CdnowReferenceTest {
  static final Path REPO = Path.of("..").toAbsolutePath().normalize();
  static final Path LOG = REPO.resolve("common/src/test/resources/cdnow/CDNOW_master.txt");
  static final LocalDate AS_OF = LocalDate.of(1998, 6, 30);

  /** Expected values of one customer, computed without Spark. */
  record Expected(Integer recencyDays, long frequency, BigDecimal monetary) {}

  @TempDir
  static Path lake;
  static Map<String, Row> actual;
  static Map<String, Expected> expected;

  @BeforeAll
  static void runTheJobOnCdnow() throws IOException {
    JobRunner run = JobRunner.run("--config", REPO.resolve("conf/examples/cdnow.conf").toString(),
        "--run-date", AS_OF.toString(),
        "--set", "segments.lake.root=\"" + lake + "\"",
        "--set", "segments.inputs.purchases.path=\"" + LOG + "\"",
        "--set", "segments.spark.master=\"local[2]\"",
        "--set", "segments.spark.conf.\"spark.sql.shuffle.partitions\"=2");
    assertEquals(0, run.status(), run.toString());
    actual = new HashMap<>();
    for (Row row : TestSpark.get().read().format("delta").load(lake.resolve("customer_segments").toString())
        .collectAsList()) {
      actual.put(row.getAs("customer_id"), row);
    }
    expected = computeFromTheFile();
  }

  /** One order per customer and day; an order that nets to zero or less is not a purchase. */
  static Map<String, Expected> computeFromTheFile() throws IOException {
    Map<String, Map<LocalDate, BigDecimal>> orders = new TreeMap<>();
    List<String> lines = Files.readAllLines(LOG, StandardCharsets.US_ASCII);
    for (String line : lines.subList(1, lines.size())) { // skip the header
      String[] fields = line.trim().split(" +");
      LocalDate day = LocalDate.parse(fields[1], DateTimeFormatter.BASIC_ISO_DATE);
      orders.computeIfAbsent(fields[0], k -> new TreeMap<>()).merge(day, new BigDecimal(fields[3]), BigDecimal::add);
    }
    Map<String, Expected> result = new HashMap<>();
    orders.forEach((customer, byDay) -> {
      long frequency = 0;
      LocalDate last = null;
      BigDecimal monetary = BigDecimal.ZERO;
      for (Map.Entry<LocalDate, BigDecimal> order : byDay.entrySet()) {
        monetary = monetary.add(order.getValue());
        if (order.getValue().signum() > 0) {
          frequency++;
          last = order.getKey();
        }
      }
      Integer recency = last == null ? null : (int) ChronoUnit.DAYS.between(last, AS_OF);
      result.put(customer, new Expected(recency, frequency, monetary));
    });
    return result;
  }

  @Test
  void everyCustomerHasExactlyTheIndependentlyComputedValues() {
    assertEquals(23_570, expected.size());
    assertEquals(expected.keySet(), actual.keySet());
    for (Map.Entry<String, Expected> entry : expected.entrySet()) {
      Row row = actual.get(entry.getKey());
      Expected e = entry.getValue();
      assertEquals(e.recencyDays(), row.getAs("recency_days"), entry.getKey());
      assertEquals(e.frequency(), (long) row.getAs("frequency"), entry.getKey());
      assertEquals(0, e.monetary().compareTo(row.getAs("monetary")),
          entry.getKey() + ": " + e.monetary() + " vs " + row.getAs("monetary"));
    }
  }

  @Test
  void scoresRespectTiesAndBinSizes() {
    List<Row> scored = actual.values().stream().filter(r -> (long) r.getAs("frequency") > 0).toList();
    int n = scored.size();
    long[] frequencies = scored.stream().mapToLong(r -> r.getAs("frequency")).sorted().toArray();
    Map<Long, Integer> scoreOfFrequency = new HashMap<>();
    int[] sizeOfScore = new int[6];
    for (Row row : scored) {
      long f = row.getAs("frequency");
      int score = row.getAs("f_score");
      // equal values, equal scores
      Integer previous = scoreOfFrequency.putIfAbsent(f, score);
      assertTrue(previous == null || previous == score, "frequency " + f + " split across scores");
      // 1 + floor(5 * (customers with a lower frequency) / n)
      long lower = java.util.Arrays.stream(frequencies).filter(x -> x < f).count();
      assertEquals(1 + (int) (5 * lower / n), score, "frequency " + f);
      sizeOfScore[score]++;
    }
    // a bin holds its fifth of the customers, plus at most the tie that starts in it
    for (int score = 1; score <= 5; score++) {
      final int s = score;
      long largestTie = scoreOfFrequency.entrySet().stream().filter(e -> e.getValue() == s)
          .mapToLong(e -> java.util.Arrays.stream(frequencies).filter(x -> x == e.getKey()).count()).max().orElse(0);
      assertTrue(sizeOfScore[score] <= Math.ceil(n / 5.0) + largestTie, "score " + score);
    }
    // monetary is almost tie-free: its bins are close to fifths
    Map<Integer, Long> monetaryBins = new TreeMap<>();
    scored.forEach(r -> monetaryBins.merge((Integer) r.getAs("m_score"), 1L, Long::sum));
    for (long size : monetaryBins.values()) {
      assertEquals(n / 5.0, size, n * 0.01, monetaryBins.toString());
    }
  }

  @Test
  void theHeaderLineIsQuarantinedNotLost() {
    Row run = TestSpark.get().read().format("delta").load(lake.resolve("run_log").toString()).first();
    assertEquals(69_660L, run.<String, Long>getJavaMap(run.fieldIndex("rows_read")).get("purchases"));
    assertEquals(69_659L, run.<String, Long>getJavaMap(run.fieldIndex("rows_accepted")).get("purchases"));
    Row quarantined = TestSpark.get().read().format("delta").load(lake.resolve("quarantine").toString())
        .where(col("source").equalTo("purchases")).first();
    assertTrue(quarantined.<String>getAs("source_row").contains("customer_id"), quarantined.toString());
  }
}
