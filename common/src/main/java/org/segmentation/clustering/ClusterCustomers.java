package org.segmentation.clustering;

import static org.apache.spark.sql.functions.coalesce;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.not;

import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.types.DataTypes;
import org.segmentation.config.ClusteringSettings;
import org.segmentation.config.ConfigReader;
import org.segmentation.io.ModelStore;
import org.segmentation.io.PublishedHistory;
import org.segmentation.pipeline.PersistedRows;
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
 * With {@code prospect-clustering} on, the prospects (a profile and no counted purchase) are clustered the same way on
 * their own settings (profile features), with a model of their own ({@link ModelStore#PROSPECT_CLUSTERING}), into
 * prospect_cluster_id and prospect_cluster_name; their cluster_profiles rows say {@code population = prospects}.
 */
public record ClusterCustomers(ScoreRfm.Scored scored, PublishedHistory history)
    implements Step<ClusterCustomers.Clustered> {
  /** Fewer customers than this per wanted cluster and clustering is skipped. */
  public static final int MIN_CUSTOMERS_PER_CLUSTER = 5;
  private static final Column NO_ID = lit(null).cast(DataTypes.IntegerType);
  private static final Column NO_VALUE = lit(null).cast(DataTypes.DoubleType);
  private static final Column NO_NAME = lit(null).cast(DataTypes.StringType);

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
      PersistedRows.release(rows);
    }
  }

  @Override
  public String name() {
    return "clustering";
  }

  @Override
  public Clustered execute(RunContext run) {
    Dataset<Row> customers = scored.rows();
    Column buyer = col(Columns.FREQUENCY).gt(0);
    Column prospect = not(buyer).and(col(Columns.HAS_PROFILE));
    Population buyers = new Population(Columns.BUYERS, ModelStore.CLUSTERING, run.settings().clustering(),
        "customers with a purchase");
    Population prospects = new Population(Columns.PROSPECTS, ModelStore.PROSPECT_CLUSTERING,
        run.settings().prospectClustering(), "prospects (a profile, no counted purchase)");
    Assigned ofBuyers = cluster(run, buyers, customers.where(buyer));
    Assigned ofProspects = cluster(run, prospects, customers.where(prospect));

    List<Dataset<Row>> parts = new ArrayList<>();
    Dataset<Row> rest = customers;
    if (ofBuyers.rows().isPresent()) {
      parts.add(ofBuyers.rows().get().withColumn(Columns.PROSPECT_CLUSTER_ID, NO_ID)
          .withColumn(Columns.PROSPECT_CLUSTER_NAME, NO_NAME));
      rest = rest.where(not(buyer));
    }
    if (ofProspects.rows().isPresent()) {
      parts.add(ofProspects.rows().get()
          .withColumnRenamed(Columns.CLUSTER_ID, Columns.PROSPECT_CLUSTER_ID)
          .withColumnRenamed(Columns.CLUSTER_NAME, Columns.PROSPECT_CLUSTER_NAME)
          .drop(Columns.CLUSTER_DISTANCE, Columns.CLUSTER_PROBABILITY)
          .withColumn(Columns.CLUSTER_ID, NO_ID).withColumn(Columns.CLUSTER_NAME, NO_NAME)
          .withColumn(Columns.CLUSTER_DISTANCE, NO_VALUE).withColumn(Columns.CLUSTER_PROBABILITY, NO_VALUE));
      rest = rest.where(not(coalesce(prospect, lit(false))));
    }
    parts.add(rest.withColumn(Columns.CLUSTER_ID, NO_ID).withColumn(Columns.CLUSTER_NAME, NO_NAME)
        .withColumn(Columns.CLUSTER_DISTANCE, NO_VALUE).withColumn(Columns.CLUSTER_PROBABILITY, NO_VALUE)
        .withColumn(Columns.PROSPECT_CLUSTER_ID, NO_ID).withColumn(Columns.PROSPECT_CLUSTER_NAME, NO_NAME));
    Dataset<Row> rows = PersistedRows.of(parts.stream().reduce(Dataset::unionByName).orElseThrow());
    Optional<Dataset<Row>> profiles = Stream.of(ofBuyers, ofProspects).flatMap(a -> a.profiles().stream())
        .reduce(Dataset::unionByName);
    String details = ofBuyers.details() + (prospects.settings().enabled()
        ? " prospects=\"" + ofProspects.details().replace('"', '\'') + "\"" : "");
    return new Clustered(rows, profiles, details);
  }

  /**
   * Whose clusters: buyers on the clustering settings, or prospects on their own.
   *
   * @param name cluster_profiles.population
   * @param who the population in words, for the progress line
   */
  private record Population(String name, ModelStore.Kind kind, ClusteringSettings settings, String who) {}

  /**
   * A population's clustering: its customers with their cluster (cluster_id, cluster_name, cluster_distance,
   * cluster_probability) and the cluster_profiles rows, both empty when it was off or skipped; the progress details.
   */
  private record Assigned(Optional<Dataset<Row>> rows, Optional<Dataset<Row>> profiles, String details) {
    static Assigned none(String why) {
      return new Assigned(Optional.empty(), Optional.empty(), why);
    }
  }

  /** Clusters one population under the policy of the class comment. */
  private Assigned cluster(RunContext run, Population population, Dataset<Row> members) {
    ClusteringSettings settings = population.settings();
    if (!settings.enabled()) {
      return Assigned.none("enabled=false");
    }
    long customers = members.count();
    long needed = (long) MIN_CUSTOMERS_PER_CLUSTER * Math.max(settings.k(), settings.kMin());
    if (customers < needed) {
      return Assigned.none("skipped=\"" + customers + " " + population.who() + ", need at least " + needed + "\"");
    }

    ModelStore models = new ModelStore(run.spark(), run.settings().lake());
    Optional<ModelStore.Saved> saved = models.latestPublishedOnOrBefore(population.kind(), run.runDate(),
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
        model = ClusteringFit.fit(members, customers, settings, previous.orElse(null));
        models.save(population.kind(), run.runDate(), run.runId(), model.pipeline(),
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

    Dataset<Row> assigned = new ClusterAssignment(model).apply(members);
    ClusterProfiles.Profiles profiles = new ClusterProfiles(settings, run.runDate(), population.name())
        .profile(run.spark(), assigned, model.silhouetteByK());
    String details = "algorithm=" + ConfigReader.kebab(settings.algorithm()) + " k=" + model.k()
        + " refit=" + refit + refitReason.map(why -> " refit_reason=" + why).orElse("")
        + failedRefit.map(why -> " kept_last_good=true refit_problem=\"" + why.replace('"', '\'') + "\"").orElse("")
        + (refit ? " fits=" + ClusteringFit.Plan.of(customers, settings).estimatorFits() : "")
        + " model_date=" + (refit ? run.runDate() : saved.get().fittedFor())
        + " silhouette_by_k=\"" + model.silhouetteByK().toString().replace(" ", "") + "\""
        + " names=\"" + String.join(",", profiles.names().values()) + "\"";
    return new Assigned(Optional.of(assigned.withColumn(Columns.CLUSTER_NAME, ClusterProfiles.nameOf(profiles.names()))),
        Optional.of(profiles.rows()), details);
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
