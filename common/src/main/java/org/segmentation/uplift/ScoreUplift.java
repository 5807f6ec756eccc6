package org.segmentation.uplift;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.count;
import static org.apache.spark.sql.functions.greatest;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.map;
import static org.apache.spark.sql.functions.max;
import static org.apache.spark.sql.functions.when;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.types.DataTypes;
import org.segmentation.audiences.Arms;
import org.segmentation.clustering.ClusterCustomers;
import org.segmentation.clustering.FeaturePreparation;
import org.segmentation.config.ClusteringSettings.Feature;
import org.segmentation.config.ExperimentSettings;
import org.segmentation.config.JobSettings;
import org.segmentation.config.UpliftSettings;
import org.segmentation.config.UpliftSettings.Model;
import org.segmentation.input.ValidatedInputs;
import org.segmentation.io.LakeTables;
import org.segmentation.io.ModelStore;
import org.segmentation.io.PublishedHistory;
import org.segmentation.io.TableCatalog;
import org.segmentation.io.TableSpec;
import org.segmentation.output.AssembleSegmentTables;
import org.segmentation.pipeline.PersistedRows;
import org.segmentation.pipeline.RunContext;
import org.segmentation.pipeline.Step;
import org.segmentation.pipeline.StepResult;
import org.segmentation.propensity.Deciles;
import org.segmentation.propensity.HeldOutEvaluation.Interval;
import org.segmentation.schema.Columns;

/**
 * Step {@code uplift}: for every configured model, the members of its audience's experiment ({@link UpliftMembers}),
 * a fit ({@link UpliftFit}) or the saved model under the refit policy, its evaluation on the held-out members
 * ({@link QiniEvaluation}), the budgeted targeting ({@link BudgetedTargeting}) and tonight's scores: customer_uplift
 * and uplift_model_metrics. Turned off, a lake that has the tables gets no rows for the date.
 *
 * <p>Cost per model: the members' outcomes (one aggregation of the purchases in the experiment's windows) and their
 * features as of the first send (one more aggregation of the purchases up to it); when fitted, one fit per arm and
 * learner; the evaluation's two aggregations of the held-out members; tonight's deciles and targeting cut (one pass
 * each).
 */
public record ScoreUplift(ValidatedInputs inputs, ClusterCustomers.Clustered customers,
    AssembleSegmentTables.SegmentTables segments, PublishedHistory history) implements Step<ScoreUplift.Scored> {

  /** What one model measured: its status, learner, and the Qini coefficient of its (first) variant. */
  public record Measured(String model, String status, String learner, long members, Interval qini,
      Optional<BudgetedTargeting.ProfitPoint> contact) {}

  /**
   * @param tables the two tables, when they are written tonight
   * @param models what each model measured
   * @param byCustomer one row per customer with each model's score, decile and targeting as columns of their own
   *     ({@link Columns#upliftOf}), for audiences; empty without models
   */
  public record Scored(Map<TableSpec, Dataset<Row>> tables, List<Measured> models,
      Optional<Dataset<Row>> byCustomer) implements StepResult {
    @Override
    public String progressDetails() {
      StringBuilder details = new StringBuilder("models=" + models.size());
      for (Measured m : models) {
        details.append(String.format(Locale.ROOT, " %s=\"%s %s qini=%.4f [%.4f, %.4f] members=%d%s\"", m.model(),
            m.status(), m.learner(), m.qini().estimate(), m.qini().low(), m.qini().high(), m.members(),
            m.contact().map(c -> String.format(Locale.ROOT, " contact=%d profit=%.0f", c.customers(), c.profit()))
                .orElse("")));
      }
      return details.toString();
    }

    @Override
    public void release() {
      tables.values().forEach(PersistedRows::release);
    }
  }

  private static final String SCORE = "__uplift_score";

  @Override
  public String name() {
    return "uplift";
  }

  @Override
  public Scored execute(RunContext run) {
    UpliftSettings settings = run.settings().uplift();
    LakeTables lake = run.lake();
    if (!settings.enabled()) {
      return new Scored(lake.noRowsInThoseItHas(TableCatalog.UPLIFT_TABLES), List.of(), Optional.empty());
    }
    boolean published = lake.exists(TableCatalog.AUDIENCE_MEMBERS) && lake.exists(TableCatalog.CUSTOMER_SEGMENTS);
    Dataset<Row> tonight = customers.rows();
    long population = -1; // tonight's customers, counted once and only for a budgeted targeting
    ModelStore store = new ModelStore(run.spark(), run.settings().lake());
    List<Dataset<Row>> scores = new ArrayList<>();
    List<Row> metrics = new ArrayList<>();
    List<Measured> measured = new ArrayList<>();
    for (Model model : settings.models()) {
      List<Feature> features = model.featuresOr(run.settings().clustering().features());
      FeaturePreparation.check(tonight.schema(), features, JobSettings.keyPath(UpliftSettings.BLOCK,
          UpliftSettings.MODELS) + " (" + model.name() + ").features");
      Experiment experiment = model.external() ? external(run, model, features)
          : audiences(run, model, features, published, tonight);
      UpliftFit fit = experiment.variants().isEmpty() ? null : new UpliftFit(features, new UpliftFit.Settings(
          experiment.control(), experiment.variants(), experiment.outcome(), settings.validationShare(),
          settings.evaluationShare(), settings.trees(), settings.depth(), settings.seed()));
      Optional<Dataset<Row>> members = experiment.members()
          .map(m -> PersistedRows.of(fit.split(m)));
      try {
        ModelStore.Chosen<UpliftFit.Fitted> scorer = scorer(run, store, model, features, fit, members,
            experiment.whyNoMembers(), settings);
        if (scorer.model().isEmpty()) {
          measured.add(new Measured(model.name(), scorer.status(), "", 0, nothing(), Optional.empty()));
          metrics.add(metricsRow(run, model, experiment.variants().isEmpty() ? null : experiment.variants().get(0),
              scorer, 0, null, null));
          continue;
        }
        UpliftFit.Fitted fitted = scorer.model().get();
        long experimentMembers = members.map(Dataset::count).orElse(0L);
        Map<String, QiniEvaluation.Evaluation> evaluations = experimentMembers == 0 ? Map.of()
            : fit.evaluate(fitted, members.get(), settings.bootstrapResamples(), settings.confidence());
        Optional<BudgetedTargeting.Plan> plan = Optional.empty();
        for (String variant : fitted.variants()) {
          QiniEvaluation.Evaluation evaluation = evaluations.get(variant);
          Optional<BudgetedTargeting.Plan> variantPlan = Optional.empty();
          if (evaluation != null && model.targeted()) {
            population = population < 0 ? tonight.count() : population;
            variantPlan = Optional.of(new BudgetedTargeting(model.contactCost(), model.value())
                .plan(evaluation.curve(), population));
          }
          if (variantPlan.isPresent() && (plan.isEmpty()
              || variantPlan.get().best().profit() > plan.get().best().profit())) {
            plan = variantPlan; // the variant whose best contact profits most sets how many are targeted
          }
          metrics.add(metricsRow(run, model, variant, scorer, experimentMembers, evaluation,
              variantPlan.orElse(null)));
        }
        QiniEvaluation.Evaluation first = evaluations.get(fitted.variants().get(0));
        measured.add(new Measured(model.name(), scorer.status(), fitted.learner(), experimentMembers,
            first == null ? nothing() : first.qiniCoefficient(), plan.map(BudgetedTargeting.Plan::best)));
        scores.add(customerRows(run, model, fitted, tonight, features, scorer.version(), plan));
      } finally {
        members.ifPresent(PersistedRows::release);
      }
    }
    Dataset<Row> customerRows = PersistedRows.of(scores.stream().reduce(Dataset::unionByName)
        .orElseGet(() -> run.spark().createDataFrame(List.of(), TableCatalog.CUSTOMER_UPLIFT.schema())));
    Map<TableSpec, Dataset<Row>> tables = new LinkedHashMap<>();
    tables.put(TableCatalog.CUSTOMER_UPLIFT, customerRows);
    tables.put(TableCatalog.UPLIFT_MODEL_METRICS,
        run.spark().createDataFrame(metrics, TableCatalog.UPLIFT_MODEL_METRICS.schema()));
    return new Scored(tables, measured, Optional.of(byCustomer(customerRows, settings.models())));
  }

  /**
   * What a model learns from tonight.
   *
   * @param members the members with arm, outcome and features; empty when none can be learned from yet
   * @param whyNoMembers why there are none, for the metrics row
   * @param variants the variants besides the control (empty only when an external experiment has none)
   */
  private record Experiment(Optional<Dataset<Row>> members, String whyNoMembers, String control,
      List<String> variants, UpliftFit.Outcome outcome) {}

  /** An audience's experiment: its members with a closed attribution window, treatment against holdout. */
  private Experiment audiences(RunContext run, Model model, List<Feature> features, boolean published,
      Dataset<Row> tonight) {
    Optional<Dataset<Row>> members = !published ? Optional.empty()
        : new UpliftMembers(run.settings(), run.runDate()).of(model, features,
            run.lake().readLatest(TableCatalog.AUDIENCE_MEMBERS), run.lake().readLatest(TableCatalog.CUSTOMER_SEGMENTS),
            segments.customerSegments(), inputs.purchases().accepted(), inputs.acceptedProfilesOrNull());
    return new Experiment(members, "no member of the audience " + model.audience() + " has a closed attribution "
        + "window yet (experiments.attribution-window-days after their first send)", Arms.CONTROL,
        List.of(Arms.TREATMENT), model.outcome().equals(UpliftSettings.CONVERTED) ? UpliftFit.Outcome.CONVERSION
            : UpliftFit.Outcome.AMOUNT);
  }

  /**
   * An experiment of inputs.experiments: every variant the input names against the configured control (the variants'
   * names: one small Spark job); a boolean metric is a conversion, a number an amount.
   */
  private Experiment external(RunContext run, Model model, List<Feature> features) {
    ExperimentSettings.External external = run.settings().experiments().external();
    String control = external.controlOf(model.experiment());
    String column = external.metrics().stream().filter(m -> m.name().equals(model.outcome())).findFirst()
        .orElseThrow().column();
    boolean conversion = run.settings().experimentsInput().attributes().stream()
        .anyMatch(a -> a.name().equals(column) && a.type().equals(DataTypes.BooleanType));
    UpliftFit.Outcome outcome = conversion ? UpliftFit.Outcome.CONVERSION : UpliftFit.Outcome.AMOUNT;
    Dataset<Row> assignments = inputs.experiments().orElseThrow().accepted();
    List<String> variants = assignments.where(col(Columns.EXPERIMENT).equalTo(model.experiment()))
        .select(col(Columns.VARIANT)).distinct().collectAsList().stream().map(r -> r.getString(0))
        .filter(v -> !v.equals(control)).sorted().toList();
    if (variants.isEmpty()) {
      return new Experiment(Optional.empty(), "inputs.experiments has no member of the experiment "
          + model.experiment() + " in a variant besides its control " + control, control, variants, outcome);
    }
    Optional<Dataset<Row>> members = new UpliftMembers(run.settings(), run.runDate())
        .ofExternal(model, features, assignments, column, inputs.purchases().accepted(),
            inputs.acceptedProfilesOrNull());
    return new Experiment(members, "inputs.experiments has no member of the experiment " + model.experiment(),
        control, variants, outcome);
  }

  private static Interval nothing() {
    return new Interval(Double.NaN, Double.NaN, Double.NaN);
  }

  /** Tonight's customer_uplift rows of one model. Two Spark jobs: the deciles' cut points, the targeting's cut. */
  private static Dataset<Row> customerRows(RunContext run, Model model, UpliftFit.Fitted fitted,
      Dataset<Row> tonight, List<Feature> features, String version, Optional<BudgetedTargeting.Plan> plan) {
    List<Column> read = new ArrayList<>(List.of(col(Columns.CUSTOMER_ID)));
    features.stream().map(Feature::name).distinct().forEach(name -> read.add(col("`" + name + "`")));
    Dataset<Row> scored = fitted.score(tonight.select(read.toArray(Column[]::new)));
    List<Column> byVariant = new ArrayList<>();
    List<Column> upliftColumns = new ArrayList<>();
    for (String variant : fitted.variants()) {
      byVariant.addAll(List.of(lit(variant), col(UpliftFit.upliftColumn(variant))));
      upliftColumns.add(col(UpliftFit.upliftColumn(variant)));
    }
    Column best = upliftColumns.size() == 1 ? upliftColumns.get(0)
        : greatest(upliftColumns.toArray(Column[]::new));
    Column bestVariant = when(best.leq(0), lit(fitted.control()));
    for (String variant : fitted.variants()) {
      bestVariant = bestVariant.when(col(UpliftFit.upliftColumn(variant)).equalTo(best), lit(variant));
    }
    Dataset<Row> rows = Deciles.of(scored.select(col(Columns.CUSTOMER_ID), best.as(SCORE),
        map(byVariant.toArray(Column[]::new)).as(Columns.UPLIFT_BY_VARIANT), bestVariant.as(Columns.BEST_VARIANT)),
        SCORE);
    rows = plan.isPresent() ? Deciles.top(rows, SCORE, plan.get().best().share(), Columns.TARGETED)
        : rows.withColumn(Columns.TARGETED, lit(null).cast("boolean"));
    return rows.select(lit(java.sql.Date.valueOf(run.runDate())).as(Columns.RUN_DATE),
        lit(model.name()).as(Columns.MODEL), col(Columns.CUSTOMER_ID), col(SCORE).as(Columns.UPLIFT_SCORE),
        col(Columns.UPLIFT_BY_VARIANT), col(Columns.BEST_VARIANT), col(Deciles.DECILE).as(Columns.UPLIFT_DECILE),
        col(Columns.TARGETED), lit(version).as(Columns.RUN_ID));
  }

  /** customer_uplift turned into columns per model: one aggregation by customer. */
  private static Dataset<Row> byCustomer(Dataset<Row> customerRows, List<Model> models) {
    List<Column> columns = new ArrayList<>();
    for (Model model : models) {
      Column ofModel = col(Columns.MODEL).equalTo(model.name());
      columns.add(max(when(ofModel, col(Columns.UPLIFT_SCORE))).as(Columns.upliftOf(model.name())));
      columns.add(max(when(ofModel, col(Columns.UPLIFT_DECILE))).as(Columns.upliftDecileOf(model.name())));
      columns.add(max(when(ofModel, col(Columns.TARGETED))).as(Columns.upliftTargetedOf(model.name())));
    }
    return customerRows.groupBy(col(Columns.CUSTOMER_ID))
        .agg(columns.get(0), columns.subList(1, columns.size()).toArray(Column[]::new));
  }

  /**
   * The model that scores tonight under the refit policy of every model of the job ({@link ModelStore#reuseOrFit}):
   * reused until uplift.refit-every-days old; a fit is saved; a fit that cannot learn (no member with a closed window,
   * an arm without members, a conversion that never happens) keeps the last good model, or skips the model.
   */
  private ModelStore.Chosen<UpliftFit.Fitted> scorer(RunContext run, ModelStore store, Model model,
      List<Feature> features, UpliftFit fit, Optional<Dataset<Row>> members, String whyNoMembers,
      UpliftSettings settings) {
    String fingerprint = settings.fingerprint(model, features);
    return store.reuseOrFit(ModelStore.UPLIFT, run.runDate(), run.runId(), history.publishedRunIds(), model.name(),
        fingerprint, settings.refitEveryDays(), saved -> load(store, saved), () -> {
          if (members.isEmpty()) {
            throw new IllegalArgumentException(whyNoMembers);
          }
          UpliftFit.Fitted fitted = fit.fit(members.get());
          store.save(ModelStore.UPLIFT, run.runDate(), run.runId(), model.name(), fitted.model(), Map.of(
              Columns.MODEL, model.name(), Columns.LEARNER, fitted.learner(), "control", fitted.control(),
              "variants", scala.jdk.javaapi.CollectionConverters.asScala(fitted.variants()).toSeq(),
              "outcome", fitted.outcome() == UpliftFit.Outcome.CONVERSION ? "conversion" : "amount",
              Columns.SETTINGS_FINGERPRINT, fingerprint));
          return fitted;
        });
  }

  private static UpliftFit.Fitted load(ModelStore store, ModelStore.Saved saved) {
    Row row = saved.row();
    List<String> variants = row.getList(row.fieldIndex("variants"));
    UpliftFit.Outcome outcome = "conversion".equals(row.getAs("outcome")) ? UpliftFit.Outcome.CONVERSION
        : UpliftFit.Outcome.AMOUNT;
    return new UpliftFit.Fitted(row.getAs(Columns.LEARNER), store.loadPipeline(saved), row.getAs("control"),
        variants, outcome, Map.of());
  }

  /**
   * @param evaluation the variant's held-out figures; NULL without held-out members (or without a model)
   * @param plan the budgeted targeting; NULL without one
   */
  private static Row metricsRow(RunContext run, Model model, String variant,
      ModelStore.Chosen<UpliftFit.Fitted> scorer, long members, QiniEvaluation.Evaluation evaluation,
      BudgetedTargeting.Plan plan) {
    Optional<UpliftFit.Fitted> fitted = scorer.model();
    List<Row> upliftAt = new ArrayList<>();
    List<Row> curve = new ArrayList<>();
    List<Row> perfect = new ArrayList<>();
    if (evaluation != null) {
      for (QiniEvaluation.UpliftAt at : evaluation.upliftAt()) {
        upliftAt.add(RowFactory.create(at.percent(), at.share(), at.members(), finite(at.top().estimate()),
            finite(at.top().low()), finite(at.top().high()), finite(at.rest().estimate()), finite(at.rest().low()),
            finite(at.rest().high())));
      }
      evaluation.curve().forEach(p -> curve.add(RowFactory.create(p.share(), p.qini(), finite(p.lift()))));
      evaluation.perfectCurve().forEach(p -> perfect.add(RowFactory.create(p.share(), p.qini())));
    }
    List<Row> profits = new ArrayList<>();
    if (plan != null) {
      plan.curve().forEach(p -> profits.add(RowFactory.create(p.share(), p.customers(), p.profit())));
    }
    Interval qini = evaluation == null ? nothing() : evaluation.qiniCoefficient();
    Interval auuc = evaluation == null ? nothing() : evaluation.auuc();
    Interval random = evaluation == null ? nothing() : evaluation.randomAuuc();
    return RowFactory.create(java.sql.Date.valueOf(run.runDate()), model.name(), variant,
        model.external() ? null : model.audience(), model.external() ? model.experiment() : null, model.outcome(),
        scorer.status(),
        scorer.message().isEmpty() ? null : scorer.message(),
        scorer.fittedFor() == null ? null : java.sql.Date.valueOf(scorer.fittedFor()),
        fitted.map(UpliftFit.Fitted::learner).orElse(null),
        fitted.map(UpliftFit.Fitted::validationQini).orElse(Map.of()), members,
        evaluation == null ? 0L : evaluation.members(),
        evaluation == null ? null : finite(evaluation.averageEffect()),
        finite(qini.estimate()), finite(qini.low()), finite(qini.high()),
        evaluation == null ? null : finite(evaluation.normalisedQini()),
        finite(auuc.estimate()), finite(auuc.low()), finite(auuc.high()),
        finite(random.estimate()), finite(random.low()), finite(random.high()),
        upliftAt, curve, perfect,
        plan == null ? null : plan.best().share(), plan == null ? null : plan.best().customers(),
        plan == null ? null : plan.best().profit(), profits, scorer.version());
  }

  /** NaN (an empty arm, no interval) is stored as NULL. */
  private static Double finite(double value) {
    return Double.isFinite(value) ? value : null;
  }
}
