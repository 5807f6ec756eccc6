package org.segmentation.clustering;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.lit;

import java.time.LocalDate;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.storage.StorageLevel;
import org.segmentation.config.ClusteringSettings;
import org.segmentation.config.ConfigReader;
import org.segmentation.io.ModelStore;
import org.segmentation.io.PublishedHistory;
import org.segmentation.pipeline.RunContext;
import org.segmentation.pipeline.Step;
import org.segmentation.pipeline.StepResult;
import org.segmentation.rfm.ScoreRfm;
import org.segmentation.schema.Columns;
import scala.jdk.javaapi.CollectionConverters;

/**
 * Step {@code clustering}: gives every customer with a counted purchase a cluster, and profiles and names the
 * clusters. It owns the clustering policy:
 * <ul>
 *   <li><b>skip</b> when clustering is off, or when fewer than {@value #MIN_CUSTOMERS_PER_CLUSTER} customers with a
 *       purchase per wanted cluster exist (there is nothing to learn); the cluster columns are then NULL;</li>
 *   <li><b>reuse or refit</b>: the latest model saved by a published run with the same clustering settings
 *       ({@link ClusteringSettings#fingerprint()}) is reused until it is {@code clustering.refit-every-days} old
 *       (0: refit every run); a refit is saved under the run date and keeps that model's ids;</li>
 *   <li><b>keep the last good model</b> when a refit gives no usable model (a centre, weight or covariance that is not
 *       finite: {@link ClusteringFitException}); without one, the run fails ({@code model_not_finite});</li>
 *   <li>customers without a counted purchase get NULL cluster columns.</li>
 * </ul>
 */
public record ClusterCustomers(ScoreRfm.Scored scored, PublishedHistory history)
    implements Step<ClusterCustomers.Clustered> {
  /** Fewer customers than this per wanted cluster and clustering is skipped. */
  public static final int MIN_CUSTOMERS_PER_CLUSTER = 5;
  private static final Column NO_ID = lit(null).cast(DataTypes.IntegerType);
  private static final Column NO_VALUE = lit(null).cast(DataTypes.DoubleType);

  /**
   * The customers with their clusters.
   *
   * @param rows every scored customer with cluster_id, cluster_name, cluster_distance and cluster_probability
   *     (persisted)
   * @param profiles the cluster_profiles rows of this run; empty when clustering was skipped
   * @param progressDetails what happened, for the progress line
   */
  public record Clustered(Dataset<Row> rows, Optional<Dataset<Row>> profiles, String progressDetails)
      implements StepResult {
    @Override
    public void release() {
      rows.unpersist();
    }
  }

  @Override
  public String name() {
    return "clustering";
  }

  @Override
  public Clustered execute(RunContext run) {
    ClusteringSettings settings = run.settings().clustering();
    Dataset<Row> customers = scored.rows();
    if (!settings.enabled()) {
      return unclustered(customers, "enabled=false");
    }
    Dataset<Row> active = customers.where(col(Columns.FREQUENCY).gt(0));
    long activeCustomers = active.count();
    long needed = (long) MIN_CUSTOMERS_PER_CLUSTER * Math.max(settings.k(), settings.kMin());
    if (activeCustomers < needed) {
      return unclustered(customers, "skipped=\"" + activeCustomers + " customers with a purchase, need at least "
          + needed + "\"");
    }

    ModelStore models = new ModelStore(run.spark(), run.settings().lake());
    Optional<ModelStore.Saved> saved = models.latestPublishedOnOrBefore(ModelStore.CLUSTERING, run.runDate(),
        history.publishedRunIds())
        .filter(s -> settings.fingerprint().equals(fingerprintOf(s.row())));
    Optional<String> refitReason = ModelStore.refitReason(saved.map(ModelStore.Saved::fittedFor), run.runDate(),
        settings.refitEveryDays());
    boolean refit = refitReason.isPresent();
    ClusteringModel model;
    Optional<String> failedRefit = Optional.empty();
    if (refit) {
      // the previous model (same settings) lends its cluster ids to the new clusters
      Optional<ClusteringModel> previous = saved.map(s -> load(models, s));
      try {
        model = ClusteringFit.fit(active, activeCustomers, settings, previous.orElse(null));
        models.save(ModelStore.CLUSTERING, run.runDate(), run.runId(), model.pipeline(),
            registryColumns(model, settings));
      } catch (ClusteringFitException e) {
        if (previous.isEmpty()) {
          throw e; // no good model to keep: the run fails, naming the fit's problem
        }
        model = previous.get(); // keep the last good model, as the lifetime-value fit does
        failedRefit = Optional.of(e.summary());
        refit = false;
      }
    } else {
      model = load(models, saved.get());
    }

    Dataset<Row> assigned = new ClusterAssignment(model).apply(active);
    ClusterProfiles.Profiles profiles = new ClusterProfiles(settings, run.runDate())
        .profile(run.spark(), assigned, model.silhouetteByK());
    Dataset<Row> inactive = customers.where(col(Columns.FREQUENCY).leq(0))
        .withColumn(Columns.CLUSTER_ID, NO_ID)
        .withColumn(Columns.CLUSTER_DISTANCE, NO_VALUE)
        .withColumn(Columns.CLUSTER_PROBABILITY, NO_VALUE);
    Dataset<Row> rows = assigned.unionByName(inactive)
        .withColumn(Columns.CLUSTER_NAME, ClusterProfiles.nameOf(profiles.names()))
        .persist(StorageLevel.MEMORY_AND_DISK());
    String details = "algorithm=" + ConfigReader.kebab(settings.algorithm()) + " k=" + model.k()
        + " refit=" + refit + refitReason.map(why -> " refit_reason=" + why).orElse("")
        + failedRefit.map(why -> " kept_last_good=true refit_problem=\"" + why.replace('"', '\'') + "\"").orElse("")
        + (refit ? " fits=" + ClusteringFit.Plan.of(activeCustomers, settings).estimatorFits() : "")
        + " model_date=" + (refit ? run.runDate() : saved.get().fittedFor())
        + " silhouette_by_k=\"" + model.silhouetteByK().toString().replace(" ", "") + "\""
        + " names=\"" + String.join(",", profiles.names().values()) + "\"";
    return new Clustered(rows, Optional.of(profiles.rows()), details);
  }

  private static Clustered unclustered(Dataset<Row> customers, String why) {
    Dataset<Row> rows = customers.withColumn(Columns.CLUSTER_ID, NO_ID)
        .withColumn(Columns.CLUSTER_NAME, lit(null).cast(DataTypes.StringType))
        .withColumn(Columns.CLUSTER_DISTANCE, NO_VALUE)
        .withColumn(Columns.CLUSTER_PROBABILITY, NO_VALUE)
        .persist(StorageLevel.MEMORY_AND_DISK());
    return new Clustered(rows, Optional.empty(), why);
  }

  /** The clustering model's own columns of its registry row (cluster_models). */
  private static Map<String, Object> registryColumns(ClusteringModel model, ClusteringSettings settings) {
    return Map.of(
        Columns.ID_OF_PREDICTION, CollectionConverters.asScala(model.idOfPrediction()).toSeq(),
        Columns.SILHOUETTE_BY_K, CollectionConverters.asScala(model.silhouetteByK()),
        Columns.SETTINGS_FINGERPRINT, settings.fingerprint());
  }

  /** The settings fingerprint a model was saved with; NULL for models saved before fingerprints were recorded. */
  private static String fingerprintOf(Row registryRow) {
    return java.util.Arrays.asList(registryRow.schema().fieldNames()).contains(Columns.SETTINGS_FINGERPRINT)
        ? registryRow.getAs(Columns.SETTINGS_FINGERPRINT) : null;
  }

  private static ClusteringModel load(ModelStore models, ModelStore.Saved saved) {
    Row row = saved.row();
    List<Integer> ids = row.getList(row.fieldIndex(Columns.ID_OF_PREDICTION));
    Map<Integer, Double> silhouettes = row.getJavaMap(row.fieldIndex(Columns.SILHOUETTE_BY_K));
    return new ClusteringModel(models.loadPipeline(saved), ids, silhouettes);
  }
}
