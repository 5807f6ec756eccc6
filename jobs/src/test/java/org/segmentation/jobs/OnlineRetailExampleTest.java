package org.segmentation.jobs;

import static org.apache.spark.sql.functions.col;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.math.BigDecimal;
import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;
import org.apache.spark.sql.Row;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.segmentation.TestSpark;

/**
 * conf/examples/online-retail.conf on its sample export: float ids, guest lines, a cancellation with a "C" invoice.
 */
class OnlineRetailExampleTest {
  static final Path REPO = CdnowReferenceTest.REPO;

  @TempDir
  Path lake;

  /**
   * Run date 2010-12-02, every line on 12/1 (recency 1):
   * 17850.0: invoice 536365 (6 x 2.55 + 6 x 3.39 = 35.64) and 536366 (6 x 1.85 = 11.10): 2 orders, 46.74;
   * 13047.0: 536367 (32 x 1.69 = 54.08): 1 order, 54.08;
   * 14527.0: C536379 (-1 x 27.50, nets below zero: no purchase) and 536380 (24 x 1.45 = 34.80): 1 order, 7.30;
   * two lines without a CustomerID: skipped. Read 8 = accepted 6 + quarantined 0 + skipped 2.
   */
  @Test
  void theExampleMapsFloatIdsSkipsGuestsAndNetsCancellations() {
    JobRunner run = JobRunner.run("--config", REPO.resolve("conf/examples/online-retail.conf").toString(),
        "--run-date", "2010-12-02",
        "--set", "segments.lake.root=\"" + lake + "\"",
        "--set", "segments.inputs.purchases.path=\""
            + REPO.resolve("common/src/test/resources/online-retail/online_retail.csv") + "\"",
        "--set", "segments.spark.master=\"local[2]\"",
        "--set", "segments.spark.conf.\"spark.sql.shuffle.partitions\"=2");
    assertEquals(0, run.status(), run.toString());
    assertTrue(run.lastLine().contains("purchases_read=8 purchases_accepted=6 purchases_quarantined=0 "
        + "purchases_skipped=2"), run.lastLine());

    Map<String, String> customers = new TreeMap<>();
    for (Row r : TestSpark.get().read().format("delta").load(lake.resolve("customer_segments").toString())
        .select(col("customer_id"), col("frequency"), col("monetary"), col("recency_days")).collectAsList()) {
      customers.put(r.getString(0), r.getLong(1) + " " + ((BigDecimal) r.get(2)).stripTrailingZeros().toPlainString()
          + " " + r.getInt(3));
    }
    assertEquals(Map.of("17850", "2 46.74 1", "13047", "1 54.08 1", "14527", "1 7.3 1"), customers);
  }
}
