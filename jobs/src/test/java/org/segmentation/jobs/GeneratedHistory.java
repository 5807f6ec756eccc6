package org.segmentation.jobs;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.pmod;
import static org.apache.spark.sql.functions.to_date;
import static org.apache.spark.sql.functions.xxhash64;

import java.time.LocalDate;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.segmentation.TestSpark;

/**
 * A generated purchase history handed to an input night by night, as the incremental nights' tests hand it
 * (IncrementalNightsTest, IncrementalFilesTest, KilledIncrementalNightIT): the lines of a day, and the late ones.
 */
final class GeneratedHistory {
  private GeneratedHistory() {}

  /** The generated lines, read by the test's session (a night of the job stops the one before). */
  static Dataset<Row> lines(String generated) {
    return TestSpark.get().read().parquet(generated);
  }

  /** A line's purchase day. */
  static Column day() {
    return to_date(col("order_ts"));
  }

  static Column date(LocalDate date) {
    return lit(java.sql.Date.valueOf(date));
  }

  /** About one line in thirty of the days before {@code firstNight} arrives on the night after it instead. */
  static Column late(LocalDate firstNight) {
    return day().lt(date(firstNight)).and(pmod(xxhash64(col("order_id"), col("product_id")), lit(30)).equalTo(0));
  }
}
