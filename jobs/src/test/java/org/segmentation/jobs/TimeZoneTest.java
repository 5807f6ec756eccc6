package org.segmentation.jobs;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.TimeZone;
import java.util.TreeMap;
import org.apache.spark.sql.Row;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.segmentation.TestSpark;

/**
 * Purchase days, recency and the look-back window are counted in {@code segments.time-zone}, not in UTC and not in
 * the JVM's default zone: the same instants around midnight, across the night Paris moves its clocks forward
 * (2026-03-29, 02:00 CET becomes 03:00 CEST), with the JVM's default zone set to Tokyo while the job runs.
 */
class TimeZoneTest {
  @TempDir
  Path dir;

  @Test
  void daysAreCalendarDaysOfTheBusinessTimeZone() throws Exception {
    // Instants with their Paris, UTC and Tokyo days; run date 2026-03-29, look-back 28 days (03-02 .. 03-29 count)
    Files.writeString(dir.resolve("purchases.csv"), String.join("\n",
        "customer_id,order_id,order_ts,amount",
        "c1,o1,2026-03-28T23:30:00Z,10", // Paris 03-29 00:30 CET   (UTC 03-28, Tokyo 03-29): the run date
        "c1,o2,2026-03-29T21:30:00Z,10", // Paris 03-29 23:30 CEST  (UTC 03-29, Tokyo 03-30): the run date
        "c2,o3,2026-03-29T22:30:00Z,10", // Paris 03-30 00:30 CEST  (UTC 03-29, Tokyo 03-30): after it, ignored
        "c3,o4,2026-03-01T22:30:00Z,10", // Paris 03-01 23:30 CET   (UTC 03-01, Tokyo 03-02): before the window
        "c4,o5,2026-03-01T23:30:00Z,10", // Paris 03-02 00:30 CET   (UTC 03-01, Tokyo 03-02): first day of it
        ""));
    TimeZone jvmDefault = TimeZone.getDefault();
    TimeZone.setDefault(TimeZone.getTimeZone("Asia/Tokyo"));
    JobRunner run;
    try {
      run = JobRunner.run("--config", CdnowReferenceTest.REPO.resolve("conf/local.conf").toString(),
          "--run-date", "2026-03-29",
          "--set", "segments.time-zone=\"Europe/Paris\"",
          "--set", "segments.rfm.lookback-days=28",
          "--set", "segments.report.enabled=false", // the report is ReportTest's
          "--set", "segments.lake.root=\"" + dir.resolve("lake") + "\"",
          "--set", "segments.inputs.purchases.format=csv",
          "--set", "segments.inputs.purchases.path=\"" + dir.resolve("purchases.csv") + "\"",
          "--set", "segments.inputs.purchases.options.header=true",
          "--set", "segments.inputs.profiles.enabled=false",
          "--set", "segments.clustering.enabled=false",
          "--set", "segments.spark.master=\"local[2]\"",
          "--set", "segments.spark.conf.\"spark.sql.shuffle.partitions\"=2");
    } finally {
      TimeZone.setDefault(jvmDefault);
    }
    assertEquals(0, run.status(), run.toString());

    Map<String, String> customers = new TreeMap<>();
    for (Row r : TestSpark.get().read().format("delta").load(dir.resolve("lake/customer_segments").toString())
        .select("customer_id", "frequency", "recency_days").collectAsList()) {
      customers.put(r.getString(0), r.get(1) + "|" + r.get(2));
    }
    // c1: two orders on the run date; c2 bought after it and c3 only before the window: neither has a purchase in the
    // window nor a profile, so neither is a customer of this night; c4 on the window's first day: 27 days before
    assertEquals(Map.of("c1", "2|0", "c4", "1|27"), customers);
  }
}
