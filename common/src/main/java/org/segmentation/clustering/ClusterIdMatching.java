package org.segmentation.clustering;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.count;
import static org.apache.spark.sql.functions.lit;
import static org.segmentation.clustering.ClusteringModel.PREDICTION;

import java.util.ArrayList;
import java.util.List;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.segmentation.schema.Columns;

/**
 * Stable cluster ids across refits. A model publishes each predicted cluster under an id. After a refit, the new
 * clusters are matched to the previous model's ids by the assignment that keeps the most customers in the same id
 * (the Hungarian method on the k x k table of customers scored by both models), so a campaign that targets cluster 3
 * keeps targeting the same kind of customer. Clusters beyond the previous k get new ids. Runs one Spark job; only the
 * k x k counts reach the driver.
 */
final class ClusterIdMatching {
  private ClusterIdMatching() {}

  /** {@code fresh} with the ids of the previous model's clusters they share most customers with. */
  static ClusteringModel matchIds(ClusteringModel fresh, ClusteringModel previous, Dataset<Row> features) {
    Dataset<Row> both = fresh.pipeline().transform(features).select(col(Columns.CUSTOMER_ID), col(PREDICTION))
        .join(new ClusterAssignment(previous).apply(features).select(col(Columns.CUSTOMER_ID),
            col(Columns.CLUSTER_ID)), Columns.CUSTOMER_ID);
    int oldIds = previous.idOfPrediction().stream().mapToInt(Integer::intValue).max().orElse(-1) + 1;
    int size = Math.max(fresh.k(), oldIds);
    double[][] cost = new double[size][size];
    for (Row r : both.groupBy(PREDICTION, Columns.CLUSTER_ID).agg(count(lit(1))).collectAsList()) {
      // more shared customers = lower cost
      cost[((Number) r.get(0)).intValue()][r.getInt(1)] = -r.getLong(2);
    }
    int[] match = OptimalAssignment.minimumCost(cost);
    List<Integer> ids = new ArrayList<>();
    int next = oldIds;
    for (int i = 0; i < fresh.k(); i++) {
      ids.add(match[i] < oldIds ? match[i] : next++);
    }
    return new ClusteringModel(fresh.pipeline(), ids, fresh.silhouetteByK());
  }
}
