package org.segmentation.audiences;

import static org.apache.spark.sql.functions.col;

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
import org.segmentation.features.CustomerFeatures;
import org.segmentation.io.TableCatalog;
import org.segmentation.schema.Columns;

/**
 * What audience filters, orders and fields read: the night's customer_segments rows with the customer features
 * customer_segments does not carry (age, gender, country, city, interests, marketing_consent, the declared profile
 * attributes by name, line shares ...). One row per customer.
 */
public final class AudienceView {
  private static final String FEATURE_ID = "__feature_customer_id";

  private AudienceView() {}

  /** customer_segments left-joined with the features it lacks, by customer id. */
  public static Dataset<Row> of(Dataset<Row> customerSegments, Dataset<Row> features) {
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
    return of(segments, features);
  }
}
