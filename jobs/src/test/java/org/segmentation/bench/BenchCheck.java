package org.segmentation.bench;

import static org.apache.spark.sql.functions.coalesce;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.concat_ws;
import static org.apache.spark.sql.functions.count;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.sum;
import static org.apache.spark.sql.functions.xxhash64;

import java.util.List;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;

/**
 * Prints, for each output given as {@code name=format:path}, one line
 * {@code check name customers=.. sum_frequency=.. sum_monetary=.. sum_scores=.. values_hash=.. scores_hash=..}.
 *
 * <p>The hashes compare the outputs customer by customer, whatever the row order: each row's fields are written as
 * text in one form whatever the engine's types (whole numbers, money to the cent, "null"), hashed (xxhash64), and the
 * hashes summed exactly (as decimals). {@code values_hash} covers (customer_id, recency_days, frequency, monetary);
 * {@code scores_hash} adds r_score, f_score and m_score, so two swapped score columns or one customer's score off by
 * one change it.
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
        Row row = summary(spark.read().format(format).load(path));
        System.out.println("check " + name + " customers=" + row.get(0) + " sum_frequency=" + row.get(1)
            + " sum_monetary=" + row.get(2) + " sum_scores=" + row.get(3) + " values_hash=" + row.get(4)
            + " scores_hash=" + row.get(5));
      }
    } finally {
      spark.stop();
    }
  }

  /** customers, sum_frequency, sum_monetary, sum_scores, values_hash, scores_hash of one engine's output. */
  static Row summary(Dataset<Row> output) {
    List<Column> values = List.of(col("customer_id").cast("string"), whole("recency_days"), whole("frequency"),
        col("monetary").cast("decimal(30,2)").cast("string"));
    List<Column> scored = new java.util.ArrayList<>(values);
    scored.addAll(List.of(whole("r_score"), whole("f_score"), whole("m_score")));
    return output.agg(count(lit(1)), sum("frequency"), sum("monetary").cast("decimal(30,2)"),
        sum(org.apache.spark.sql.functions.expr("coalesce(r_score,0) + coalesce(f_score,0) + coalesce(m_score,0)"))
            .cast("bigint"),
        rowHashSum(values), rowHashSum(scored)).first();
  }

  /** A whole number as text ("null" when absent), whatever its integer or decimal type. */
  private static Column whole(String column) {
    return coalesce(col(column).cast("bigint").cast("string"), lit("null"));
  }

  /** The exact sum of the rows' hashes: independent of the row order and of the partitioning. */
  private static Column rowHashSum(List<Column> fields) {
    List<Column> texts = fields.stream().map(f -> coalesce(f, lit("null"))).toList();
    return sum(xxhash64(concat_ws("|", texts.toArray(Column[]::new))).cast("decimal(38,0)")).cast("string");
  }
}
