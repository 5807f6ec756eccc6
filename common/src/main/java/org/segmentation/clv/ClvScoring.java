package org.segmentation.clv;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.datediff;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.pow;
import static org.apache.spark.sql.functions.udf;
import static org.apache.spark.sql.functions.when;

import java.time.LocalDate;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.api.java.UDF3;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.segmentation.config.ClvSettings;
import org.segmentation.io.TableCatalog;
import org.segmentation.pipeline.Stage;
import org.segmentation.schema.Columns;

/**
 * Scores every customer with a purchase with the night's lifetime-value parameters (a projection): p_alive,
 * expected_purchases over each horizon, expected_order_value and predicted_clv. Customers without a purchase get
 * NULLs. The deciles and tiers need the night's cut points and come after ({@link ClvDeciles}).
 *
 * <p>P(alive) and the expected order value are built-in Spark expressions. The expected purchases need Gauss's
 * hypergeometric function, which Spark SQL does not have, so they come from one UDF per customer that also sums the
 * discounted monthly purchases of predicted_clv: predicted_clv = margin x expected value x that sum, where month i
 * contributes (E[Y(i months)] - E[Y((i - 1) months)]) / (1 + monthly-discount-rate)^i.
 */
public record ClvScoring(ClvModel model, ClvSettings settings, LocalDate runDate) implements Stage {
  private static final String SCORES = "__clv_scores";
  private static final String DISCOUNTED = "discounted_purchases";
  private static final StructType SCORES_TYPE = new StructType()
      .add(Columns.EXPECTED_PURCHASES, DataTypes.createMapType(DataTypes.IntegerType, DataTypes.DoubleType))
      .add(DISCOUNTED, DataTypes.DoubleType);

  @Override
  public Dataset<Row> apply(Dataset<Row> customers) {
    Column hasHistory = col(Columns.PURCHASE_DAYS).gt(0);
    double unit = settings.timeUnit().days();
    Column x = repeatPurchases();
    Column tx = daysFirstToLast().divide(unit);
    Column T = daysSinceFirst(runDate).divide(unit);
    BgNbd purchases = model.purchases();
    GammaGamma spend = model.spend();

    Column oddsDroppedOut = lit(purchases.a()).divide(x.plus(purchases.b() - 1))
        .multiply(pow(T.plus(purchases.alpha()).divide(tx.plus(purchases.alpha())), x.plus(purchases.r())));
    Column pAlive = when(x.equalTo(0), lit(1.0)).otherwise(lit(1.0).divide(oddsDroppedOut.plus(1)));
    Column ownWeight = x.multiply(spend.p()).divide(x.multiply(spend.p()).plus(spend.q() - 1));
    Column expectedValue = lit(1).minus(ownWeight).multiply(spend.populationMeanValue())
        .plus(ownWeight.multiply(when(x.gt(0), col(Columns.REPEAT_PURCHASE_VALUE)).otherwise(0.0)));
    Column scores = udf(new ExpectedPurchases(purchases, settings), SCORES_TYPE)
        .apply(x.cast("double"), tx.cast("double"), T.cast("double"));

    return customers
        .withColumn(SCORES, when(hasHistory, scores))
        .withColumn(Columns.P_ALIVE, when(hasHistory, pAlive))
        .withColumn(Columns.EXPECTED_PURCHASES, col(SCORES).getField(Columns.EXPECTED_PURCHASES))
        .withColumn(Columns.EXPECTED_ORDER_VALUE, when(hasHistory, expectedValue))
        .withColumn(Columns.PREDICTED_CLV, col(SCORES).getField(DISCOUNTED)
            .multiply(col(Columns.EXPECTED_ORDER_VALUE)).multiply(settings.margin()))
        .drop(SCORES);
  }

  /** A customer's x: purchase days after the first. */
  static Column repeatPurchases() {
    return col(Columns.PURCHASE_DAYS).minus(1);
  }

  /** A customer's t_x in days: from the first purchase day to the last. */
  static Column daysFirstToLast() {
    return datediff(col(Columns.LAST_PURCHASE_DATE), col(Columns.FIRST_PURCHASE_DATE));
  }

  /** A customer's T in days: from the first purchase day to the run date. */
  static Column daysSinceFirst(LocalDate runDate) {
    return datediff(lit(java.sql.Date.valueOf(runDate)), col(Columns.FIRST_PURCHASE_DATE));
  }

  /** The lifetime-value columns as typed NULLs: lifetime value off or skipped, and the schema checks. */
  public static Dataset<Row> unscored(Dataset<Row> customers) {
    Dataset<Row> rows = customers;
    for (String column : List.of(Columns.P_ALIVE, Columns.EXPECTED_PURCHASES, Columns.EXPECTED_ORDER_VALUE,
        Columns.PREDICTED_CLV, Columns.CLV_DECILE, Columns.CLV_TIER)) {
      rows = rows.withColumn(column, lit(null).cast(TableCatalog.CUSTOMER_SEGMENTS.schema().apply(column).dataType()));
    }
    return rows;
  }

  /**
   * Per customer (x, t_x, T in the model's unit): the expected repeat purchases over each horizon and the discounted
   * sum of the monthly expected purchases. NULL when a value is not finite (the series did not converge), so no NaN
   * is ever written.
   */
  static final class ExpectedPurchases implements UDF3<Double, Double, Double, Row> {
    private final BgNbd model;
    private final int[] horizonsDays;
    private final double unit;
    private final int months;
    private final double discount;

    ExpectedPurchases(BgNbd model, ClvSettings settings) {
      this.model = model;
      this.horizonsDays = settings.horizonsDays().stream().mapToInt(Integer::intValue).toArray();
      this.unit = settings.timeUnit().days();
      this.months = settings.clvMonths();
      this.discount = settings.monthlyDiscountRate();
    }

    @Override
    public Row call(Double x, Double tx, Double T) {
      if (x == null || tx == null || T == null) {
        return null;
      }
      Map<Integer, Double> horizons = new LinkedHashMap<>();
      for (int days : horizonsDays) {
        double expected = model.conditionalExpectedPurchases(days / unit, x, tx, T);
        if (!Double.isFinite(expected)) {
          return null;
        }
        horizons.put(days, expected);
      }
      double month = ClvSettings.DAYS_PER_MONTH / unit;
      double before = 0;
      double discounted = 0;
      for (int i = 1; i <= months; i++) {
        double upTo = model.conditionalExpectedPurchases(i * month, x, tx, T);
        discounted += (upTo - before) / Math.pow(1 + discount, i);
        before = upTo;
      }
      return Double.isFinite(discounted) ? RowFactory.create(horizons, discounted) : null;
    }
  }
}
