package org.segmentation.rfm;

import static org.apache.spark.sql.functions.array;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.count;
import static org.apache.spark.sql.functions.explode;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.max;
import static org.apache.spark.sql.functions.min;
import static org.apache.spark.sql.functions.spark_partition_id;
import static org.apache.spark.sql.functions.struct;
import static org.apache.spark.sql.functions.sum;
import static org.apache.spark.sql.functions.when;

import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.expressions.Window;
import org.apache.spark.sql.types.DataTypes;

/**
 * Exact order statistics of several numeric columns at once, computed without moving all values through one task.
 *
 * <p>The k-th order statistic x(k) of a column is its k-th smallest value (1-based, counting duplicates). Method, for
 * all columns together (two Spark jobs, plus the sampling job of the range partitioner):
 * <ol>
 *   <li>stack the columns into (measure, value) rows and count each distinct pair (map-side combined: ties collapse to
 *       one row);</li>
 *   <li>range-partition the distinct pairs, so each partition holds one contiguous value range of one or two
 *       measures, and bring back only each (partition, measure) range's bounds and row count;</li>
 *   <li>on the driver, find the range that holds each requested rank of each measure, then, for those few ranges
 *       only, run a window <em>partitioned by range</em> that accumulates counts in value order and picks the value at
 *       the rank.</li>
 * </ol>
 * Only a handful of numbers per range and per rank reach the driver; no customer row does.
 */
final class ExactQuantiles {
  private static final String MEASURE = "measure";
  private static final String VALUE = "value";
  private static final String COUNT = "n";
  private static final String RANGE = "range_id";
  private static final String CUMULATIVE = "cumulative";
  /** Distinct values per range: small enough for one task's window, large enough to keep ranges few. */
  static final long VALUES_PER_RANGE = 200_000L;

  private ExactQuantiles() {}

  /** A contiguous value range of one measure, as found by the range partitioner. */
  private record Range(int measure, BigDecimal low, BigDecimal high, long rows) {}

  /**
   * @param rows a Dataset whose {@code columns} hold no NULLs (numeric, exact decimals kept exact)
   * @param rowCount the number of rows (known to the caller), which sizes the ranges
   * @param ranks 1-based ranks, each in 1..rowCount
   * @return per column, the value at each rank, in the order of {@code ranks}; empty lists when rows is empty
   */
  static Map<String, List<BigDecimal>> at(Dataset<Row> rows, List<String> columns, long rowCount,
      List<Long> ranks, long valuesPerRange) {
    Column[] stacked = new Column[columns.size()];
    for (int m = 0; m < columns.size(); m++) {
      stacked[m] = struct(lit(m).as(MEASURE), col(columns.get(m)).cast(DataTypes.createDecimalType(38, 4)).as(VALUE));
    }
    Dataset<Row> distinct = rows.select(explode(array(stacked)).as("s"))
        .select(col("s." + MEASURE).as(MEASURE), col("s." + VALUE).as(VALUE))
        .groupBy(MEASURE, VALUE).agg(count(lit(1)).as(COUNT));

    // Bounds of every (partition, measure) range; at most valuesPerRange values (with their ties) per range.
    int partitions = (int) Math.max(1, Math.min(1000, rowCount * columns.size() / valuesPerRange));
    List<Range> ranges = new ArrayList<>();
    for (Row r : distinct.repartitionByRange(partitions, col(MEASURE), col(VALUE))
        .groupBy(spark_partition_id().as(RANGE), col(MEASURE))
        .agg(min(col(VALUE)), max(col(VALUE)), sum(col(COUNT)))
        .collectAsList()) {
      ranges.add(new Range(r.getInt(1), r.getDecimal(2), r.getDecimal(3), r.getLong(4)));
    }
    ranges.sort(Comparator.comparingInt(Range::measure).thenComparing(Range::low));

    Map<String, List<BigDecimal>> result = new LinkedHashMap<>();
    if (ranges.isEmpty()) {
      columns.forEach(c -> result.put(c, List.of()));
      return result;
    }
    // For every (measure, rank): the range that holds it and the rank inside that range.
    List<Integer> rangeOfPick = new ArrayList<>();
    List<Long> localRankOfPick = new ArrayList<>();
    for (int m = 0; m < columns.size(); m++) {
      for (long rank : ranks) {
        long before = 0;
        Integer found = null;
        for (int i = 0; i < ranges.size(); i++) {
          Range range = ranges.get(i);
          if (range.measure() != m) {
            continue;
          }
          if (before + range.rows() >= rank) {
            found = i;
            break;
          }
          before += range.rows();
        }
        if (found == null || rank < 1) {
          throw new IllegalArgumentException("rank " + rank + " outside 1.." + before + " of " + columns.get(m));
        }
        rangeOfPick.add(found);
        localRankOfPick.add(rank - before);
      }
    }

    // Select the needed ranges by measure and value bounds (reproducible from the values, unlike partition ids).
    Column rangeIndex = lit(null).cast(DataTypes.IntegerType);
    Column needed = lit(false);
    for (int index : new java.util.TreeSet<>(rangeOfPick)) {
      Range range = ranges.get(index);
      Column inRange = col(MEASURE).equalTo(range.measure())
          .and(col(VALUE).between(lit(range.low()), lit(range.high())));
      rangeIndex = when(inRange, lit(index)).otherwise(rangeIndex);
      needed = needed.or(inRange);
    }
    Dataset<Row> slices = distinct.where(needed)
        .withColumn(RANGE, rangeIndex)
        .withColumn(CUMULATIVE, sum(col(COUNT)).over(Window.partitionBy(col(RANGE)).orderBy(col(VALUE))
            .rowsBetween(Window.unboundedPreceding(), Window.currentRow())));
    List<Column> picks = new ArrayList<>();
    for (int i = 0; i < rangeOfPick.size(); i++) {
      picks.add(min(when(col(RANGE).equalTo(rangeOfPick.get(i)).and(col(CUMULATIVE).geq(localRankOfPick.get(i))),
          col(VALUE))).as("pick_" + i));
    }
    Row picked = slices.agg(picks.get(0), picks.subList(1, picks.size()).toArray(Column[]::new)).first();
    for (int m = 0; m < columns.size(); m++) {
      List<BigDecimal> values = new ArrayList<>();
      for (int k = 0; k < ranks.size(); k++) {
        values.add(picked.getDecimal(m * ranks.size() + k).stripTrailingZeros());
      }
      result.put(columns.get(m), values);
    }
    return result;
  }

  static Map<String, List<BigDecimal>> at(Dataset<Row> rows, List<String> columns, long rowCount,
      List<Long> ranks) {
    return at(rows, columns, rowCount, ranks, VALUES_PER_RANGE);
  }
}
