package org.segmentation.bench;

import static org.apache.spark.sql.functions.array_sort;
import static org.apache.spark.sql.functions.coalesce;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.greatest;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.map_entries;
import static org.apache.spark.sql.functions.round;
import static org.apache.spark.sql.functions.sum;
import static org.apache.spark.sql.functions.to_json;
import static org.apache.spark.sql.functions.transform_values;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DoubleType;
import org.apache.spark.sql.types.MapType;
import org.apache.spark.sql.types.StructField;
import org.segmentation.io.TableCatalog;
import org.segmentation.io.TableSpec;

/**
 * Compares the output tables of two lakes row for row: {@code LakeDiff OLD_LAKE NEW_LAKE} (scripts/lake-diff.sh).
 * Columns that differ between any two runs by nature (run ids, wall-clock times, the model folder named after the
 * run id, the configuration fingerprint, the run's JSON summary of seconds and task counts, the lifetime-value fit's
 * seconds, the report's path under the lake root) are left out; maps are compared as sorted entries, doubles to 9 decimals; a column that only one side has
 * is named and left out; a table only one lake has differs. Prints one line per table and exits 1 when any table
 * differs.
 */
public final class LakeDiff {
  /** Differ between runs of the same input by construction. */
  private static final Set<String> VOLATILE = Set.of("run_id", "started_at", "ended_at", "saved_at", "model_path",
      "config_fingerprint", "summary_json", "fit_seconds", "report_path");

  private static final String SIDE = "__lake_diff_side";
  private static final String BEFORE = "__lake_diff_before";
  private static final String AFTER = "__lake_diff_after";

  /** Decimals of a double that two runs of the same input must share. */
  private static final int DOUBLE_DECIMALS = 9;

  private LakeDiff() {}

  public static void main(String[] args) {
    SparkSession spark = BenchSpark.start("lake-diff", true);
    long differing;
    try {
      List<String> lines = compare(spark, args[0], args[1]);
      lines.forEach(System.out::println);
      differing = lines.stream().filter(LakeDiff::differs).count();
    } finally {
      spark.stop();
    }
    System.exit(differing == 0 ? 0 : 1);
  }

  /**
   * Whether a line of {@link #compare} says its table differs (the line goes on with the columns that differ, so
   * it does not end with the result).
   */
  public static boolean differs(String line) {
    return line.contains(" result=DIFFERENT");
  }

  /** One line per table of the catalog: "table=... rows_before=... only_before=... result=same|DIFFERENT|...". */
  public static List<String> compare(SparkSession spark, String beforeLake, String afterLake) {
    List<String> lines = new ArrayList<>();
    for (TableSpec table : TableCatalog.ALL) {
      Path before = Path.of(beforeLake, table.name());
      Path after = Path.of(afterLake, table.name());
      if (!Files.exists(before) && !Files.exists(after)) {
        lines.add("table=" + table.name() + " result=absent_in_both");
        continue;
      }
      if (!Files.exists(before) || !Files.exists(after)) {
        lines.add("table=" + table.name() + " only_in=" + (Files.exists(before) ? beforeLake : afterLake)
            + " result=DIFFERENT");
        continue;
      }
      Dataset<Row> oldRows = spark.read().format("delta").load(before.toString());
      Dataset<Row> newRows = spark.read().format("delta").load(after.toString());
      // a column only one side has (a newer version added it) is named, and the others compared
      List<String> shared = new ArrayList<>(List.of(oldRows.columns()));
      shared.retainAll(List.of(newRows.columns()));
      List<String> onlyOneSide = new ArrayList<>(List.of(oldRows.columns()));
      onlyOneSide.addAll(List.of(newRows.columns()));
      onlyOneSide.removeAll(shared);
      Dataset<Row> a = comparable(oldRows, shared);
      Dataset<Row> b = comparable(newRows, shared);
      // one Spark job per table: each distinct row's copies on either side, and what one side has more of (the
      // rows exceptAll would leave, both ways)
      Column onBefore = col(SIDE).equalTo(1).cast("long");
      Column onAfter = col(SIDE).equalTo(2).cast("long");
      Row counts = a.withColumn(SIDE, lit(1)).unionByName(b.withColumn(SIDE, lit(2)))
          .groupBy(java.util.Arrays.stream(a.columns()).map(c -> col("`" + c + "`")).toArray(Column[]::new))
          .agg(sum(onBefore).as(BEFORE), sum(onAfter).as(AFTER))
          .agg(coalesce(sum(col(BEFORE)), lit(0L)), coalesce(sum(col(AFTER)), lit(0L)),
              coalesce(sum(greatest(col(BEFORE).minus(col(AFTER)), lit(0L))), lit(0L)),
              coalesce(sum(greatest(col(AFTER).minus(col(BEFORE)), lit(0L))), lit(0L)))
          .first();
      long onlyBefore = counts.getLong(2);
      long onlyAfter = counts.getLong(3);
      boolean same = onlyBefore == 0 && onlyAfter == 0;
      lines.add("table=" + table.name() + " rows_before=" + counts.getLong(0) + " rows_after=" + counts.getLong(1)
          + " only_before=" + onlyBefore + " only_after=" + onlyAfter
          + (onlyOneSide.isEmpty() ? "" : " columns_on_one_side=" + onlyOneSide)
          + " result=" + (same ? "same" : "DIFFERENT")
          + (same ? "" : " columns_that_differ=" + differingColumns(a, b)));
    }
    return lines;
  }

  /** The columns whose values alone already make the two sides differ (what to look at first). */
  private static List<String> differingColumns(Dataset<Row> a, Dataset<Row> b) {
    List<String> differing = new ArrayList<>();
    for (String column : a.columns()) {
      Dataset<Row> left = a.select(col("`" + column + "`"));
      Dataset<Row> right = b.select(col("`" + column + "`"));
      if (left.exceptAll(right).count() > 0 || right.exceptAll(left).count() > 0) {
        differing.add(column);
      }
    }
    return differing;
  }

  private static Dataset<Row> comparable(Dataset<Row> table, List<String> shared) {
    List<Column> columns = new ArrayList<>();
    for (StructField field : table.schema().fields()) {
      if (VOLATILE.contains(field.name()) || !shared.contains(field.name())) {
        continue;
      }
      Column value = col("`" + field.name() + "`");
      if (field.dataType() instanceof MapType map) {
        value = to_json(array_sort(map_entries(map.valueType() instanceof DoubleType
            ? transform_values(value, (k, v) -> round(v, DOUBLE_DECIMALS)) : value)));
      } else if (field.dataType() instanceof DoubleType) {
        // Spark merges the partial sums of a distributed mean in the order its tasks finish, so the last bits of a
        // double computed from one (the clustering's feature scaling, then every distance; a silhouette) may differ
        // between two runs of the same input; the first 9 decimals may not
        value = round(value, DOUBLE_DECIMALS);
      }
      columns.add(value.as(field.name()));
    }
    return table.select(columns.toArray(Column[]::new));
  }
}
