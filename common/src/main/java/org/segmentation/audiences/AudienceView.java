package org.segmentation.audiences;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.lit;

import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.segmentation.clv.ClvScoring;
import org.segmentation.config.JobSettings;
import org.segmentation.config.PropensitySettings;
import org.segmentation.features.CustomerFeatures;
import org.segmentation.io.TableCatalog;
import org.segmentation.schema.Columns;

/**
 * What audience filters, orders and fields read: the night's customer_segments rows with the customer features
 * customer_segments does not carry (age, gender, country, city, interests, marketing_consent, the declared profile
 * attributes by name, line shares ...) and the propensity models' scores and deciles. One row per customer.
 */
public final class AudienceView {
  private static final String FEATURE_ID = "__feature_customer_id";
  private static final String SCORE_ID = "__score_customer_id";

  private AudienceView() {}

  /**
   * customer_segments left-joined with the features it lacks and, when models are scored, each model's propensity
   * and decile ({@code propensity_<model>}, {@code propensity_decile_<model>}), by customer id.
   *
   * @param scores customer_id and the models' columns, one row per customer (empty: no models tonight)
   */
  public static Dataset<Row> of(Dataset<Row> customerSegments, Dataset<Row> features,
      Optional<Dataset<Row>> scores) {
    Dataset<Row> view = of(customerSegments, features);
    if (scores.isEmpty()) {
      return view;
    }
    Dataset<Row> byCustomer = scores.get().withColumnRenamed(Columns.CUSTOMER_ID, SCORE_ID);
    return view.join(byCustomer, view.col(Columns.CUSTOMER_ID).equalTo(byCustomer.col(SCORE_ID)), "left_outer")
        .drop(SCORE_ID);
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
    Optional<Dataset<Row>> scores = Optional.empty();
    if (settings.propensity().enabled()) {
      List<Column> columns = new ArrayList<>(List.of(lit(null).cast("string").as(Columns.CUSTOMER_ID)));
      for (PropensitySettings.Model model : settings.propensity().models()) {
        columns.add(lit(null).cast("double").as(Columns.propensityOf(model.name())));
        columns.add(lit(null).cast("int").as(Columns.propensityDecileOf(model.name())));
      }
      scores = Optional.of(segments.select(columns.toArray(Column[]::new)));
    }
    return of(segments, features, scores);
  }
}
