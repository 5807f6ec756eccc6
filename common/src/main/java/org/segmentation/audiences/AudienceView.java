package org.segmentation.audiences;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.lit;

import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.segmentation.clv.ClvScoring;
import org.segmentation.config.JobSettings;
import org.segmentation.config.PropensitySettings;
import org.segmentation.config.UpliftSettings;
import org.segmentation.features.CustomerFeatures;
import org.segmentation.io.TableCatalog;
import org.segmentation.schema.Columns;

/**
 * What audience filters, orders and fields read: the night's customer_segments rows with the customer features
 * customer_segments does not carry (age, gender, country, city, interests, marketing_consent, the declared profile
 * attributes by name, line shares ...) and the propensity and uplift models' scores. One row per customer.
 */
public final class AudienceView {
  private static final String FEATURE_ID = "__feature_customer_id";
  private static final String SCORE_ID = "__score_customer_id";

  private AudienceView() {}

  /**
   * customer_segments left-joined with the features it lacks and, when models are scored, each model's columns by
   * customer id: a propensity model's score and decile ({@code propensity_<model>}, {@code propensity_decile_<model>}),
   * an uplift model's score, decile and budgeted targeting ({@code uplift_<model>}, {@code uplift_decile_<model>},
   * {@code uplift_targeted_<model>}).
   *
   * @param scores each kind of model's columns with customer_id, one row per customer (empty: no models tonight)
   */
  public static Dataset<Row> of(Dataset<Row> customerSegments, Dataset<Row> features, List<Dataset<Row>> scores) {
    Dataset<Row> view = of(customerSegments, features);
    for (Dataset<Row> kind : scores) {
      Dataset<Row> byCustomer = kind.withColumnRenamed(Columns.CUSTOMER_ID, SCORE_ID);
      view = view.join(byCustomer, view.col(Columns.CUSTOMER_ID).equalTo(byCustomer.col(SCORE_ID)), "left_outer")
          .drop(SCORE_ID);
    }
    return view;
  }

  /** customer_segments left-joined with the features it lacks, by customer id. */
  private static Dataset<Row> of(Dataset<Row> customerSegments, Dataset<Row> features) {
    Set<String> segmentColumns = Set.of(customerSegments.columns());
    List<Column> extra = new ArrayList<>(List.of(col(Columns.CUSTOMER_ID).as(FEATURE_ID)));
    for (String column : features.columns()) {
      if (!segmentColumns.contains(column)) {
        extra.add(col("`" + column + "`"));
      }
    }
    Dataset<Row> more = features.select(extra.toArray(Column[]::new));
    return customerSegments.join(more, customerSegments.col(Columns.CUSTOMER_ID).equalTo(more.col(FEATURE_ID)),
        "left_outer").drop(FEATURE_ID);
  }

  /** The view's schema over empty inputs (no Spark job): what check_rules compiles the audiences against. */
  public static Dataset<Row> empty(SparkSession spark, JobSettings settings, LocalDate runDate) {
    Dataset<Row> features = ClvScoring.unscored(
        CustomerFeatures.of(settings, runDate).emptyPlan(spark, settings));
    Dataset<Row> segments = spark.createDataFrame(List.of(),
        TableCatalog.customerSegments(settings.profiles().attributeStruct()).schema());
    List<Column> columns = new ArrayList<>(List.of(lit(null).cast("string").as(Columns.CUSTOMER_ID)));
    if (settings.propensity().enabled()) {
      for (PropensitySettings.Model model : settings.propensity().models()) {
        columns.add(lit(null).cast("double").as(Columns.propensityOf(model.name())));
        columns.add(lit(null).cast("int").as(Columns.propensityDecileOf(model.name())));
      }
    }
    if (settings.uplift().enabled()) {
      for (UpliftSettings.Model model : settings.uplift().models()) {
        columns.add(lit(null).cast("double").as(Columns.upliftOf(model.name())));
        columns.add(lit(null).cast("int").as(Columns.upliftDecileOf(model.name())));
        columns.add(lit(null).cast("boolean").as(Columns.upliftTargetedOf(model.name())));
      }
    }
    if (settings.affinity().enabled() && settings.affinity().recommendations().enabled()) {
      columns.add(lit(null).cast("array<string>").as(Columns.NEXT_BEST_PRODUCTS));
    }
    return of(segments, features,
        columns.size() == 1 ? List.of() : List.of(segments.select(columns.toArray(Column[]::new))));
  }
}
