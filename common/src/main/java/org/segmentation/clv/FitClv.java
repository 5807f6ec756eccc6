package org.segmentation.clv;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.pmod;
import static org.apache.spark.sql.functions.xxhash64;

import java.time.Instant;
import java.time.LocalDate;
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
import org.segmentation.config.ClvSettings;
import org.segmentation.features.BuildFeatures;
import org.segmentation.io.ModelStore;
import org.segmentation.io.PublishedHistory;
import org.segmentation.io.TableCatalog;
import org.segmentation.pipeline.RunContext;
import org.segmentation.pipeline.Step;
import org.segmentation.pipeline.StepResult;
import org.segmentation.schema.Columns;

/**
 * Step {@code clv_fit}: the night's lifetime-value parameters. It owns the policy:
 * <ul>
 *   <li><b>reuse</b> the parameters of the latest clv_model row of a published run with the same clv settings
 *       ({@link ClvSettings#fingerprint()}) while they are younger than {@code clv.refit-every-days} (the refit policy
 *       of clustering, {@link ModelStore#refitReason});</li>
 *   <li><b>fit</b> otherwise: the customers' histories are aggregated in Spark to distinct (x, t_x, T) with counts
 *       and distinct (x, mean repeat value) with counts, and only those come to the driver, where BG/NBD and
 *       Gamma-Gamma are fitted ({@link ClvFit}). More than {@code clv.max-fit-points} distinct rows and the fit reads
 *       those of a fixed hash sample of the customers instead;</li>
 *   <li><b>when the fit fails</b> (too few customers or repeat buyers, no convergence, a non-finite mean value):
 *       keep the last good parameters of a published run (any age) or skip, as {@code clv.on-failed-fit} says; the
 *       progress line and the clv_model row say which and why.</li>
 * </ul>
 */
public record FitClv(BuildFeatures.Features features, PublishedHistory history) implements Step<FitClv.Fitted> {
  public static final String FITTED = "fitted";
  public static final String REUSED = "reused";
  public static final String KEPT_LAST_GOOD = "kept_last_good";
  public static final String SKIPPED = "skipped";
  private static final String X = "x";
  private static final String TX_DAYS = "tx_days";
  private static final String T_DAYS = "t_days";
  private static final String M = "m";
  private static final String COUNT = "count";
  private static final long SAMPLE_BUCKETS = 1_000_000L;

  /**
   * The night's parameters.
   *
   * @param model the parameters to score with; empty when lifetime value is off or skipped tonight
   * @param modelRows the clv_model row of the night (none when lifetime value is off)
   * @param progressDetails what happened, for the progress line
   */
  public record Fitted(Optional<ClvModel> model, Dataset<Row> modelRows, String progressDetails)
      implements StepResult {}

  @Override
  public String name() {
    return "clv_fit";
  }

  @Override
  public Fitted execute(RunContext run) {
    ClvSettings settings = run.settings().clv();
    if (!settings.enabled()) {
      return new Fitted(Optional.empty(), rows(run, List.of()), "enabled=false");
    }
    long started = System.nanoTime();
    ModelStore store = new ModelStore(run.spark(), run.settings().lake());
    Optional<Row> lastGood = store.latestPublishedOnOrBefore(ModelStore.CLV, run.runDate(),
        history.publishedRunIds(),
        col(Columns.STATUS).isin(FITTED, REUSED, KEPT_LAST_GOOD)
            .and(col(Columns.SETTINGS_FINGERPRINT).equalTo(lit(settings.fingerprint()))))
        .map(ModelStore.Saved::row);
    Optional<String> refitReason = ModelStore.refitReason(lastGood.map(FitClv::parametersFrom), run.runDate(),
        settings.refitEveryDays());
    if (refitReason.isEmpty()) {
      Row last = lastGood.get();
      ClvModel reused = modelOf(last, settings);
      return new Fitted(Optional.of(reused), rows(run, List.of(copy(run, last, REUSED, null))),
          "status=reused parameters_from=" + parametersFrom(last) + " " + reused.describe());
    }

    Fit fit = fit(features.rows(), run.runDate(), settings);
    double seconds = (System.nanoTime() - started) / 1e9;
    String refit = " refit_reason=" + refitReason.get();
    if (fit.problem().isEmpty()) {
      ClvModel model = new ClvModel(fit.purchases().model().get(), fit.spend().model().get(), settings.timeUnit(),
          run.runDate());
      return new Fitted(Optional.of(model), rows(run, List.of(fitted(run, fit, seconds))),
          "status=fitted" + refit + " " + model.describe() + " " + fit.describe());
    }
    String problem = fit.problem().get();
    if (settings.onFailedFit() == ClvSettings.OnFailedFit.KEEP_LAST_GOOD && lastGood.isPresent()) {
      Row last = lastGood.get();
      return new Fitted(Optional.of(modelOf(last, settings)), rows(run, List.of(copy(run, last, KEPT_LAST_GOOD,
          problem))), "status=kept_last_good" + refit + " parameters_from=" + parametersFrom(last)
          + " problem=\"" + problem + "\" " + fit.describe());
    }
    return new Fitted(Optional.empty(), rows(run, List.of(skipped(run, fit, problem, seconds))),
        "status=skipped" + refit + " problem=\"" + problem + "\" " + fit.describe());
  }

  /** What the fit found, before the policy decides. */
  record Fit(ModelFit<BgNbd> purchases, ModelFit<GammaGamma> spend, long customers, long repeatCustomers,
      long histories, boolean sampled, double aggregateSeconds, double optimiseSeconds, Optional<String> problem) {
    String describe() {
      return "customers=" + customers + " repeat_customers=" + repeatCustomers + " histories=" + histories
          + " sampled=" + sampled
          + String.format(Locale.ROOT, " aggregate_seconds=%.1f optimise_seconds=%.1f", aggregateSeconds,
              optimiseSeconds)
          + (purchases == null ? "" : String.format(Locale.ROOT, " bgnbd_ll=%.2f bgnbd_converged=%s bgnbd_evaluations=%d"
              + " bgnbd_starts=%d bgnbd_gap_to_second_best_ll=%.4g", purchases.logLikelihood(), purchases.converged(),
              purchases.evaluations(), purchases.starts(), purchases.logLikelihoodGap()))
          + (spend == null ? "" : String.format(Locale.ROOT, " gamma_gamma_ll=%.2f gamma_gamma_converged=%s "
              + "gamma_gamma_evaluations=%d gamma_gamma_starts=%d gamma_gamma_gap_to_second_best_ll=%.4g",
              spend.logLikelihood(), spend.converged(), spend.evaluations(), spend.starts(),
              spend.logLikelihoodGap()));
    }
  }

  /** Aggregates the histories in Spark (two small jobs over the persisted features) and fits both models. */
  static Fit fit(Dataset<Row> features, LocalDate runDate, ClvSettings settings) {
    long started = System.nanoTime();
    Dataset<Row> buyers = features.where(col(Columns.PURCHASE_DAYS).gt(0)).select(
        col(Columns.CUSTOMER_ID),
        ClvScoring.repeatPurchases().cast("double").as(X),
        ClvScoring.daysFirstToLast().as(TX_DAYS),
        ClvScoring.daysSinceFirst(runDate).as(T_DAYS),
        col(Columns.REPEAT_PURCHASE_VALUE).as(M));
    Aggregated histories = aggregate(buyers, settings.maxFitPoints(), col(X), col(TX_DAYS), col(T_DAYS));
    Aggregated repeatValues = aggregate(buyers.where(col(X).gt(0).and(col(M).gt(0))), settings.maxFitPoints(),
        col(X), col(M));
    double unit = settings.timeUnit().days();
    int n = histories.rows().size();
    double[] x = new double[n];
    double[] tx = new double[n];
    double[] T = new double[n];
    double[] customers = new double[n];
    for (int i = 0; i < n; i++) {
      Row row = histories.rows().get(i);
      x[i] = row.getDouble(0);
      tx[i] = row.getInt(1) / unit;
      T[i] = row.getInt(2) / unit;
      customers[i] = row.getLong(3);
    }
    int m = repeatValues.rows().size();
    double[] repeatX = new double[m];
    double[] meanValue = new double[m];
    double[] repeaters = new double[m];
    for (int i = 0; i < m; i++) {
      Row row = repeatValues.rows().get(i);
      repeatX[i] = row.getDouble(0);
      meanValue[i] = row.getDouble(1);
      repeaters[i] = row.getLong(2);
    }
    long customerCount = histories.customers();
    long repeatCount = repeatValues.customers();
    boolean sampled = histories.sampled() || repeatValues.sampled();
    double aggregateSeconds = (System.nanoTime() - started) / 1e9;
    if (customerCount < settings.minCustomers() || repeatCount < settings.minRepeatCustomers()) {
      return new Fit(null, null, customerCount, repeatCount, n, sampled, aggregateSeconds, 0, Optional.of(String.format(Locale.ROOT,
          "too few data: %d customers with a purchase (clv.min-customers = %d), %d with a repeat purchase "
              + "(clv.min-repeat-customers = %d)", customerCount, settings.minCustomers(), repeatCount,
          settings.minRepeatCustomers())));
    }
    ModelFit<BgNbd> purchases = ClvFit.bgNbd(new ClvFit.Histories(x, tx, T, customers), settings.penalizer(),
        settings.maxEvaluations());
    ModelFit<GammaGamma> spend = ClvFit.gammaGamma(new ClvFit.RepeatValues(repeatX, meanValue, repeaters),
        settings.penalizer(), settings.maxEvaluations());
    Optional<String> problem = Optional.empty();
    if (!purchases.converged()) {
      problem = Optional.of("BG/NBD: " + purchases.problem().orElse("no parameters"));
    } else if (!spend.converged()) {
      problem = Optional.of("Gamma-Gamma: " + spend.problem().orElse("no parameters"));
    } else if (!Double.isFinite(spend.model().get().populationMeanValue())) {
      problem = Optional.of("Gamma-Gamma: q <= 1, so the mean purchase value is not finite");
    }
    return new Fit(purchases, spend, customerCount, repeatCount, n, sampled, aggregateSeconds,
        (System.nanoTime() - started) / 1e9 - aggregateSeconds, problem);
  }

  /** Distinct rows of {@code keys} with their counts, at most {@code max} of them. */
  record Aggregated(List<Row> rows, boolean sampled) {
    long customers() {
      return rows.stream().mapToLong(r -> r.getLong(r.length() - 1)).sum();
    }
  }

  /**
   * Counts the distinct values of {@code keys}. Beyond {@code max} distinct rows, counts those of a fixed sample of
   * the customers (a hash of the customer id, so the same customers every night), sized to stay below {@code max}.
   */
  static Aggregated aggregate(Dataset<Row> buyers, int max, Column... keys) {
    List<Row> rows = sorted(buyers.groupBy(keys).count().limit(max + 1).collectAsList());
    if (rows.size() <= max) {
      return new Aggregated(rows, false);
    }
    long customers = buyers.count();
    long buckets = (long) Math.floor(0.9 * max / customers * SAMPLE_BUCKETS);
    Column inSample = pmod(xxhash64(col(Columns.CUSTOMER_ID)), lit(SAMPLE_BUCKETS)).lt(buckets);
    List<Row> sample = sorted(buyers.where(inSample).groupBy(keys).count().limit(max + 1).collectAsList());
    return new Aggregated(sample.size() <= max ? sample : sample.subList(0, max), true);
  }

  /**
   * The rows in the order of their keys. Spark returns groups in an order that depends on the partitioning (local or
   * on a cluster, how many executors); a floating-point sum in another order differs in its last bits, which the
   * optimiser can turn into different digits of the parameters. Sorted, the same data give the same fit anywhere.
   */
  @SuppressWarnings({"unchecked", "rawtypes"})
  private static List<Row> sorted(List<Row> rows) {
    List<Row> copy = new ArrayList<>(rows);
    copy.sort((a, b) -> {
      for (int i = 0; i < a.length() - 1; i++) {
        int order = ((Comparable) a.get(i)).compareTo(b.get(i));
        if (order != 0) {
          return order;
        }
      }
      return 0;
    });
    return copy;
  }

  private static LocalDate parametersFrom(Row row) {
    return row.<java.sql.Date>getAs("parameters_from").toLocalDate();
  }

  private static ClvModel modelOf(Row row, ClvSettings settings) {
    return new ClvModel(
        new BgNbd(row.getAs("r"), row.getAs("alpha"), row.getAs("a"), row.getAs("b")),
        new GammaGamma(row.getAs("p"), row.getAs("q"), row.getAs("gamma")),
        settings.timeUnit(), parametersFrom(row));
  }

  private static Map<String, Object> common(RunContext run, String status, String message) {
    Map<String, Object> values = new LinkedHashMap<>();
    values.put(Columns.RUN_DATE, java.sql.Date.valueOf(run.runDate()));
    values.put(Columns.RUN_ID, run.runId());
    values.put(Columns.STATUS, status);
    values.put("message", message);
    values.put("time_unit", org.segmentation.config.ConfigReader.kebab(run.settings().clv().timeUnit()));
    values.put(Columns.SETTINGS_FINGERPRINT, run.settings().clv().fingerprint());
    values.put(Columns.SAVED_AT, java.sql.Timestamp.from(Instant.now()));
    return values;
  }

  private static Row fitted(RunContext run, Fit fit, double seconds) {
    Map<String, Object> values = common(run, FITTED, null);
    values.put("parameters_from", java.sql.Date.valueOf(run.runDate()));
    putFit(values, fit, seconds);
    return toRow(values);
  }

  private static Row skipped(RunContext run, Fit fit, String problem, double seconds) {
    Map<String, Object> values = common(run, SKIPPED, problem);
    putFit(values, fit, seconds);
    return toRow(values);
  }

  private static void putFit(Map<String, Object> values, Fit fit, double seconds) {
    if (fit.purchases() != null) {
      fit.purchases().model().ifPresent(m -> {
        values.put("r", m.r());
        values.put("alpha", m.alpha());
        values.put("a", m.a());
        values.put("b", m.b());
      });
      values.put("bgnbd_log_likelihood", finiteOrNull(fit.purchases().logLikelihood()));
      values.put("bgnbd_converged", fit.purchases().converged());
      values.put("bgnbd_evaluations", fit.purchases().evaluations());
    }
    if (fit.spend() != null) {
      fit.spend().model().ifPresent(m -> {
        values.put("p", m.p());
        values.put("q", m.q());
        values.put("gamma", m.gamma());
      });
      values.put("gamma_gamma_log_likelihood", finiteOrNull(fit.spend().logLikelihood()));
      values.put("gamma_gamma_converged", fit.spend().converged());
      values.put("gamma_gamma_evaluations", fit.spend().evaluations());
    }
    values.put(Columns.CUSTOMERS, fit.customers());
    values.put("repeat_customers", fit.repeatCustomers());
    values.put("histories", fit.histories());
    values.put("sampled", fit.sampled());
    values.put("fit_seconds", Math.round(seconds * 1000) / 1000.0);
  }

  /** A row of this night that carries the parameters (and their fit's figures) of an earlier row. */
  private static Row copy(RunContext run, Row source, String status, String message) {
    Map<String, Object> values = common(run, status, message);
    for (String column : TableCatalog.CLV_MODEL.columnNames()) {
      if (!values.containsKey(column)) {
        values.put(column, source.getAs(column));
      }
    }
    return toRow(values);
  }

  private static Double finiteOrNull(double value) {
    return Double.isFinite(value) ? value : null;
  }

  private static Row toRow(Map<String, Object> values) {
    List<Object> ordered = new ArrayList<>();
    for (String column : TableCatalog.CLV_MODEL.columnNames()) {
      ordered.add(values.get(column));
    }
    return RowFactory.create(ordered.toArray());
  }

  private static Dataset<Row> rows(RunContext run, List<Row> rows) {
    return run.spark().createDataFrame(rows, TableCatalog.CLV_MODEL.schema());
  }
}
