package org.segmentation.affinity;

import static org.apache.spark.sql.functions.array;
import static org.apache.spark.sql.functions.coalesce;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.count;
import static org.apache.spark.sql.functions.explode;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.rank;
import static org.apache.spark.sql.functions.sqrt;
import static org.apache.spark.sql.functions.struct;
import static org.apache.spark.sql.functions.sum;
import static org.apache.spark.sql.functions.when;

import java.util.List;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.expressions.Window;
import org.apache.spark.sql.expressions.WindowSpec;
import org.segmentation.schema.Columns;

/**
 * What each segment buys more (or less) than the whole base: for every segment of every dimension (RFM segment,
 * cluster, lifetime-value tier, ...) and every category, the share of the segment's buyers who bought the category
 * against the same share over every buyer of the dimension — the <b>index</b> (1 = like everyone, 2 = twice as
 * often) — the same for revenue, and the <b>Pearson residual</b> of the segment x category table of buyers,
 * (observed - expected) / sqrt(expected) with expected = row total x column total / table total, which says whether
 * the difference is beyond chance (|r| > 2). A cell with fewer than {@code minCustomers} buyers is kept but neither
 * ranked nor flagged over-indexed: tiny cells have huge indexes and mean nothing. A cell is flagged under-indexed when
 * at least {@code minCustomers} buyers were expected there.
 *
 * <p>The table is complete: a category no customer of a segment bought is a row with 0 buyers (an under-indexed cell
 * is as telling as an over-indexed one). A customer without a value in a dimension (no cluster when clustering is
 * off) is left out of that dimension, base included.
 *
 * <p>Cost: one aggregation of the lines by customer and category, then aggregations of those pairs (segments x
 * categories rows) and windows over the small result. No customer row reaches the driver.
 *
 * @param item the column of the lines whose values are the items (product_category, product_id)
 * @param dimensions the columns of {@code customers} whose values are the segments
 * @param minCustomers the buyers a cell needs to be ranked and flagged over-indexed (expected, to be flagged under)
 */
public record SegmentAffinity(String item, List<String> dimensions, long minCustomers) {
  /** The residual beyond which a cell is flagged (about the 95 % two-sided normal quantile). */
  public static final double FLAG_RESIDUAL = 2.0;

  public static final String DIMENSION = Columns.DIMENSION;
  /** The item (a category or a product): the value of the lines' {@code item} column. */
  public static final String ITEM = Columns.ITEM;
  public static final String SEGMENT = Columns.SEGMENT;
  public static final String SEGMENT_BUYERS = Columns.SEGMENT_BUYERS;
  public static final String BUYERS = Columns.BUYERS;
  public static final String BUYER_SHARE = Columns.BUYER_SHARE;
  public static final String BASE_BUYER_SHARE = Columns.BASE_BUYER_SHARE;
  public static final String BUYER_INDEX = Columns.BUYER_INDEX;
  public static final String REVENUE_SHARE = Columns.REVENUE_SHARE;
  public static final String BASE_REVENUE_SHARE = Columns.BASE_REVENUE_SHARE;
  public static final String REVENUE_INDEX = Columns.REVENUE_INDEX;
  public static final String EXPECTED_BUYERS = Columns.EXPECTED_BUYERS;
  public static final String PEARSON_RESIDUAL = Columns.PEARSON_RESIDUAL;
  public static final String SUPPORTED = Columns.SUPPORTED;
  public static final String OVER_INDEXED = Columns.OVER_INDEXED;
  public static final String UNDER_INDEXED = Columns.UNDER_INDEXED;
  public static final String INDEX_RANK = Columns.INDEX_RANK;

  // intermediate columns
  private static final String CELL = "__cell";
  private static final String SEGMENT_REVENUE = "__segment_revenue";
  private static final String CATEGORY_BUYERS = "__category_buyers";
  private static final String CATEGORY_REVENUE = "__category_revenue";
  private static final String DIMENSION_BUYERS = "__dimension_buyers";
  private static final String DIMENSION_REVENUE = "__dimension_revenue";
  private static final String ROW_TOTAL = "__row_total";
  private static final String TABLE_TOTAL = "__table_total";

  public SegmentAffinity {
    dimensions = List.copyOf(dimensions);
    if (dimensions.isEmpty()) {
      throw new IllegalArgumentException("name at least one dimension");
    }
  }

  /**
   * @param customers one row per customer: customer_id and the dimension columns
   * @param lines purchase lines: customer_id, the item column, amount (lines without an item are left out)
   * @return one row per dimension, segment and item, with the columns named above
   */
  public Dataset<Row> apply(Dataset<Row> customers, Dataset<Row> lines) {
    // each customer's categories with what they spent on each, then one row per dimension the customer has a value in
    Dataset<Row> bought = lines.where(col(item).isNotNull())
        .groupBy(col(Columns.CUSTOMER_ID), col(item).cast("string").as(ITEM))
        .agg(sum(col(Columns.AMOUNT)).as(Columns.REVENUE)); // decimal: exact, whatever order the sums run in
    // a dimension may name a struct's field: profile_attributes.tier
    Column[] cells = dimensions.stream().map(d -> struct(lit(d).as(DIMENSION),
        col(d).cast("string").as(SEGMENT))).toArray(Column[]::new);
    Dataset<Row> segmentOf = customers.select(col(Columns.CUSTOMER_ID), explode(array(cells)).as(CELL))
        .select(col(Columns.CUSTOMER_ID), col(CELL + "." + DIMENSION).as(DIMENSION),
            col(CELL + "." + SEGMENT).as(SEGMENT))
        .where(col(SEGMENT).isNotNull());
    Dataset<Row> pairs = bought.join(segmentOf, Columns.CUSTOMER_ID);

    // buyers per segment (a customer once, whatever they bought), and of the whole dimension: the base. Counted from
    // one row per customer (a customer has one segment per dimension), not as distinct customers of the pairs
    WindowSpec dimension = Window.partitionBy(col(DIMENSION));
    Dataset<Row> segments = bought.groupBy(col(Columns.CUSTOMER_ID)).agg(sum(col(Columns.REVENUE)).as(Columns.REVENUE))
        .join(segmentOf, Columns.CUSTOMER_ID)
        .groupBy(col(DIMENSION), col(SEGMENT))
        .agg(count(lit(1)).as(SEGMENT_BUYERS), sum(col(Columns.REVENUE)).as(SEGMENT_REVENUE))
        .withColumn(DIMENSION_BUYERS, sum(col(SEGMENT_BUYERS)).over(dimension))
        .withColumn(DIMENSION_REVENUE, sum(col(SEGMENT_REVENUE)).over(dimension));
    Dataset<Row> observed = pairs.groupBy(col(DIMENSION), col(SEGMENT), col(ITEM))
        .agg(count(lit(1)).as(BUYERS), sum(col(Columns.REVENUE)).as(Columns.REVENUE));
    // every segment of a dimension x every category the dimension's customers bought: the complete table
    Dataset<Row> table = segments
        .join(observed.select(col(DIMENSION), col(ITEM)).distinct(), DIMENSION)
        .join(observed, new String[] {DIMENSION, SEGMENT, ITEM}, "left")
        .withColumn(BUYERS, coalesce(col(BUYERS), lit(0L)))
        .withColumn(Columns.REVENUE, coalesce(col(Columns.REVENUE), lit(0)).cast(Columns.MONEY));

    WindowSpec category = Window.partitionBy(col(DIMENSION), col(ITEM));
    WindowSpec segment = Window.partitionBy(col(DIMENSION), col(SEGMENT));
    Dataset<Row> totals = table
        // each category's buyers and revenue over every segment of the dimension (a customer has one segment)
        .withColumn(CATEGORY_BUYERS, sum(col(BUYERS)).over(category))
        .withColumn(CATEGORY_REVENUE, sum(col(Columns.REVENUE)).over(category))
        // the contingency table's other margins (its column totals are the category buyers; a customer who bought
        // two categories counts in both columns)
        .withColumn(ROW_TOTAL, sum(col(BUYERS)).over(segment))
        .withColumn(TABLE_TOTAL, sum(col(BUYERS)).over(dimension));

    Column buyerShare = col(BUYERS).divide(col(SEGMENT_BUYERS));
    Column baseBuyerShare = col(CATEGORY_BUYERS).divide(col(DIMENSION_BUYERS));
    Column revenueShare = share(col(Columns.REVENUE), col(SEGMENT_REVENUE));
    Column baseRevenueShare = share(col(CATEGORY_REVENUE), col(DIMENSION_REVENUE));
    Column expected = col(ROW_TOTAL).multiply(col(CATEGORY_BUYERS)).divide(col(TABLE_TOTAL));
    Column supported = col(BUYERS).geq(minCustomers);
    Dataset<Row> measured = totals.select(col(DIMENSION), col(SEGMENT), col(ITEM),
        col(SEGMENT_BUYERS), col(BUYERS), buyerShare.as(BUYER_SHARE), baseBuyerShare.as(BASE_BUYER_SHARE),
        buyerShare.divide(baseBuyerShare).as(BUYER_INDEX), col(Columns.REVENUE), revenueShare.as(REVENUE_SHARE),
        baseRevenueShare.as(BASE_REVENUE_SHARE), revenueShare.divide(baseRevenueShare).as(REVENUE_INDEX),
        expected.as(EXPECTED_BUYERS), col(BUYERS).minus(expected).divide(sqrt(expected)).as(PEARSON_RESIDUAL),
        supported.as(SUPPORTED));
    return measured
        .withColumn(OVER_INDEXED, col(SUPPORTED).and(col(PEARSON_RESIDUAL).gt(FLAG_RESIDUAL)))
        // a cell that should have had at least the minimum: few or no buyers there is the finding
        .withColumn(UNDER_INDEXED, col(EXPECTED_BUYERS).geq(minCustomers).and(col(PEARSON_RESIDUAL).lt(-FLAG_RESIDUAL)))
        .withColumn(INDEX_RANK, when(col(SUPPORTED), rank().over(Window.partitionBy(col(DIMENSION), col(SEGMENT),
            col(SUPPORTED)).orderBy(col(BUYER_INDEX).desc(), col(ITEM)))));
  }

  /** A revenue share; NULL where the whole is not positive (returns only): no share of a loss means anything. */
  private static Column share(Column part, Column whole) {
    return when(whole.gt(0), part.cast("double").divide(whole.cast("double")));
  }
}
