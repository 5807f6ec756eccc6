package org.segmentation.propensity;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.count;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.max;
import static org.apache.spark.sql.functions.sum;
import static org.apache.spark.sql.functions.when;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.segmentation.clustering.ClusterCustomers;
import org.segmentation.clustering.FeaturePreparation;
import org.segmentation.config.ClusteringSettings.Feature;
import org.segmentation.config.JobSettings;
import org.segmentation.config.PropensitySettings;
import org.segmentation.config.PropensitySettings.LabelKind;
import org.segmentation.config.PropensitySettings.Model;
import org.segmentation.input.ValidatedInputs;
import org.segmentation.io.ModelStore;
import org.segmentation.io.PublishedHistory;
import org.segmentation.io.TableCatalog;
import org.segmentation.io.TableSpec;
import org.segmentation.pipeline.PersistedRows;
import org.segmentation.pipeline.RunContext;
import org.segmentation.pipeline.Step;
import org.segmentation.pipeline.StepResult;
import org.segmentation.schema.Columns;

/**
 * Step {@code propensity}: fits every configured model ({@link TrainingRows}, {@link PropensityFit}) or reuses its saved
 * model (the refit policy of {@link #scorer}), measures it on its held-out customers ({@link HeldOutEvaluation}) and
 * scores tonight's customers: customer_propensity (a calibrated probability and a decile per customer and model) and
 * propensity_model_metrics (one row per model). Turned off, a lake that has the tables gets no rows for the date (a
 * rerun leaves none behind).
 *
 * <p>Cost per model: the training rows (for a purchase label, one more aggregation of the purchases as of the
 * window's start); when it is fitted, the cross-validation (folds × learners fits), the final fit and the
 * calibration; one pass over the held-out customers for the histogram of their scores, and one over tonight's
 * customers for the deciles' cut points.
 */
public record ScorePropensity(ValidatedInputs inputs, ClusterCustomers.Clustered customers,
    PublishedHistory history) implements Step<ScorePropensity.Scored> {

  /** What one model measured on its held-out customers. */
  public record Measured(String model, String status, String learner, long evaluationCustomers, double auc,
      HeldOutEvaluation.Interval aucInterval, double expectedCalibrationError) {}

  /**
   * @param tables the two tables, when they are written tonight
   * @param models what each model measured
   * @param byCustomer one row per customer with each model's propensity and decile as columns of their own
   *     ({@link Columns#propensityOf}), for audiences; empty without models
   */
  public record Scored(Map<TableSpec, Dataset<Row>> tables, List<Measured> models,
      Optional<Dataset<Row>> byCustomer) implements StepResult {
    @Override
    public String progressDetails() {
      if (models.isEmpty()) {
        return "models=0";
      }
      StringBuilder details = new StringBuilder("models=" + models.size());
      for (Measured m : models) {
        details.append(String.format(java.util.Locale.ROOT,
            " %s=\"%s %s auc=%.3f [%.3f, %.3f] ece=%.3f held_out=%d\"", m.model(), m.status(), m.learner(), m.auc(),
            m.aucInterval().low(), m.aucInterval().high(), m.expectedCalibrationError(), m.evaluationCustomers()));
      }
      return details.toString();
    }

    @Override
    public void release() {
      tables.values().forEach(PersistedRows::release);
    }
  }

  @Override
  public String name() {
    return "propensity";
  }

  @Override
  public Scored execute(RunContext run) {
    PropensitySettings settings = run.settings().propensity();
    if (!settings.enabled()) {
      return new Scored(run.lake().noRowsInThoseItHas(TableCatalog.PROPENSITY_TABLES), List.of(), Optional.empty());
    }
    TrainingRows training = new TrainingRows(run.settings(), run.runDate());
    PropensityFit.Settings fitSettings = new PropensityFit.Settings(settings.evaluationShare(),
        settings.calibrationShare(), settings.folds(), settings.trees(), settings.depth(), settings.seed());
    Dataset<Row> tonight = customers.rows();
    List<Dataset<Row>> scores = new ArrayList<>();
    List<Row> metrics = new ArrayList<>();
    List<Measured> measured = new ArrayList<>();
    ModelStore store = new ModelStore(run.spark(), run.settings().lake());
    for (Model model : settings.models()) {
      List<Feature> features = model.featuresOr(run.settings().clustering().features());
      FeaturePreparation.check(tonight.schema(), features, JobSettings.keyPath(PropensitySettings.BLOCK,
          PropensitySettings.MODELS) + " (" + model.name() + ").features");
      Dataset<Row> labelled = PersistedRows.of(model.kind() == LabelKind.PURCHASE
          ? training.purchase(model, inputs.purchases().accepted(), inputs.acceptedProfilesOrNull())
          : training.ofTonight(model, tonight));
      try {
        PropensityFit fit = new PropensityFit(features, fitSettings);
        ModelStore.Chosen<PropensityFit.Fitted> scorer = scorer(run, store, model, features, fit, labelled, settings);
        if (scorer.model().isEmpty()) {
          measured.add(new Measured(model.name(), scorer.status(), "", 0, Double.NaN,
              new HeldOutEvaluation.Interval(Double.NaN, Double.NaN, Double.NaN), Double.NaN));
          metrics.add(metricsRow(run, model, scorer, features, null, null, null));
          continue;
        }
        PropensityFit.Fitted fitted = scorer.model().get();
        ScoreHistogram heldOut = ScoreHistogram.collect(fit.evaluationRows(fitted, labelled),
            col(PropensityFit.SCORE), col(PropensityFit.LABEL));
        Measured m = measure(model, scorer.status(), fitted, heldOut, settings);
        measured.add(m);
        metrics.add(metricsRow(run, model, scorer, features, heldOut, m, scorer.status().equals(ModelStore.FITTED)
            ? labelled.where(fit.part().notEqual(lit(PropensityFit.Part.EVALUATION.name())))
                .agg(count(lit(1)), sum(col(PropensityFit.LABEL))).first() : null));
        scores.add(Deciles.of(fitted.score(tonight.select(tonightColumns(features))), PropensityFit.SCORE)
            .select(lit(java.sql.Date.valueOf(run.runDate())).as(Columns.RUN_DATE),
                lit(model.name()).as(Columns.MODEL), col(Columns.CUSTOMER_ID),
                col(PropensityFit.SCORE).as(Columns.PROPENSITY), col(Deciles.DECILE).as(Columns.PROPENSITY_DECILE),
                lit(scorer.version()).as(Columns.RUN_ID)));
      } finally {
        PersistedRows.release(labelled);
      }
    }
    Dataset<Row> customerRows = PersistedRows.of(scores.stream().reduce(Dataset::unionByName)
        .orElseGet(() -> run.spark().createDataFrame(List.of(), TableCatalog.CUSTOMER_PROPENSITY.schema())));
    Map<TableSpec, Dataset<Row>> tables = new LinkedHashMap<>();
    tables.put(TableCatalog.CUSTOMER_PROPENSITY, customerRows);
    tables.put(TableCatalog.PROPENSITY_MODEL_METRICS,
        run.spark().createDataFrame(metrics, TableCatalog.PROPENSITY_MODEL_METRICS.schema()));
    return new Scored(tables, measured, Optional.of(byCustomer(customerRows, settings.models())));
  }

  /** customer_propensity turned into a column per model and figure: one aggregation by customer. */
  private static Dataset<Row> byCustomer(Dataset<Row> customerRows, List<Model> models) {
    List<Column> columns = new ArrayList<>();
    for (Model model : models) {
      Column ofModel = col(Columns.MODEL).equalTo(model.name());
      columns.add(max(when(ofModel, col(Columns.PROPENSITY))).as(Columns.propensityOf(model.name())));
      columns.add(max(when(ofModel, col(Columns.PROPENSITY_DECILE))).as(Columns.propensityDecileOf(model.name())));
    }
    return customerRows.groupBy(col(Columns.CUSTOMER_ID))
        .agg(columns.get(0), columns.subList(1, columns.size()).toArray(Column[]::new));
  }

  /** The columns of tonight's customers a model reads: the id and its features. */
  private static Column[] tonightColumns(List<Feature> features) {
    List<Column> columns = new ArrayList<>(List.of(col(Columns.CUSTOMER_ID)));
    features.stream().map(Feature::name).distinct().forEach(name -> columns.add(col("`" + name + "`")));
    return columns.toArray(Column[]::new);
  }

  /**
   * The model that scores tonight under the refit policy of every model of the job ({@link ModelStore#reuseOrFit}):
   * reused until propensity.refit-every-days old; a fit is saved; a fit that cannot learn (a label of one class) keeps
   * the last good model, or skips the model.
   */
  private ModelStore.Chosen<PropensityFit.Fitted> scorer(RunContext run, ModelStore store, Model model, List<Feature> features,
      PropensityFit fit, Dataset<Row> labelled, PropensitySettings settings) {
    String fingerprint = settings.fingerprint(model, features);
    return store.reuseOrFit(ModelStore.PROPENSITY, run.runDate(), run.runId(), history.publishedRunIds(),
        model.name(), fingerprint, settings.refitEveryDays(), saved -> load(store, saved), () -> {
          PropensityFit.Fitted fitted = fit.fit(labelled);
          store.save(ModelStore.PROPENSITY, run.runDate(), run.runId(), model.name(), fitted.scorer(), Map.of(
              Columns.MODEL, model.name(), Columns.LEARNER, fitted.learner(),
              Columns.SETTINGS_FINGERPRINT, fingerprint));
          return fitted;
        });
  }

  private static PropensityFit.Fitted load(ModelStore store, ModelStore.Saved saved) {
    return new PropensityFit.Fitted(saved.row().getAs(Columns.LEARNER), store.loadPipeline(saved), Map.of());
  }

  private static Measured measure(Model model, String status, PropensityFit.Fitted fitted, ScoreHistogram heldOut,
      PropensitySettings settings) {
    double ece = HeldOutEvaluation.expectedCalibrationError(HeldOutEvaluation.deciles(heldOut, 10));
    return new Measured(model.name(), status, fitted.learner(), heldOut.totalPositives() + heldOut.totalNegatives(),
        HeldOutEvaluation.auc(heldOut), HeldOutEvaluation.aucInterval(heldOut, settings.bootstrapResamples(),
            settings.seed(), settings.confidence()), ece);
  }

  /**
   * @param heldOut the held-out customers' scores; NULL when the model was skipped (then {@code m} too)
   * @param trainingCounts the customers and positives fitted on tonight; NULL when the model was not fitted tonight
   */
  private static Row metricsRow(RunContext run, Model model, ModelStore.Chosen<PropensityFit.Fitted> scorer, List<Feature> features,
      ScoreHistogram heldOut, Measured m, Row trainingCounts) {
    List<Row> deciles = new ArrayList<>();
    if (heldOut != null) {
      for (HeldOutEvaluation.Decile d : HeldOutEvaluation.deciles(heldOut, 10)) {
        deciles.add(RowFactory.create(d.decile(), d.customers(), d.positives(), d.meanScore(), d.observedRate(),
            d.lift(), d.cumulativeGain()));
      }
    }
    Optional<PropensityFit.Fitted> fitted = scorer.model();
    return RowFactory.create(java.sql.Date.valueOf(run.runDate()), model.name(), model.describeLabel(),
        scorer.status(), scorer.message().isEmpty() ? null : scorer.message(),
        scorer.fittedFor() == null ? null : java.sql.Date.valueOf(scorer.fittedFor()),
        fitted.map(PropensityFit.Fitted::learner).orElse(null),
        fitted.map(PropensityFit.Fitted::crossValidatedAuc).orElse(Map.of()),
        trainingCounts == null ? null : trainingCounts.getLong(0),
        trainingCounts == null ? null : trainingCounts.isNullAt(1) ? 0L : (long) trainingCounts.getDouble(1),
        m == null ? 0L : m.evaluationCustomers(), heldOut == null ? 0L : heldOut.totalPositives(),
        m == null ? null : finite(m.auc()), m == null ? null : finite(m.aucInterval().low()),
        m == null ? null : finite(m.aucInterval().high()), m == null ? null : finite(m.expectedCalibrationError()),
        deciles, fitted.map(f -> f.featureWeights(features)).orElse(Map.of()), scorer.version());
  }

  /** NaN (no positive or no negative held out) is stored as NULL. */
  private static Double finite(double value) {
    return Double.isFinite(value) ? value : null;
  }
}
