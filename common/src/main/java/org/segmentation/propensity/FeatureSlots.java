package org.segmentation.propensity;

import java.util.ArrayList;
import java.util.List;
import org.apache.spark.ml.PipelineModel;
import org.apache.spark.ml.Transformer;
import org.apache.spark.ml.feature.Bucketizer;
import org.apache.spark.ml.feature.CountVectorizerModel;
import org.apache.spark.ml.feature.StringIndexerModel;
import org.segmentation.clustering.FeaturePreparation;
import org.segmentation.config.ClusteringSettings.Feature;
import org.segmentation.config.ClusteringSettings.Transform;

/**
 * The names of the prepared feature vector's slots, in {@link FeaturePreparation}'s order: the numeric features
 * ({@code frequency}), then their missing indicators ({@code frequency (missing)}), then per categorical feature one
 * slot per value ({@code region=North}; a value not seen in training is {@code region=(unseen)}), per band
 * ({@code income band 2}) and per tag ({@code interests:jazz}). Read from the fitted stages, so that a weight can be
 * read as "what this value does".
 */
final class FeatureSlots {
  private FeatureSlots() {}

  /**
   * @param fitted the fitted preparation (and learner)
   * @param size the vector's size, as the learner saw it: when the names found do not add up to it (a preparation
   *     this class does not know), the slots are named by position ({@code slot_0}, ...)
   */
  static List<String> of(PipelineModel fitted, List<Feature> features, int size) {
    List<String> names = new ArrayList<>();
    List<String> indicators = new ArrayList<>();
    for (Feature f : features) {
      if (f.transform().numeric()) {
        names.add(f.name());
        if (f.missingIndicator()) {
          indicators.add(f.name() + " (missing)");
        }
      }
    }
    names.addAll(indicators);
    for (Feature f : features) {
      String input = "__in_" + f.name();
      if (f.transform() == Transform.ONE_HOT) {
        for (Transformer stage : fitted.stages()) {
          if (stage instanceof StringIndexerModel indexer && input.equals(indexer.getInputCol())) {
            for (String label : indexer.labelsArray()[0]) {
              names.add(f.name() + "=" + label);
            }
            // the indexer's slot for a value not seen in training, then the encoder's for an index beyond those
            names.add(f.name() + "=(unseen)");
            names.add(f.name() + "=(invalid)");
          }
        }
      } else if (f.transform() == Transform.BUCKETIZE) {
        for (Transformer stage : fitted.stages()) {
          if (stage instanceof Bucketizer bands && input.equals(bands.getInputCol())) {
            for (int band = 0; band < bands.getSplits().length - 1; band++) {
              names.add(f.name() + " band " + (band + 1));
            }
            names.add(f.name() + " (missing)");
            names.add(f.name() + " (invalid)");
          }
        }
      } else if (f.transform() == Transform.MULTI_HOT) {
        for (Transformer stage : fitted.stages()) {
          if (stage instanceof CountVectorizerModel tags && input.equals(tags.getInputCol())) {
            for (String tag : tags.vocabulary()) {
              names.add(f.name() + ":" + tag);
            }
          }
        }
      }
    }
    if (names.size() == size) {
      return names;
    }
    List<String> byPosition = new ArrayList<>();
    for (int i = 0; i < size; i++) {
      byPosition.add("slot_" + i);
    }
    return byPosition;
  }
}
