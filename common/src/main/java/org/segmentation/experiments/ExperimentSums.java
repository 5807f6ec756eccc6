package org.segmentation.experiments;

import static org.apache.spark.sql.functions.array;
import static org.apache.spark.sql.functions.coalesce;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.count;
import static org.apache.spark.sql.functions.explode;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.struct;
import static org.apache.spark.sql.functions.sum;
import static org.apache.spark.sql.functions.when;
import static org.segmentation.schema.Columns.BREAKDOWN;
import static org.segmentation.schema.Columns.CELL;
import static org.segmentation.schema.Columns.EXPERIMENT;
import static org.segmentation.schema.Columns.METRIC;
import static org.segmentation.schema.Columns.VARIANT;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.segmentation.pipeline.Stage;
import org.segmentation.schema.BreakdownCells;

/**
 * The sufficient statistics of every (experiment, variant, breakdown cell, metric), in one aggregation over the
 * experiments' members (one row per experiment and member, with its variant, its breakdown columns as they stood at
 * assignment and its metric values): n, Σy, Σy², and Σx, Σx², Σxy of the metric's pre-period covariate. Each member
 * counts once in the whole experiment and once in each breakdown's cell ({@link BreakdownCells}). A member whose metric
 * value (or declared covariate) is NULL is left out of that metric's sums; every member counts in the {@value #MEMBERS}
 * row, from which the sample-ratio check and the empty cells come.
 *
 * @param metrics the metrics measured, each a column of the members (numbers; booleans count as 0/1)
 * @param breakdowns the columns whose values are the cells of a breakdown, besides the whole experiment
 */
public record ExperimentSums(List<Metric> metrics, List<String> breakdowns) implements Stage {
  /** The pseudo-metric counting members. */
  public static final String MEMBERS = "members";

  public static final String N = "n";
  public static final String SUM_Y = "sum_y";
  public static final String SUM_Y2 = "sum_y2";
  public static final String SUM_X = "sum_x";
  public static final String SUM_X2 = "sum_x2";
  public static final String SUM_XY = "sum_xy";

  /** A measured metric: its name in the results, the members' column with its value, its pre-period covariate. */
  public record Metric(String name, String column, Optional<String> covariate) {
    public Metric {
      if (MEMBERS.equals(name)) {
        throw new IllegalArgumentException("'" + MEMBERS + "' is the count of members; name the metric otherwise");
      }
    }
  }

  private static final String CELLS = "__cells";
  private static final String VALUES = "__values";
  private static final String Y = "y";
  private static final String X = "x";

  @Override
  public Dataset<Row> apply(Dataset<Row> members) {
    List<Column> values = new ArrayList<>(List.of(struct(lit(MEMBERS).as(METRIC), lit(1.0).as(Y), lit(0.0).as(X))));
    for (Metric metric : metrics) {
      Column y = col("`" + metric.column() + "`").cast("double");
      Column x = metric.covariate().map(c -> col("`" + c + "`").cast("double")).orElse(lit(0.0));
      values.add(struct(lit(metric.name()).as(METRIC), when(x.isNotNull(), y).as(Y), x.as(X)));
    }
    Column y = col(VALUES + "." + Y);
    Column x = col(VALUES + "." + X);
    return members
        .select(col(EXPERIMENT), col(VARIANT), explode(BreakdownCells.of(breakdowns)).as(CELLS),
            array(values.toArray(Column[]::new)).as(VALUES))
        .select(col(EXPERIMENT), col(VARIANT), col(CELLS + "." + BREAKDOWN).as(BREAKDOWN),
            col(CELLS + "." + CELL).as(CELL), explode(col(VALUES)).as(VALUES))
        .where(y.isNotNull())
        .groupBy(col(EXPERIMENT), col(VARIANT), col(BREAKDOWN), col(CELL), col(VALUES + "." + METRIC).as(METRIC))
        .agg(count(lit(1)).as(N), sum(y).as(SUM_Y), sum(y.multiply(y)).as(SUM_Y2), sum(x).as(SUM_X),
            sum(x.multiply(x)).as(SUM_X2), sum(x.multiply(y)).as(SUM_XY));
  }

  /** One row of the aggregation as an arm's sums. */
  public static ArmSums armSums(Row row) {
    return new ArmSums(row.getLong(row.fieldIndex(N)), row.getDouble(row.fieldIndex(SUM_Y)),
        row.getDouble(row.fieldIndex(SUM_Y2)), row.getDouble(row.fieldIndex(SUM_X)),
        row.getDouble(row.fieldIndex(SUM_X2)), row.getDouble(row.fieldIndex(SUM_XY)));
  }
}
