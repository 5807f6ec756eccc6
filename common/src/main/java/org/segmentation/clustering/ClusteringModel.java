package org.segmentation.clustering;

import java.util.List;
import java.util.Map;
import org.apache.spark.ml.PipelineModel;

/**
 * A fitted clustering: what {@link ClusteringFit} returns, {@link ClusterAssignment} applies and the model store
 * keeps.
 *
 * @param pipeline the fitted feature stages and estimator
 * @param idOfPrediction the published cluster id of each predicted cluster index
 * @param silhouetteByK silhouette of every candidate k on the sample (one entry when k is fixed)
 */
public record ClusteringModel(PipelineModel pipeline, List<Integer> idOfPrediction,
    Map<Integer, Double> silhouetteByK) {
  /** Internal columns the pipeline adds: the assembled features and the estimator's outputs. */
  static final String FEATURES = "__features";
  static final String PREDICTION = "__prediction";
  static final String PROBABILITY = "__probability";

  public ClusteringModel {
    idOfPrediction = List.copyOf(idOfPrediction);
    silhouetteByK = Map.copyOf(silhouetteByK);
  }

  public int k() {
    return idOfPrediction.size();
  }

  /** The fitted estimator, last stage of the pipeline. */
  org.apache.spark.ml.Transformer estimator() {
    return pipeline.stages()[pipeline.stages().length - 1];
  }
}
