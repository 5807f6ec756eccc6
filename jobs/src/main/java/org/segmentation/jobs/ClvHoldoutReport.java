package org.segmentation.jobs;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.count;
import static org.apache.spark.sql.functions.least;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.sum;

import java.time.LocalDate;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.segmentation.config.LakeSettings;
import org.segmentation.io.LakeTables;
import org.segmentation.io.SparkSessions;
import org.segmentation.io.TableCatalog;
import org.segmentation.run.ConfigurationException;
import org.segmentation.schema.Columns;

/**
 * The holdout check of the lifetime-value model, from the lake alone: for the customers of a calibration night, the
 * expected repeat purchases over the following days (customer_segments.expected_purchases[N], N = the days to the
 * holdout night) against the purchase days they actually added by the holdout night, in total and by calibration x
 * (repeat purchases, 7 and more together), as the conditional-expectation figure of Fader, Hardie and Lee (2005).
 * Both nights must be published in the lake, the calibration night with N among clv.horizons-days
 * ({@code scripts/clv-holdout.sh} runs both on CDNOW and then this).
 *
 * <pre>ClvHoldoutReport --lake lakehouse/cdnow-holdout --calibration 1997-09-30 --holdout 1998-06-30</pre>
 */
public final class ClvHoldoutReport {
  private ClvHoldoutReport() {}

  public static void main(String[] args) {
    CommandLine line = CommandLine.parse(args, Set.of(), Set.of("--lake", "--calibration", "--holdout"));
    String lake = line.value("--lake").orElseThrow(() -> new IllegalArgumentException("--lake: required"));
    LocalDate calibration = line.value("--calibration", LocalDate::parse, "YYYY-MM-DD").orElseThrow();
    LocalDate holdout = line.value("--holdout", LocalDate::parse, "YYYY-MM-DD").orElseThrow();
    int days = (int) ChronoUnit.DAYS.between(calibration, holdout);
    SparkSession spark = SparkSessions.withDelta(SparkSession.builder()).master("local[2]")
        .appName("clv-holdout-report").config("spark.sql.shuffle.partitions", "2")
        .config("spark.ui.enabled", "false").getOrCreate();
    try {
      LakeTables tables = new LakeTables(spark, new LakeSettings(lake));
      Dataset<Row> segments = tables.read(TableCatalog.CUSTOMER_SEGMENTS);
      Dataset<Row> before = segments.where(col(Columns.RUN_DATE).equalTo(lit(java.sql.Date.valueOf(calibration))))
          .where(col(Columns.PURCHASE_DAYS).gt(0))
          .select(col(Columns.CUSTOMER_ID), col(Columns.PURCHASE_DAYS).as("days_before"),
              col(Columns.EXPECTED_PURCHASES).getItem(days).as("predicted"));
      Dataset<Row> after = segments.where(col(Columns.RUN_DATE).equalTo(lit(java.sql.Date.valueOf(holdout))))
          .select(col(Columns.CUSTOMER_ID), col(Columns.PURCHASE_DAYS).as("days_after"));
      List<Row> groups = before.join(after, Columns.CUSTOMER_ID)
          .groupBy(least(col("days_before").minus(1), lit(7L)).as("x"))
          .agg(count(lit(1)).as("customers"), sum("predicted").as("predicted"),
              sum(col("days_after").minus(col("days_before"))).as("actual"))
          .orderBy("x").collectAsList();
      if (groups.isEmpty() || groups.stream().anyMatch(g -> g.isNullAt(2))) {
        throw new ConfigurationException("No prediction over " + days + " days for the night " + calibration
            + " in " + lake + ": run it with --set segments.clv.horizons-days=[" + days + "], and publish "
            + holdout + " too");
      }
      System.out.printf(Locale.ROOT, "holdout %s .. %s (%d days): repeat purchase days per customer%n",
          calibration.plusDays(1), holdout, days);
      System.out.printf(Locale.ROOT, "%-4s %10s %10s %10s%n", "x", "customers", "predicted", "actual");
      long customers = 0;
      double predicted = 0;
      double actual = 0;
      for (Row g : groups) {
        long n = g.getLong(1);
        System.out.printf(Locale.ROOT, "%-4s %10d %10.3f %10.3f%n", g.getLong(0) == 7 ? "7+" : g.getLong(0), n,
            g.getDouble(2) / n, g.getLong(3) / (double) n);
        customers += n;
        predicted += g.getDouble(2);
        actual += g.getLong(3);
      }
      System.out.printf(Locale.ROOT, "total: %d customers, predicted %.0f, actual %.0f repeat purchase days (%+.1f %%)%n",
          customers, predicted, actual, 100 * (predicted - actual) / actual);
    } finally {
      spark.stop();
    }
  }
}
