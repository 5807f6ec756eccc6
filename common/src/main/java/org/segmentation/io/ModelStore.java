package org.segmentation.io;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.lit;

import java.io.IOException;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.apache.spark.ml.PipelineModel;
import org.apache.spark.ml.util.MLWritable;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.segmentation.config.LakeSettings;
import org.segmentation.schema.Columns;

/**
 * Fitted models under the lake, for any kind of model (clustering today; lifetime value next). A kind has a folder,
 * {@code <root>/models/<kind>/<run_date>/<run_id>} for each fit, and a registry table with one row per saved model:
 * {@code run_date}, {@code model_path}, the kind's own columns (as declared in {@link TableCatalog}), {@code run_id},
 * {@code saved_at} and the fingerprint of the settings it was fitted with. The row is appended after the model is written, so a model is only ever found complete, and
 * one folder per run means two runs of the same date never write into each other's model.
 */
public final class ModelStore {
  /** A kind of model: its folder under {@code models/} and its registry table. */
  public record Kind(String folder, TableSpec registry) {}

  public static final Kind CLUSTERING = new Kind("clustering", TableCatalog.CLUSTER_MODELS);
  /** The prospects' clustering: the same registry, its own folder. */
  public static final Kind PROSPECT_CLUSTERING = new Kind("prospect_clustering", TableCatalog.CLUSTER_MODELS);
  /**
   * Lifetime-value parameters: a handful of numbers, kept in the registry row itself (no folder). The registry is
   * the dated clv_model table, published with the night's other tables.
   */
  public static final Kind CLV = new Kind("clv", TableCatalog.CLV_MODEL);
  /** The propensity models, one folder per fit and model. */
  public static final Kind PROPENSITY = new Kind("propensity", TableCatalog.PROPENSITY_MODELS);
  /** The uplift models, one folder per fit and model. */
  public static final Kind UPLIFT = new Kind("uplift", TableCatalog.UPLIFT_MODELS);

  /**
   * A registry row.
   *
   * @param fittedFor the run date the model was fitted for
   * @param path where the model is; NULL for a kind whose registry row is the model (lifetime value)
   * @param row the whole registry row, for the kind's own columns ({@code row.getAs("id_of_prediction")})
   */
  public record Saved(LocalDate fittedFor, String path, Row row) {}

  private final SparkSession spark;
  private final LakeTables tables;
  private final String root;

  public ModelStore(SparkSession spark, LakeSettings lake) {
    this.spark = spark;
    this.tables = new LakeTables(spark, lake);
    this.root = lake.tablePath("models");
  }

  /**
   * Writes {@code model} and then its registry row.
   *
   * @param metadata the kind's own registry columns by name, as Spark row values (Scala collections for arrays and
   *     maps)
   * @return where the model was written
   */
  public String save(Kind kind, LocalDate runDate, String runId, MLWritable model, Map<String, Object> metadata) {
    return save(kind, runDate, runId, "", model, metadata);
  }

  /**
   * The same, for a kind with several models per run (propensity): each in {@code <run_id>_<instance>}.
   *
   * @param instance which of the run's models (empty: the only one)
   */
  public String save(Kind kind, LocalDate runDate, String runId, String instance, MLWritable model,
      Map<String, Object> metadata) {
    String path = root + "/" + kind.folder() + "/" + runDate + "/" + runId + (instance.isEmpty() ? "" : "_" + instance);
    try {
      model.write().overwrite().save(path);
    } catch (IOException e) {
      throw new IllegalStateException("Cannot save the " + kind.folder() + " model to " + path + ": "
          + e.getMessage(), e);
    }
    List<Object> values = new ArrayList<>();
    for (String column : kind.registry().columnNames()) {
      values.add(switch (column) {
        case Columns.RUN_DATE -> java.sql.Date.valueOf(runDate);
        case Columns.MODEL_PATH -> path;
        case Columns.RUN_ID -> runId;
        case Columns.SAVED_AT -> java.sql.Timestamp.from(Instant.now());
        default -> {
          if (!metadata.containsKey(column)) {
            throw new IllegalArgumentException("Cannot register the " + kind.folder() + " model: no value for "
                + kind.registry().name() + "." + column);
          }
          yield metadata.get(column);
        }
      });
    }
    tables.append(kind.registry(),
        spark.createDataFrame(List.of(RowFactory.create(values.toArray())), kind.registry().schema()), runId);
    return path;
  }

  /**
   * The model of that kind saved for the latest run date on or before {@code runDate} by a run that was published, if
   * any. A model saved by a run that then failed or was killed is never reused: nothing vouches for it.
   *
   * @param publishedRunIds the ids of the published runs ({@link RunLog#publishedRunIds()})
   */
  public Optional<Saved> latestPublishedOnOrBefore(Kind kind, LocalDate runDate, Set<String> publishedRunIds) {
    return latestPublishedOnOrBefore(kind, runDate, publishedRunIds, lit(true));
  }

  /** The same, among the registry rows that also meet {@code condition}. */
  public Optional<Saved> latestPublishedOnOrBefore(Kind kind, LocalDate runDate, Set<String> publishedRunIds,
      org.apache.spark.sql.Column condition) {
    if (!tables.exists(kind.registry()) || publishedRunIds.isEmpty()) {
      return Optional.empty();
    }
    if (kind.registry().columnNames().contains(Columns.MODEL_PATH)) {
      // kinds that share a registry are told apart by their folder: <root>/<folder>/<run_date>/<run_id>
      condition = condition.and(col(Columns.MODEL_PATH).rlike("/" + kind.folder() + "/[^/]+/[^/]+$"));
    }
    List<Row> rows = tables.read(kind.registry())
        .where(col(Columns.RUN_DATE).leq(lit(java.sql.Date.valueOf(runDate)))
            .and(col(Columns.RUN_ID).isin(publishedRunIds.toArray())).and(condition))
        .orderBy(col(Columns.RUN_DATE).desc(), col(Columns.SAVED_AT).desc()).limit(1).collectAsList();
    if (rows.isEmpty()) {
      return Optional.empty();
    }
    Row row = rows.get(0);
    // a kind without model files (lifetime value) has no model_path
    String path = List.of(row.schema().fieldNames()).contains(Columns.MODEL_PATH) ? row.getAs(Columns.MODEL_PATH)
        : null;
    return Optional.of(new Saved(row.<java.sql.Date>getAs(Columns.RUN_DATE).toLocalDate(), path, row));
  }

  /**
   * The refit policy every kind of model follows: why a new model is fitted, if it is. {@code no_reusable_model}
   * (none saved by a published run with the same settings: a first run, a killed run's model, changed settings) or
   * {@code model_age} (the reusable one is {@code refitEveryDays} old, and not of this date). Empty: reuse it.
   *
   * @param reusableFit the run date the reusable model was fitted for, if there is one
   */
  public static Optional<String> refitReason(Optional<LocalDate> reusableFit, LocalDate runDate,
      int refitEveryDays) {
    if (reusableFit.isEmpty()) {
      return Optional.of("no_reusable_model");
    }
    boolean old = !reusableFit.get().equals(runDate)
        && java.time.temporal.ChronoUnit.DAYS.between(reusableFit.get(), runDate) >= refitEveryDays;
    return old ? Optional.of("model_age") : Optional.empty();
  }

  public static final String FITTED = "fitted";
  public static final String REUSED = "reused";
  public static final String KEPT_LAST_GOOD = "kept_last_good";
  public static final String SKIPPED = "skipped";

  /**
   * The model that scores a night, as one of several named models of a kind (propensity, uplift) chose it.
   *
   * @param status {@value #FITTED}, {@value #REUSED}, {@value #KEPT_LAST_GOOD} or {@value #SKIPPED}
   * @param message why the fit failed; empty otherwise
   * @param model the model; empty when skipped
   * @param fittedFor the run date of its fit; NULL when skipped
   * @param version the id of the run that fitted it; NULL when skipped
   */
  public record Chosen<M>(String status, String message, Optional<M> model, LocalDate fittedFor, String version) {}

  /**
   * The refit policy of the named models: the latest model of {@code model} saved by a published run under the same
   * settings {@code fingerprint} is reused until it is {@code refitEveryDays} old; otherwise {@code fitAndSave} fits
   * and saves a new one. A fit that cannot learn (it throws IllegalArgumentException, whose message says why) keeps
   * the last good model, or skips the model for the night without one.
   *
   * @param load loads a saved model from its registry row
   */
  public <M> Chosen<M> reuseOrFit(Kind kind, LocalDate runDate, String runId, Set<String> publishedRunIds,
      String model, String fingerprint, int refitEveryDays, java.util.function.Function<Saved, M> load,
      java.util.function.Supplier<M> fitAndSave) {
    Optional<Saved> saved = latestPublishedOnOrBefore(kind, runDate, publishedRunIds, col(Columns.MODEL)
        .equalTo(model).and(col(Columns.SETTINGS_FINGERPRINT).equalTo(fingerprint)));
    if (refitReason(saved.map(Saved::fittedFor), runDate, refitEveryDays).isEmpty()) {
      return new Chosen<>(REUSED, "", Optional.of(load.apply(saved.get())), saved.get().fittedFor(),
          saved.get().row().getAs(Columns.RUN_ID));
    }
    try {
      return new Chosen<>(FITTED, "", Optional.of(fitAndSave.get()), runDate, runId);
    } catch (IllegalArgumentException e) { // nothing to learn tonight (the fit's own message)
      return saved.map(s -> new Chosen<>(KEPT_LAST_GOOD, e.getMessage(), Optional.of(load.apply(s)), s.fittedFor(),
              s.row().<String>getAs(Columns.RUN_ID)))
          .orElseGet(() -> new Chosen<>(SKIPPED, e.getMessage(), Optional.empty(), null, null));
    }
  }

  /** Loads a saved MLlib pipeline. */
  public PipelineModel loadPipeline(Saved saved) {
    return PipelineModel.load(saved.path());
  }
}
