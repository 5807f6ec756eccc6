package org.segmentation.stage;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.count;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.max;
import static org.apache.spark.sql.functions.min;
import static org.apache.spark.sql.functions.spark_partition_id;
import static org.apache.spark.sql.functions.sum;
import static org.apache.spark.sql.functions.when;

import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.expressions.Window;

/**
 * Exact order statistics of one numeric column, computed without moving all values through one task.
 *
 * <p>The k-th order statistic x(k) is the k-th smallest value (1-based, counting duplicates). Method:
 * <ol>
 *   <li>count each distinct value (a map-side-combined aggregation: ties collapse to one row);</li>
 *   <li>range-partition the distinct values, so each partition holds one contiguous value range, and bring back only
 *       each range's bounds and row count (one small row per partition);</li>
 *   <li>on the driver, find which range holds each requested rank, then, for those few ranges only, run a window
 *       <em>partitioned by range</em> that accumulates counts in value order and picks the value at the rank.</li>
 * </ol>
 * Only a handful of numbers per partition and per rank reach the driver; no customer row does.
 */
final class ExactQuantiles {
  private static final String VALUE = "value";
  private static final String COUNT = "n";
  private static final String RANGE = "range_id";
  private static final String CUMULATIVE = "cumulative";
  /** Distinct values per range: small enough for one task's window, large enough to keep the job count low. */
  private static final long VALUES_PER_RANGE = 200_000L;

  private ExactQuantiles() {}

  /**
   * @param values a Dataset whose column {@code column} holds no NULLs
   * @param rows the number of rows of {@code values} (known to the caller)
   * @param ranks 1-based ranks, each in 1..rows
   * @return the value at each rank, in the order of {@code ranks}
   */
  static List<BigDecimal> at(Dataset<Row> values, String column, long rows, List<Long> ranks) {
    return at(values, column, rows, ranks, VALUES_PER_RANGE);
  }

  /** As {@link #at(Dataset, String, long, List)}, with the range size given (tests use small ranges). */
  static List<BigDecimal> at(Dataset<Row> values, String column, long rows, List<Long> ranks, long valuesPerRange) {
    Dataset<Row> distinct = values.groupBy(col(column).as(VALUE)).agg(count(lit(1)).as(COUNT));
    int ranges = (int) Math.max(1, Math.min(1000, rows / valuesPerRange));

    List<Row> bounds = new ArrayList<>(distinct.repartitionByRange(ranges, col(VALUE))
        .groupBy(spark_partition_id().as(RANGE))
        .agg(min(col(VALUE)).as("low"), max(col(VALUE)).as("high"), sum(col(COUNT)).as(COUNT))
        .collectAsList());
    bounds.sort(Comparator.comparing(r -> new BigDecimal(r.get(1).toString())));

    // For every requested rank: the range that holds it and the rank inside that range.
    List<Integer> rangeOfRank = new ArrayList<>();
    List<Long> localRank = new ArrayList<>();
    for (long rank : ranks) {
      if (rank < 1 || rank > rows) {
        throw new IllegalArgumentException("rank " + rank + " outside 1.." + rows);
      }
      long before = 0;
      int index = 0;
      while (before + bounds.get(index).getLong(3) < rank) {
        before += bounds.get(index).getLong(3);
        index++;
      }
      rangeOfRank.add(index);
      localRank.add(rank - before);
    }

    // Select the needed ranges by value bounds (not by partition id: the ranges are reproducible from the values).
    Column rangeIndex = lit(null).cast("int");
    Column needed = lit(false);
    for (int index : new java.util.TreeSet<>(rangeOfRank)) {
      Row range = bounds.get(index);
      Column inRange = col(VALUE).geq(lit(range.get(1))).and(col(VALUE).leq(lit(range.get(2))));
      rangeIndex = when(inRange, lit(index)).otherwise(rangeIndex);
      needed = needed.or(inRange);
    }
    Dataset<Row> slices = distinct.where(needed)
        .withColumn(RANGE, rangeIndex)
        .withColumn(CUMULATIVE, sum(col(COUNT)).over(Window.partitionBy(col(RANGE)).orderBy(col(VALUE))
            .rowsBetween(Window.unboundedPreceding(), Window.currentRow())));
    List<Column> picks = new ArrayList<>();
    for (int i = 0; i < ranks.size(); i++) {
      picks.add(min(when(col(RANGE).equalTo(rangeOfRank.get(i)).and(col(CUMULATIVE).geq(localRank.get(i))),
          col(VALUE))).as("rank_" + i));
    }
    Row picked = slices.agg(picks.get(0), picks.subList(1, picks.size()).toArray(Column[]::new)).first();
    List<BigDecimal> result = new ArrayList<>();
    for (int i = 0; i < ranks.size(); i++) {
      result.add(new BigDecimal(picked.get(i).toString()));
    }
    return result;
  }
}
