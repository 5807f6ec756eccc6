package org.segmentation.propensity;

import static org.apache.spark.sql.functions.coalesce;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.sum;
import static org.apache.spark.sql.functions.to_date;
import static org.apache.spark.sql.functions.when;

import java.time.LocalDate;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.segmentation.config.JobSettings;
import org.segmentation.config.PropensitySettings;
import org.segmentation.config.PropensitySettings.LabelKind;
import org.segmentation.config.PropensitySettings.Model;
import org.segmentation.features.CustomerFeatures;
import org.segmentation.run.ConfigurationException;
import org.segmentation.schema.Columns;
import org.segmentation.schema.SqlCompiler;

/**
 * The customers a model learns from, each with its features and {@value PropensityFit#LABEL} (1.0 or 0.0). Pure plans:
 * no Spark job.
 *
 * <p>A purchase label looks into the future, so it is learned from the past: the features are computed as of the
 * window's start (run date − window-days, from the purchase lines of that day and before, exactly as a night of that
 * date computes them) and the label from the counted orders after it, up to the run date. Nothing a customer did in
 * the label window can reach the features the model learns from; the model then scores tonight's features, which look
 * as far ahead of tonight as the training features looked ahead of the window's start. (The profiles have no history:
 * a profile attribute is as it stands tonight.)
 *
 * @param settings the night's settings (the features' definitions)
 * @param runDate the night
 */
public record TrainingRows(JobSettings settings, LocalDate runDate) {
  private static final String LABEL_CUSTOMER = "__label_customer";

  /** Where a model's label window starts: the training features are as of this day. */
  public LocalDate featuresAsOf(Model model) {
    return model.kind() == LabelKind.PURCHASE ? runDate.minusDays(model.windowDays()) : runDate;
  }

  /**
   * A purchase model's customers: everyone known on the window's start (a purchase then or before, or a profile), with
   * the features of that day; label 1 when they have a counted order (net amount above 0, of the lines matching the
   * model's condition) in (start, run date].
   *
   * @param purchases accepted purchases (canonical columns)
   * @param profiles accepted profiles, or NULL
   */
  public Dataset<Row> purchase(Model model, Dataset<Row> purchases, Dataset<Row> profiles) {
    LocalDate start = featuresAsOf(model);
    Dataset<Row> asOfStart = CustomerFeatures.of(settings, start).apply(purchases, profiles);
    Column day = to_date(col(Columns.ORDER_TS));
    Column inWindow = day.gt(lit(java.sql.Date.valueOf(start))).and(day.leq(lit(java.sql.Date.valueOf(runDate))));
    Dataset<Row> lines = purchases.where(inWindow);
    if (!model.condition().isEmpty()) {
      lines = lines.where(condition(lines, model.condition(), model, "lines"));
    }
    Dataset<Row> buyers = lines.groupBy(col(Columns.CUSTOMER_ID), col(Columns.ORDER_ID))
        .agg(sum(col(Columns.AMOUNT)).as("__order_net"))
        .where(col("__order_net").gt(0))
        .select(col(Columns.CUSTOMER_ID).as(LABEL_CUSTOMER)).distinct();
    return asOfStart.join(buyers, asOfStart.col(Columns.CUSTOMER_ID).equalTo(buyers.col(LABEL_CUSTOMER)), "left")
        .withColumn(PropensityFit.LABEL, when(col(LABEL_CUSTOMER).isNotNull(), lit(1.0)).otherwise(lit(0.0)))
        .drop(LABEL_CUSTOMER);
  }

  /**
   * A column or lookalike model's customers, from tonight's: a column label where the condition is not NULL; a
   * lookalike among the customers with a purchase (the seed is what buyers did; its features are the profile's, so
   * that it scores prospects).
   *
   * @param customers tonight's customers: features, RFM, lifetime value and cluster
   */
  public Dataset<Row> ofTonight(Model model, Dataset<Row> customers) {
    String key = model.kind() == LabelKind.COLUMN ? "column" : "seed";
    Column label = condition(customers, model.condition(), model, key).cast("double");
    if (model.kind() == LabelKind.LOOKALIKE) { // a buyer outside the seed (NULL: not in it) is a negative
      return customers.where(col(Columns.FREQUENCY).gt(0))
          .withColumn(PropensityFit.LABEL, coalesce(label, lit(0.0)));
    }
    return customers.withColumn(PropensityFit.LABEL, label).where(col(PropensityFit.LABEL).isNotNull());
  }

  /** The condition as a column, checked against the rows' schema (no job): a bad one is a configuration error. */
  private static Column condition(Dataset<Row> rows, String sql, Model model, String key) {
    Column condition = SqlCompiler.parse(sql).cast("boolean");
    SqlCompiler.problem(rows, condition).ifPresent(problem -> {
      throw new ConfigurationException(JobSettings.keyPath(PropensitySettings.BLOCK, PropensitySettings.MODELS)
          + " (" + model.name() + ")." + key + ": \"" + sql + "\" is not a condition over "
          + ("lines".equals(key) ? "the purchase lines" : "tonight's customers") + ": " + problem);
    });
    return condition;
  }
}
