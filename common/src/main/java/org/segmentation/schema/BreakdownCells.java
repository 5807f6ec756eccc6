package org.segmentation.schema;

import static org.apache.spark.sql.functions.array;
import static org.apache.spark.sql.functions.coalesce;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.struct;

import java.util.ArrayList;
import java.util.List;
import org.apache.spark.sql.Column;

/**
 * The cells a row is counted in, in every table with a {@code breakdown} and a {@code cell} column (experiment_results,
 * segment_kpis), so that their cells read alike: the whole (breakdown and cell {@value #WHOLE}) and, for each
 * breakdown column, the row's value as text, {@value #UNKNOWN} when it is NULL.
 */
public final class BreakdownCells {
  /** The breakdown and cell of every row. */
  public static final String WHOLE = "all";
  /** The cell of rows whose breakdown value is NULL (no cluster, no lifetime-value model, not yet a customer). */
  public static final String UNKNOWN = "(unknown)";

  private BreakdownCells() {}

  /**
   * An array of {@code (breakdown, cell)} structs, the whole first: explode it to count a row once in each cell.
   *
   * @param breakdowns the columns whose values are the cells, each named as it is (a name with a dot is one column)
   */
  public static Column of(List<String> breakdowns) {
    List<Column> cells = new ArrayList<>(
        List.of(struct(lit(WHOLE).as(Columns.BREAKDOWN), lit(WHOLE).as(Columns.CELL))));
    for (String breakdown : breakdowns) {
      cells.add(struct(lit(breakdown).as(Columns.BREAKDOWN),
          coalesce(col("`" + breakdown + "`").cast("string"), lit(UNKNOWN)).as(Columns.CELL)));
    }
    return array(cells.toArray(Column[]::new));
  }
}
