package org.segmentation.propensity;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.max;
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
import org.apache.spark.storage.StorageLevel;
import org.segmentation.clustering.ClusterCustomers;
import org.segmentation.clustering.FeaturePreparation;
import org.segmentation.config.ClusteringSettings.Feature;
import org.segmentation.config.JobSettings;
import org.segmentation.config.PropensitySettings;
import org.segmentation.config.PropensitySettings.LabelKind;
import org.segmentation.config.PropensitySettings.Model;
import org.segmentation.input.ValidatedInputs;
import org.segmentation.io.TableCatalog;
import org.segmentation.io.TableSpec;
import org.segmentation.pipeline.RunContext;
import org.segmentation.pipeline.Step;
import org.segmentation.pipeline.StepResult;
import org.segmentation.schema.Columns;

/**
 * Step {@code propensity}: fits every configured model ({@link TrainingRows}, {@link PropensityFit}), measures it on
 * its held-out customers ({@link HeldOutEvaluation}) and scores tonight's customers: customer_propensity (a calibrated
 * probability and a decile per customer and model) and propensity_model_metrics (one row per model). Turned off, a
 * lake that has the tables gets no rows for the date (a rerun leaves none behind).
 *
 * <p>Cost per model: the training rows (for a purchase label, one more aggregation of the purchases as of the
 * window's start), the cross-validation (folds × learners fits), the calibration, one pass over the held-out
 * customers for the histogram of their scores, and one over tonight's customers for the deciles' cut points.
 */
public record ScorePropensity(ValidatedInputs inputs, ClusterCustomers.Clustered customers)
    implements Step<ScorePropensity.Scored> {

  /** What one model measured on its held-out customers. */
  public record Measured(String model, String learner, long evaluationCustomers, double auc,
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
        details.append(String.format(java.util.Locale.ROOT, " %s=\"%s auc=%.3f [%.3f, %.3f] ece=%.3f held_out=%d\"",
            m.model(), m.learner(), m.auc(), m.aucInterval().low(), m.aucInterval().high(),
            m.expectedCalibrationError(), m.evaluationCustomers()));
      }
      return details.toString();
    }

    @Override
    public void release() {
      tables.values().forEach(Dataset::unpersist);
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
      Map<TableSpec, Dataset<Row>> none = new LinkedHashMap<>();
      TableCatalog.PROPENSITY_TABLES.stream().filter(run.lake()::exists)
          .forEach(table -> none.put(table, run.spark().createDataFrame(List.of(), table.schema())));
      return new Scored(none, List.of(), Optional.empty());
    }
    TrainingRows training = new TrainingRows(run.settings(), run.runDate());
    PropensityFit.Settings fitSettings = new PropensityFit.Settings(settings.evaluationShare(),
        settings.calibrationShare(), settings.folds(), settings.trees(), settings.depth(), settings.seed());
    Dataset<Row> tonight = customers.rows();
    List<Dataset<Row>> scores = new ArrayList<>();
    List<Row> metrics = new ArrayList<>();
    List<Measured> measured = new ArrayList<>();
    for (Model model : settings.models()) {
      List<Feature> features = model.featuresOr(run.settings().clustering().features());
      FeaturePreparation.check(tonight.schema(), features, JobSettings.keyPath(PropensitySettings.BLOCK,
          PropensitySettings.MODELS) + " (" + model.name() + ").features");
      Dataset<Row> labelled = (model.kind() == LabelKind.PURCHASE
          ? training.purchase(model, inputs.purchases().accepted(), inputs.acceptedProfilesOrNull())
          : training.ofTonight(model, tonight)).persist(StorageLevel.MEMORY_AND_DISK());
      try {
        PropensityFit fit = new PropensityFit(features, fitSettings);
        PropensityFit.Fitted fitted = fit.fit(labelled);
        ScoreHistogram heldOut = ScoreHistogram.collect(fit.evaluationRows(fitted, labelled),
            col(PropensityFit.SCORE), col(PropensityFit.LABEL));
        Row trainingCounts = labelled.where(fit.part().notEqual(lit(PropensityFit.Part.EVALUATION.name())))
            .agg(org.apache.spark.sql.functions.count(lit(1)), org.apache.spark.sql.functions.sum(
                col(PropensityFit.LABEL))).first();
        Measured m = measure(model, fitted, heldOut, settings);
        measured.add(m);
        metrics.add(metricsRow(run, model, fitted, features, heldOut, m, trainingCounts));
        scores.add(Deciles.of(fitted.score(tonight.select(tonightColumns(features))), PropensityFit.SCORE)
            .select(lit(java.sql.Date.valueOf(run.runDate())).as(Columns.RUN_DATE),
                lit(model.name()).as(Columns.MODEL), col(Columns.CUSTOMER_ID),
                col(PropensityFit.SCORE).as(Columns.PROPENSITY), col(Deciles.DECILE).as(Columns.PROPENSITY_DECILE),
                lit(run.runId()).as(Columns.RUN_ID)));
      } finally {
        labelled.unpersist();
      }
    }
    Dataset<Row> customerRows = scores.stream().reduce(Dataset::unionByName).orElseThrow()
        .persist(StorageLevel.MEMORY_AND_DISK());
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

  private static Measured measure(Model model, PropensityFit.Fitted fitted, ScoreHistogram heldOut,
      PropensitySettings settings) {
    double ece = HeldOutEvaluation.expectedCalibrationError(HeldOutEvaluation.deciles(heldOut, 10));
    return new Measured(model.name(), fitted.learner(), heldOut.totalPositives() + heldOut.totalNegatives(),
        HeldOutEvaluation.auc(heldOut), HeldOutEvaluation.aucInterval(heldOut, settings.bootstrapResamples(),
            settings.seed(), settings.confidence()), ece);
  }

  private static Row metricsRow(RunContext run, Model model, PropensityFit.Fitted fitted, List<Feature> features,
      ScoreHistogram heldOut, Measured m, Row trainingCounts) {
    List<Row> deciles = new ArrayList<>();
    for (HeldOutEvaluation.Decile d : HeldOutEvaluation.deciles(heldOut, 10)) {
      deciles.add(RowFactory.create(d.decile(), d.customers(), d.positives(), d.meanScore(), d.observedRate(),
          d.lift(), d.cumulativeGain()));
    }
    return RowFactory.create(java.sql.Date.valueOf(run.runDate()), model.name(), model.describeLabel(),
        fitted.learner(), fitted.crossValidatedAuc(),
        trainingCounts.getLong(0), trainingCounts.isNullAt(1) ? 0L : (long) trainingCounts.getDouble(1),
        m.evaluationCustomers(), heldOut.totalPositives(), finite(m.auc()), finite(m.aucInterval().low()),
        finite(m.aucInterval().high()), finite(m.expectedCalibrationError()),
        deciles, fitted.featureWeights(features),
        run.runId());
  }

  /** NaN (no positive or no negative held out) is stored as NULL. */
  private static Double finite(double value) {
    return Double.isFinite(value) ? value : null;
  }
}
