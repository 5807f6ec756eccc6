package org.segmentation.affinity;

import static org.apache.spark.sql.functions.array_except;
import static org.apache.spark.sql.functions.coalesce;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.collect_set;
import static org.apache.spark.sql.functions.count;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.row_number;
import static org.apache.spark.sql.functions.size;
import static org.apache.spark.sql.functions.slice;
import static org.apache.spark.sql.functions.to_date;
import static org.apache.spark.sql.functions.transform;

import java.time.LocalDate;
import java.util.List;
import org.apache.spark.ml.recommendation.ALS;
import org.apache.spark.ml.recommendation.ALSModel;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.expressions.Window;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.apache.spark.storage.StorageLevel;
import org.segmentation.schema.Columns;

/**
 * Each customer's next-best items (products or categories): a ranked list of {@code k} items the customer has not
 * bought, from one of three recommenders, and the offline test that chooses between them.
 * <ul>
 *   <li>{@link #popular}: the items most customers bought — the baseline a merchandiser would use;
 *   <li>{@link #popularInSegment}: the items most customers of the customer's own segment bought;
 *   <li>{@link #als}: MLlib's alternating least squares on implicit feedback (how many lines of the item the customer
 *       bought, as confidence), which learns from who bought what together.
 * </ul>
 * <b>The offline test</b> ({@link #split}): fit on the lines up to a cut-off day, and compare each recommender's top
 * k with what customers bought for the first time after it ({@link RankingQuality}). Nothing from after the cut-off
 * reaches a fit: the split is the only way lines reach one.
 *
 * <p>The popular lists are computed once (a few hundred item ids on the driver: model parameters, not customer
 * rows) and then cut per customer by Spark's array functions; no customer row reaches the driver.
 *
 * @param item the column of the lines whose values are the items (product_id, product_category)
 * @param k the length of each list
 */
public record NextBestItems(String item, int k) {
  public static final String ITEMS = "items";
  /** Lines of each item a customer bought: the implicit feedback's strength. */
  private static final String LINES = "__lines";
  /** Customers who bought an item: its popularity. */
  private static final String BUYERS = "__buyers";
  private static final String USER = "__user";
  private static final String ITEM_INDEX = "__item";
  private static final String RANK = "__rank";
  private static final Column NONE = org.apache.spark.sql.functions.array().cast("array<string>");
  /** Candidates beyond k kept before a customer's own items are removed. */
  private static final int SPARE = 50;

  /**
   * The lines split at {@code cutoff}: what a fit may see (order day on or before it) and the evaluation window (after
   * it, up to {@code runDate}).
   */
  public record Split(Dataset<Row> fit, Dataset<Row> window) {}

  public static Split split(Dataset<Row> lines, LocalDate cutoff, LocalDate runDate) {
    Column day = to_date(col(Columns.ORDER_TS));
    return new Split(lines.where(day.leq(lit(java.sql.Date.valueOf(cutoff)))),
        lines.where(day.gt(lit(java.sql.Date.valueOf(cutoff))).and(day.leq(lit(java.sql.Date.valueOf(runDate))))));
  }

  /**
   * What every recommender reads of some lines, aggregated once: the lines per customer and item ({@code item},
   * customer_id and the implicit feedback's strength) and each customer's distinct items (customer_id,
   * {@value #ITEMS}). A caller that asks several questions of one history persists both ({@link #persist}).
   */
  public record History(Dataset<Row> interactions, Dataset<Row> owned) {
    public History persist() {
      return new History(interactions.persist(StorageLevel.MEMORY_AND_DISK()),
          owned.persist(StorageLevel.MEMORY_AND_DISK()));
    }

    public void unpersist() {
      interactions.unpersist();
      owned.unpersist();
    }
  }

  /** The history of {@code lines} (customer_id, the item column): two aggregations, one of them of the other. */
  public History history(Dataset<Row> lines) {
    Dataset<Row> interactions = lines.where(col(item).isNotNull())
        .groupBy(col(Columns.CUSTOMER_ID), col(item).cast("string").as(item))
        .agg(org.apache.spark.sql.functions.count(lit(1)).as(LINES));
    return new History(interactions, interactions.groupBy(col(Columns.CUSTOMER_ID))
        .agg(collect_set(col(item)).as(ITEMS)));
  }

  /** Each customer's distinct items: customer_id, {@value #ITEMS}. */
  public Dataset<Row> itemsOf(Dataset<Row> lines) {
    return history(lines).owned();
  }

  /**
   * The evaluation's customers: those who bought, in the window, an item they had not bought before it; with the
   * recommendations of {@code recommended} (customer_id, {@value #ITEMS}; an absent customer has an empty list).
   * The columns {@link RankingQuality#perCustomer} takes.
   *
   * @param before the history up to the cut-off; {@code window} the history after it
   */
  public Dataset<Row> newPurchases(History before, History window, Dataset<Row> recommended) {
    Dataset<Row> owned = before.owned().withColumnRenamed(ITEMS, "__before");
    Dataset<Row> bought = window.owned().join(owned, new String[] {Columns.CUSTOMER_ID}, "left")
        .select(col(Columns.CUSTOMER_ID), array_except(col(ITEMS), coalesce(col("__before"), NONE))
            .as(RankingQuality.BOUGHT))
        .where(size(col(RankingQuality.BOUGHT)).gt(0));
    return bought.join(recommended, new String[] {Columns.CUSTOMER_ID}, "left")
        .select(col(Columns.CUSTOMER_ID), coalesce(col(ITEMS), NONE).as(RankingQuality.RECOMMENDED),
            col(RankingQuality.BOUGHT));
  }

  /** Global popularity: the items most customers bought, less each customer's own. */
  public Dataset<Row> popular(History fit, Dataset<Row> customers) {
    List<String> top = fit.interactions().groupBy(col(item)).agg(count(lit(1)).as(BUYERS))
        .orderBy(col(BUYERS).desc(), col(item)).limit(k + SPARE).collectAsList().stream()
        .map(r -> r.getString(0)).toList();
    return notYetBought(customers.select(col(Columns.CUSTOMER_ID)).withColumn("__top",
        lit(top.toArray(String[]::new))), col("__top"), fit);
  }

  /**
   * Popularity within the customer's segment ({@code segment}, a column of {@code customers}), less the customer's
   * own items. A customer without a segment gets none.
   */
  public Dataset<Row> popularInSegment(History fit, Dataset<Row> customers, String segment) {
    Dataset<Row> perSegment = fit.interactions()
        .join(customers.select(col(Columns.CUSTOMER_ID), col(segment)), Columns.CUSTOMER_ID)
        .groupBy(col(segment), col(item))
        .agg(count(lit(1)).as(BUYERS))
        .withColumn(RANK, row_number().over(Window.partitionBy(col(segment)).orderBy(col(BUYERS).desc(),
            col(item))))
        .where(col(RANK).leq(k + SPARE))
        .groupBy(col(segment))
        .agg(org.apache.spark.sql.functions.sort_array(collect_set(org.apache.spark.sql.functions.struct(
            col(RANK), col(item)))).as("__ranked"))
        .select(col(segment), transform(col("__ranked"), r -> r.getField(item)).as("__top"));
    return notYetBought(customers.select(col(Columns.CUSTOMER_ID), col(segment)).join(perSegment, segment),
        col("__top"), fit);
  }

  /**
   * MLlib's implicit ALS on the fit lines (confidence: lines per customer and item), each customer's top items less
   * their own. Customers are numbered by a distributed index (zipWithIndex), items by MLlib's StringIndexer. An empty
   * history (a lake whose every line is after the test's cut-off) has nothing to learn from: no lists, so that every
   * customer gets the fallback's.
   */
  public Dataset<Row> als(History fit, int rank, int iterations, double regParam, double alpha, long seed) {
    if (fit.owned().isEmpty()) {
      return fit.owned().sparkSession().createDataFrame(List.of(), new StructType()
          .add(Columns.CUSTOMER_ID, DataTypes.StringType).add(ITEMS, DataTypes.createArrayType(DataTypes.StringType)));
    }
    Dataset<Row> strength = fit.interactions().withColumn(LINES, col(LINES).cast("float"));
    Dataset<Row> users = numbered(fit.owned().select(col(Columns.CUSTOMER_ID)));
    org.apache.spark.ml.feature.StringIndexerModel items = new org.apache.spark.ml.feature.StringIndexer()
        .setInputCol(item).setOutputCol(ITEM_INDEX).setStringOrderType("alphabetAsc").fit(strength);
    Dataset<Row> ratings = items.transform(strength.join(users, Columns.CUSTOMER_ID))
        .withColumn(ITEM_INDEX, col(ITEM_INDEX).cast("int"));
    // MLlib's 10 blocks by default; fewer where the session shuffles into fewer partitions (a laptop, a test)
    int blocks = Math.min(10, Integer.parseInt(strength.sparkSession().conf().get("spark.sql.shuffle.partitions")));
    ALSModel model = new ALS().setNumBlocks(blocks).setImplicitPrefs(true).setRank(rank).setMaxIter(iterations)
        .setRegParam(regParam).setAlpha(alpha).setSeed(seed).setUserCol(USER).setItemCol(ITEM_INDEX).setRatingCol(LINES)
        .setColdStartStrategy("drop").fit(ratings);
    String[] labels = items.labelsArray()[0];
    Column itemName = lit(labels);
    Dataset<Row> recommended = model.recommendForUserSubset(users.select(col(USER)), k + SPARE)
        .join(users, USER)
        .select(col(Columns.CUSTOMER_ID), transform(col("recommendations"),
            r -> org.apache.spark.sql.functions.element_at(itemName, r.getField(ITEM_INDEX).plus(1))).as("__top"));
    return notYetBought(recommended, col("__top"), fit);
  }

  /** {@code candidates} (ranked) less the customer's own items of {@code fit}, cut at k. */
  private Dataset<Row> notYetBought(Dataset<Row> customers, Column candidates, History fit) {
    Dataset<Row> own = fit.owned().withColumnRenamed(ITEMS, "__own");
    return customers.join(own, new String[] {Columns.CUSTOMER_ID}, "left")
        .select(col(Columns.CUSTOMER_ID), slice(array_except(candidates, coalesce(col("__own"), NONE)), 1, k)
            .as(ITEMS));
  }

  /**
   * The customers numbered 0, 1, ... in customer_id order (a sort, then zipWithIndex's one Spark job), as MLlib's ALS
   * needs int ids. The numbering is read three times (the ratings, the users to recommend for, the way back to the
   * ids), and each read may compute it again: sorted by a unique key, every computation numbers alike, which the order
   * of a shuffle's output would not.
   */
  private static Dataset<Row> numbered(Dataset<Row> customers) {
    StructType schema = new StructType().add(Columns.CUSTOMER_ID, DataTypes.StringType).add(USER,
        DataTypes.IntegerType);
    return customers.sparkSession().createDataFrame(customers.orderBy(col(Columns.CUSTOMER_ID)).javaRDD()
        .zipWithIndex()
        .map(pair -> RowFactory.create(pair._1().getString(0), Math.toIntExact(pair._2()))), schema);
  }
}
