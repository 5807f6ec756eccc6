package org.segmentation.clustering;

import static org.apache.spark.sql.functions.aggregate;
import static org.apache.spark.sql.functions.array;
import static org.apache.spark.sql.functions.array_max;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.element_at;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.sqrt;
import static org.apache.spark.sql.functions.zip_with;
import static org.segmentation.clustering.ClusteringModel.FEATURES;
import static org.segmentation.clustering.ClusteringModel.PREDICTION;
import static org.segmentation.clustering.ClusteringModel.PROBABILITY;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.apache.spark.ml.linalg.Vector;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.segmentation.pipeline.Stage;
import org.segmentation.schema.Columns;

/**
 * Adds {@code cluster_id}, {@code cluster_distance} (KMeans and BisectingKMeans: Euclidean distance to the centroid
 * in the model's scaled feature space; NULL otherwise) and {@code cluster_probability} (GaussianMixture: membership
 * probability of the assigned cluster; NULL otherwise) to customer features. Pure, built-in functions only.
 */
public record ClusterAssignment(ClusteringModel model) implements Stage {

  @Override
  public Dataset<Row> apply(Dataset<Row> features) {
    Dataset<Row> scored = model.pipeline().transform(features);
    Column prediction = col(PREDICTION).cast("int");
    Column[] ids = model.idOfPrediction().stream().map(i -> lit(i)).toArray(Column[]::new);
    Column clusterId = element_at(array(ids), prediction.plus(1));
    Optional<Vector[]> centers = ClusterEstimator.centers(model.estimator());
    Column distance = lit(null).cast("double");
    Column probability = lit(null).cast("double");
    if (centers.isPresent()) {
      Column[] centerArrays = new Column[centers.get().length];
      for (int c = 0; c < centerArrays.length; c++) {
        double[] values = centers.get()[c].toArray();
        Column[] literals = new Column[values.length];
        for (int d = 0; d < values.length; d++) {
          literals[d] = lit(values[d]);
        }
        centerArrays[c] = array(literals);
      }
      Column point = org.apache.spark.ml.functions.vector_to_array(col(FEATURES), "float64");
      Column center = element_at(array(centerArrays), prediction.plus(1));
      distance = sqrt(aggregate(zip_with(point, center, (x, y) -> x.minus(y).multiply(x.minus(y))), lit(0.0),
          (sum, x) -> sum.plus(x)));
    } else {
      probability = array_max(org.apache.spark.ml.functions.vector_to_array(col(PROBABILITY), "float64"));
    }
    List<Column> output = new ArrayList<>();
    for (String column : features.columns()) {
      output.add(col("`" + column + "`"));
    }
    output.add(clusterId.as(Columns.CLUSTER_ID));
    output.add(distance.as(Columns.CLUSTER_DISTANCE));
    output.add(probability.as(Columns.CLUSTER_PROBABILITY));
    return scored.select(output.toArray(Column[]::new));
  }
}
