package org.segmentation.clustering;

import static org.segmentation.clustering.ClusteringModel.FEATURES;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.apache.spark.ml.Pipeline;
import org.apache.spark.ml.PipelineStage;
import org.apache.spark.ml.feature.CountVectorizer;
import org.apache.spark.ml.feature.Imputer;
import org.apache.spark.ml.feature.OneHotEncoder;
import org.apache.spark.ml.feature.QuantileDiscretizer;
import org.apache.spark.ml.feature.SQLTransformer;
import org.apache.spark.ml.feature.StandardScaler;
import org.apache.spark.ml.feature.StringIndexer;
import org.apache.spark.ml.feature.VectorAssembler;
import org.apache.spark.sql.types.ArrayType;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.NumericType;
import org.apache.spark.sql.types.StructType;
import org.segmentation.config.ClusteringSettings;
import org.segmentation.config.ClusteringSettings.Feature;
import org.segmentation.config.ClusteringSettings.Transform;
import org.segmentation.config.JobSettings;
import org.segmentation.run.ConfigurationException;

/**
 * The feature stages of the clustering pipeline (everything before the estimator), from the configured features:
 * SQLTransformer for log1p and missing indicators, Imputer (median), VectorAssembler, StandardScaler,
 * StringIndexer + OneHotEncoder, QuantileDiscretizer + OneHotEncoder for bands, CountVectorizer for tag lists.
 */
public final class FeaturePreparation {
  private FeaturePreparation() {}

  /**
   * Checks, before any data is read, that every configured feature exists in the customer features and has a type its
   * transform accepts (as MLlib's transformSchema does).
   */
  public static void check(StructType featureSchema, ClusteringSettings settings) {
    check(featureSchema, settings.features(), JobSettings.keyPath(ClusteringSettings.BLOCK,
        ClusteringSettings.FEATURES));
  }

  /** The same check of any list of features (a propensity model's), named in messages by {@code keyPath}. */
  public static void check(StructType featureSchema, List<Feature> features, String keyPath) {
    List<String> problems = new ArrayList<>();
    List<String> known = List.of(featureSchema.fieldNames());
    for (int i = 0; i < features.size(); i++) {
      Feature f = features.get(i);
      String key = keyPath + "[" + i + "] (" + f.name() + ")";
      if (!known.contains(f.name())) {
        problems.add(key + ": no such customer feature (known: " + String.join(", ", known) + ")");
        continue;
      }
      DataType type = featureSchema.apply(f.name()).dataType();
      boolean tags = type instanceof ArrayType;
      if (f.transform().numeric() && !(type instanceof NumericType)) {
        problems.add(key + ": transform " + f.transform().name().toLowerCase(Locale.ROOT)
            + " needs a numeric feature, got " + type.simpleString());
      } else if (f.transform() == Transform.MULTI_HOT && !tags) {
        problems.add(key + ": transform multi-hot needs a list of tags, got " + type.simpleString());
      } else if (f.transform() == Transform.ONE_HOT && tags) {
        problems.add(key + ": transform one-hot needs a single value, got a list: use multi-hot");
      }
    }
    if (!problems.isEmpty()) {
      throw new ConfigurationException(problems);
    }
  }

  /** The unfitted feature stages, ending in the assembled {@code __features} vector. */
  static Pipeline pipeline(ClusteringSettings settings) {
    return pipeline(settings.features());
  }

  /** The unfitted stages of any list of features (a propensity model's), ending in {@code __features}. */
  public static Pipeline pipeline(List<Feature> features) {
    List<PipelineStage> stages = new ArrayList<>();
    List<String> prepared = new ArrayList<>();
    List<String> numericIn = new ArrayList<>();
    List<String> indicators = new ArrayList<>();
    List<String> vectors = new ArrayList<>();
    for (Feature f : features) {
      String name = "`" + f.name() + "`";
      switch (f.transform()) {
        case STANDARDIZE, LOG1P -> {
          String value = f.transform() == Transform.LOG1P
              ? "log1p(greatest(cast(" + name + " as double), 0D))" : "cast(" + name + " as double)";
          prepared.add(value + " AS `__in_" + f.name() + "`");
          numericIn.add("__in_" + f.name());
          if (f.missingIndicator()) {
            prepared.add("if(" + name + " is null, 1D, 0D) AS `__missing_" + f.name() + "`");
            indicators.add("__missing_" + f.name());
          }
        }
        case ONE_HOT -> prepared.add("coalesce(cast(" + name + " as string), '(missing)') AS `__in_" + f.name() + "`");
        case MULTI_HOT -> prepared.add("coalesce(" + name + ", array()) AS `__in_" + f.name() + "`");
        // a missing value becomes NaN, which the discretizer ("keep") puts in a band of its own
        case BUCKETIZE -> prepared.add("coalesce(cast(" + name + " as double), double('NaN')) AS `__in_" + f.name()
            + "`");
        default -> throw new IllegalStateException("unknown transform " + f.transform());
      }
    }
    stages.add(new SQLTransformer().setStatement("SELECT *, " + String.join(", ", prepared) + " FROM __THIS__"));
    if (!numericIn.isEmpty()) {
      String[] imputed = numericIn.stream().map(n -> n.replace("__in_", "__imputed_")).toArray(String[]::new);
      stages.add(new Imputer().setStrategy("median").setInputCols(numericIn.toArray(String[]::new))
          .setOutputCols(imputed));
      List<String> numeric = new ArrayList<>(List.of(imputed));
      numeric.addAll(indicators);
      stages.add(new VectorAssembler().setInputCols(numeric.toArray(String[]::new)).setOutputCol("__numeric"));
      stages.add(new StandardScaler().setWithMean(true).setWithStd(true).setInputCol("__numeric")
          .setOutputCol("__numeric_scaled"));
      vectors.add("__numeric_scaled");
    }
    for (Feature f : features) {
      if (f.transform() == Transform.ONE_HOT) {
        stages.add(new StringIndexer().setInputCol("__in_" + f.name()).setOutputCol("__index_" + f.name())
            .setHandleInvalid("keep").setStringOrderType("frequencyDesc"));
        stages.add(new OneHotEncoder().setInputCol("__index_" + f.name()).setOutputCol("__onehot_" + f.name())
            .setDropLast(false).setHandleInvalid("keep"));
        vectors.add("__onehot_" + f.name());
      } else if (f.transform() == Transform.BUCKETIZE) {
        stages.add(new QuantileDiscretizer().setInputCol("__in_" + f.name()).setOutputCol("__band_" + f.name())
            .setNumBuckets(f.buckets()).setHandleInvalid("keep"));
        stages.add(new OneHotEncoder().setInputCol("__band_" + f.name()).setOutputCol("__bands_" + f.name())
            .setDropLast(false).setHandleInvalid("keep"));
        vectors.add("__bands_" + f.name());
      } else if (f.transform() == Transform.MULTI_HOT) {
        stages.add(new CountVectorizer().setInputCol("__in_" + f.name()).setOutputCol("__tags_" + f.name())
            .setBinary(true));
        vectors.add("__tags_" + f.name());
      }
    }
    stages.add(new VectorAssembler().setInputCols(vectors.toArray(String[]::new)).setOutputCol(FEATURES));
    return new Pipeline().setStages(stages.toArray(PipelineStage[]::new));
  }
}
