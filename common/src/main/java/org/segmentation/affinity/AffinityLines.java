package org.segmentation.affinity;

import static org.apache.spark.sql.functions.coalesce;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.to_date;

import java.time.LocalDate;
import java.util.List;
import java.util.Optional;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.segmentation.config.AffinitySettings;
import org.segmentation.config.JobSettings;
import org.segmentation.input.ValidatedInput;
import org.segmentation.input.ValidatedInputs;
import org.segmentation.run.ConfigurationException;
import org.segmentation.schema.CanonicalColumn;
import org.segmentation.schema.Columns;
import org.segmentation.schema.SqlCompiler;

/**
 * The purchase lines the affinity steps read: accepted, ordered on or before the run date, sales only (a return is
 * not a preference), with a product's name and category from the products input where the line has none, and without
 * the lines of {@code affinity.exclude} (postage, fees: kept in every revenue figure elsewhere). Columns:
 * customer_id, order_id, order_ts, amount, product_category, product_id, product_name.
 */
public final class AffinityLines {
  private static final String CATALOGUE = "__catalogue_";

  private AffinityLines() {}

  public static Dataset<Row> of(ValidatedInputs inputs, AffinitySettings settings, LocalDate runDate) {
    Dataset<Row> lines = inputs.purchases().accepted()
        .where(to_date(col(Columns.ORDER_TS)).leq(lit(java.sql.Date.valueOf(runDate)))
            .and(col(Columns.AMOUNT).gt(0)));
    Column productId = hasColumn(lines, Columns.PRODUCT_ID) ? col(Columns.PRODUCT_ID)
        : lit(null).cast("string");
    Column productName = hasColumn(lines, Columns.PRODUCT_NAME) ? col(Columns.PRODUCT_NAME)
        : lit(null).cast("string");
    lines = lines.select(col(Columns.CUSTOMER_ID), col(Columns.ORDER_ID), col(Columns.ORDER_TS), col(Columns.AMOUNT),
        col(Columns.PRODUCT_CATEGORY), productId.as(Columns.PRODUCT_ID), productName.as(Columns.PRODUCT_NAME));
    Optional<ValidatedInput> products = inputs.products();
    if (products.isPresent()) {
      Dataset<Row> catalogue = products.get().accepted().select(
          col(Columns.PRODUCT_ID).as(CATALOGUE + Columns.PRODUCT_ID),
          col(Columns.PRODUCT_NAME).as(CATALOGUE + Columns.PRODUCT_NAME),
          col(Columns.PRODUCT_CATEGORY).as(CATALOGUE + Columns.PRODUCT_CATEGORY));
      // one row per product id (InputValidation.products): the join never multiplies a line
      lines = lines.join(catalogue, col(Columns.PRODUCT_ID).equalTo(col(CATALOGUE + Columns.PRODUCT_ID)), "left")
          .select(col(Columns.CUSTOMER_ID), col(Columns.ORDER_ID), col(Columns.ORDER_TS), col(Columns.AMOUNT),
              coalesce(col(Columns.PRODUCT_CATEGORY), col(CATALOGUE + Columns.PRODUCT_CATEGORY))
                  .as(Columns.PRODUCT_CATEGORY),
              col(Columns.PRODUCT_ID),
              coalesce(col(Columns.PRODUCT_NAME), col(CATALOGUE + Columns.PRODUCT_NAME)).as(Columns.PRODUCT_NAME));
    }
    if (!settings.exclude().isEmpty()) {
      // NULL (a line the condition cannot judge) is kept: only what the condition names is left out
      lines = lines.where(coalesce(SqlCompiler.parse(settings.exclude()).cast("boolean"), lit(false)).unary_$bang());
    }
    return lines;
  }

  /**
   * Checks, before any data is read, that the affinity block names customer_segments columns as its dimensions and
   * segment, and that {@code affinity.exclude} compiles over the purchase columns (exit 2 with the key otherwise).
   */
  public static void check(SparkSession spark, JobSettings settings) {
    AffinitySettings affinity = settings.affinity();
    List<String> columns = new java.util.ArrayList<>(org.segmentation.io.TableCatalog.CUSTOMER_SEGMENTS.columnNames());
    settings.profiles().attributes().forEach(a -> columns.add(Columns.PROFILE_ATTRIBUTES + "." + a.name()));
    List<String> unknown = affinity.dimensions().stream().filter(d -> !columns.contains(d)).toList();
    if (!unknown.isEmpty()) {
      throw new ConfigurationException(JobSettings.keyPath(AffinitySettings.BLOCK, AffinitySettings.DIMENSIONS)
          + ": " + unknown + " are not customer_segments columns (for example rfm_segment, cluster_name, clv_tier, "
          + Columns.PROFILE_ATTRIBUTES + ".<a declared profile attribute>)");
    }
    if (affinity.recommendations().enabled() && !columns.contains(affinity.recommendations().segment())) {
      throw new ConfigurationException(JobSettings.keyPath(AffinitySettings.BLOCK, "recommendations", "segment")
          + ": \"" + affinity.recommendations().segment() + "\" is not a customer_segments column");
    }
    if (affinity.exclude().isEmpty()) {
      return;
    }
    List<CanonicalColumn> schema = settings.purchases().schema();
    org.apache.spark.sql.types.StructType struct = new org.apache.spark.sql.types.StructType();
    for (CanonicalColumn c : schema) {
      struct = struct.add(c.name(), c.type());
    }
    Dataset<Row> empty = spark.createDataFrame(List.of(), struct);
    SqlCompiler.problem(empty, SqlCompiler.parse(affinity.exclude()).cast("boolean")).ifPresent(problem -> {
      throw new ConfigurationException(JobSettings.keyPath(AffinitySettings.BLOCK, "exclude") + ": \""
          + affinity.exclude() + "\" is not a condition over the purchase columns: " + problem);
    });
  }

  private static boolean hasColumn(Dataset<Row> rows, String column) {
    return java.util.Arrays.asList(rows.columns()).contains(column);
  }
}
