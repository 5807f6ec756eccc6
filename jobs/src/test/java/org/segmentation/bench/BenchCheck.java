package org.segmentation.bench;

import static org.apache.spark.sql.functions.count;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.sum;

import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;

/**
 * Prints, for each output given as {@code name=format:path}, the customers and the sums of frequency, monetary and
 * scores, one line each: {@code check name customers=.. sum_frequency=.. sum_monetary=.. sum_scores=..}.
 */
public final class BenchCheck {
  private BenchCheck() {}

  public static void main(String[] args) {
    SparkSession spark = BenchSpark.start("bench-check", true);
    try {
      for (String arg : args) {
        String name = arg.substring(0, arg.indexOf('='));
        String format = arg.substring(arg.indexOf('=') + 1, arg.indexOf(':'));
        String path = arg.substring(arg.indexOf(':') + 1);
        Row row = spark.read().format(format).load(path).agg(count(lit(1)), sum("frequency"),
            sum("monetary").cast("decimal(30,2)"),
            sum(org.apache.spark.sql.functions.expr("coalesce(r_score,0) + coalesce(f_score,0) + coalesce(m_score,0)")).cast("bigint"))
            .first();
        System.out.println("check " + name + " customers=" + row.get(0) + " sum_frequency=" + row.get(1)
            + " sum_monetary=" + row.get(2) + " sum_scores=" + row.get(3));
      }
    } finally {
      spark.stop();
    }
  }
}
