package org.segmentation.io;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.lit;

import java.io.IOException;
import java.time.Instant;
import java.time.LocalDate;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.spark.ml.PipelineModel;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.segmentation.config.LakeSettings;
import org.segmentation.stage.SegmentClustering;
import scala.jdk.javaapi.CollectionConverters;

/**
 * Fitted clustering models under the lake: the MLlib PipelineModel in
 * {@code <root>/models/clustering/<run_date>/<run_id>}, and
 * one row per saved model in the Delta table {@code cluster_models} (run date, path, the published id of each
 * predicted cluster, the silhouette of each candidate k). The row is appended after the model is written, so a
 * model is only ever found complete.
 */
public final class ModelStore {
  static final StructType REGISTRY = new StructType()
      .add("run_date", DataTypes.DateType, false)
      .add("model_path", DataTypes.StringType, false)
      .add("id_of_prediction", DataTypes.createArrayType(DataTypes.IntegerType), false)
      .add("silhouette_by_k", DataTypes.createMapType(DataTypes.IntegerType, DataTypes.DoubleType), false)
      .add("run_id", DataTypes.StringType, false)
      .add("saved_at", DataTypes.TimestampType, false);
  static final TableSpec CLUSTER_MODELS = new TableSpec("cluster_models", false);

  private final SparkSession spark;
  private final LakeTables tables;
  private final String root;

  public ModelStore(SparkSession spark, LakeSettings lake) {
    this.spark = spark;
    this.tables = new LakeTables(spark, lake);
    this.root = lake.tablePath("models/clustering");
  }

  /** A saved model and the run date it was fitted for. */
  public record Saved(LocalDate fittedFor, SegmentClustering.Model model) {}

  public void save(LocalDate runDate, SegmentClustering.Model model, String runId) {
    // one folder per run: two runs of the same date (a rerun racing a retry) never write into each other's model
    String path = root + "/" + runDate + "/" + runId;
    try {
      model.pipeline().write().overwrite().save(path);
    } catch (IOException e) {
      throw new IllegalStateException("Cannot save the clustering model to " + path + ": " + e.getMessage(), e);
    }
    Row row = RowFactory.create(java.sql.Date.valueOf(runDate), path,
        CollectionConverters.asScala(model.idOfPrediction()).toSeq(),
        CollectionConverters.asScala(model.silhouetteByK()), runId, java.sql.Timestamp.from(Instant.now()));
    tables.append(CLUSTER_MODELS, spark.createDataFrame(List.of(row), REGISTRY), runId);
  }

  /** The model saved for the latest run date on or before {@code runDate}, if any. */
  public Optional<Saved> latestOnOrBefore(LocalDate runDate) {
    if (!tables.exists(CLUSTER_MODELS)) {
      return Optional.empty();
    }
    List<Row> rows = tables.read(CLUSTER_MODELS)
        .where(col("run_date").leq(lit(java.sql.Date.valueOf(runDate))))
        .orderBy(col("run_date").desc(), col("saved_at").desc()).limit(1).collectAsList();
    if (rows.isEmpty()) {
      return Optional.empty();
    }
    Row row = rows.get(0);
    List<Integer> ids = row.getList(2);
    Map<Integer, Double> scores = row.getJavaMap(3);
    return Optional.of(new Saved(row.getDate(0).toLocalDate(),
        new SegmentClustering.Model(PipelineModel.load(row.getString(1)), ids, scores)));
  }
}
