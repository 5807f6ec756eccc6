package org.segmentation.report;

import static org.apache.spark.sql.functions.avg;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.concat;
import static org.apache.spark.sql.functions.count;
import static org.apache.spark.sql.functions.explode;
import static org.apache.spark.sql.functions.expr;
import static org.apache.spark.sql.functions.floor;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.max;
import static org.apache.spark.sql.functions.sum;
import static org.apache.spark.sql.functions.when;

import java.math.BigDecimal;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.storage.StorageLevel;
import org.segmentation.experiments.ExperimentSums;
import org.segmentation.io.LakeTables;
import org.segmentation.io.TableCatalog;
import org.segmentation.io.TableSpec;
import org.segmentation.schema.BreakdownCells;
import org.segmentation.schema.Columns;

/**
 * Every figure of one night's report, read from the lake through the publishing contract (each table at the version
 * that holds the night) and aggregated by Spark: only small tables of figures (a row per segment, per R x F cell, per
 * cluster, per recency band ...) reach the driver, never a row per customer.
 *
 * @param night the night shown
 * @param previousRunDate the published night the movements are counted against, if any
 * @param overview customers, buyers and revenue
 * @param reasons the most frequent quarantine reasons per input
 * @param segments segment_summary of the night, largest segment first
 * @param grid customers and mean monetary value per (R, F) score cell
 * @param transitions segment_transitions of the night
 * @param clusters cluster_profiles of the night, by cluster id
 * @param clvSpread the spread of predicted CLV per RFM segment (empty without lifetime values)
 * @param aliveByRecency P(alive) per band of recency (empty without lifetime values)
 * @param clvModel the night's clv_model row as label to value (empty without one)
 * @param audiences members per audience and arm (empty without audiences)
 * @param audienceChanges adds and removes per audience
 * @param trend customers and revenue per segment over the last published nights, oldest first (the earlier nights
 *     as a plain reader of segment_summary sees them)
 * @param satisfaction CSAT or NPS per RFM segment over the same nights, where segment_kpis has answers (empty
 *     without a surveys input)
 * @param propensity the night's propensity models as measured on held-out customers (empty without models)
 * @param uplift the night's uplift models as measured on held-out members of their experiments (empty without)
 * @param affinity the top over-indexed items of each segment of the first affinity dimension (empty without)
 * @param recommenders the night's offline test of the recommenders (empty without)
 * @param rules the night's strongest association rules (empty without)
 */
public record ReportFigures(
    ReportNight night,
    Optional<LocalDate> previousRunDate,
    Overview overview,
    List<ReasonCount> reasons,
    List<SegmentShare> segments,
    List<GridCell> grid,
    List<Transition> transitions,
    List<ClusterProfile> clusters,
    List<ClvSpread> clvSpread,
    List<RecencyBand> aliveByRecency,
    Map<String, String> clvModel,
    List<AudienceArm> audiences,
    List<AudienceChange> audienceChanges,
    List<ExperimentLift> experiments,
    List<TrendPoint> trend,
    List<SatisfactionPoint> satisfaction,
    List<PropensityModel> propensity,
    List<UpliftModel> uplift,
    List<AffinityCell> affinity,
    List<RecommenderTest> recommenders,
    List<ProductRule> rules) {

  /** How many over-indexed items per segment, and rules, the report shows. */
  static final int TOP_ITEMS = 3;
  static final int TOP_RULES = 10;

  /** An over-indexed item of a segment (segment_affinity): its rank, buyer index and Pearson residual. */
  public record AffinityCell(String dimension, String segment, String itemColumn, String item, int rank,
      double index, double residual, long buyers) {}

  /** One recommender of the night's offline test (recommendation_metrics). */
  public record RecommenderTest(String recommender, long customers, Double map, Double mapLow, Double mapHigh,
      Double hitRate, Double hitRateLow, Double hitRateHigh, Double precision, Double recall, boolean exported) {}

  /** An association rule (product_rules). */
  public record ProductRule(List<String> antecedent, String consequent, long baskets, double confidence, double lift,
      Double standardisedLift) {}

  /** The night's customers, buyers (a counted order) and net revenue. */
  public record Overview(long customers, long buyers, BigDecimal revenue) {}

  public record ReasonCount(String input, String reason, long rows) {}

  public record SegmentShare(String segment, long customers, double shareOfCustomers, BigDecimal revenue,
      Double shareOfRevenue, Double meanMonetary, Double meanPredictedClv, Double meanPAlive) {}

  public record GridCell(int recencyScore, int frequencyScore, long customers, double meanMonetary) {}

  public record Transition(String from, String to, long customers) {}

  /** A cluster's size and its z-scores against the base, largest |z| first. */
  public record ClusterProfile(int id, String name, long customers, double shareOfCustomers,
      Map<String, Double> zScores) {}

  /** Percentiles of predicted CLV among a segment's customers with a value. */
  public record ClvSpread(String segment, long customers, double p05, double p25, double median, double p75,
      double p95, double mean) {}

  /** Customers with a recency in [fromDays, toDays) and their P(alive): mean and quartiles. */
  public record RecencyBand(int fromDays, int toDays, long customers, double meanPAlive, double p25, double p75) {}

  public record AudienceArm(String audience, String arm, long members) {}

  public record AudienceChange(String audience, long added, long removed) {}

  /** One row of experiment_results: a variant against control on a metric, in a cell (NULL figures: no statistic). */
  public record ExperimentLift(String experiment, String variant, String metric, String breakdown, String cell,
      long controlN, long variantN, Double controlMean, Double variantMean, Double lift, Double low, Double high,
      Double relativeLift, Double pValue, Double qValue, Double cupedLift, Double cupedLow, Double cupedHigh,
      Double varianceReduction, double confidence, boolean windowComplete, Double srmPValue, boolean srmFlag) {}

  public record TrendPoint(LocalDate runDate, String segment, long customers, BigDecimal revenue) {}

  /**
   * A segment's satisfaction on a night, from segment_kpis.
   *
   * @param scale "CSAT" or "NPS"
   * @param score the CSAT (% satisfied) or the NPS
   */
  public record SatisfactionPoint(LocalDate runDate, String segment, long answers, String scale, double score) {}

  /**
   * One row of propensity_model_metrics: how the model ranks (AUC), keeps its word (calibration per decile) and
   * concentrates the positives (lift and gain per decile), on held-out customers.
   */
  public record PropensityModel(String model, String label, String learner, long evaluationCustomers,
      long evaluationPositives, Double auc, Double aucLow, Double aucHigh, Double expectedCalibrationError,
      List<PropensityDecile> deciles, Map<String, Double> featureWeights) {}

  public record PropensityDecile(int decile, long customers, long positives, double meanPropensity,
      double observedRate, double lift, double cumulativeGain) {}

  /**
   * One row of uplift_model_metrics (source: "audience <name>" or "experiment <name>"): how well the scores find the
   * members the campaign changes (the Qini curve and coefficient, uplift at k) on held-out members, and the budgeted
   * share worth contacting. NULL figures: no model or no held-out members tonight.
   */
  public record UpliftModel(String model, String variant, String source, String outcome, String status,
      String message, String learner, long evaluationMembers, Double averageEffect, Double qini, Double qiniLow,
      Double qiniHigh, Double normalisedQini, List<QiniPoint> curve, List<QiniPoint> perfectCurve,
      List<UpliftAtK> upliftAt, Double contactShare, Long contactCustomers, Double expectedProfit) {}

  /** A point of a Qini curve: incremental outcomes per treated member found in the top share. */
  public record QiniPoint(double share, double qini) {}

  /** The lift measured among the top k % by score, and among the rest (NULL: an empty arm). */
  public record UpliftAtK(int percent, long members, Double top, Double topLow, Double topHigh, Double rest) {}

  /** Recency bands of the P(alive) chart: about this many, of whole days each. */
  static final int RECENCY_BANDS = 20;
  /** Quarantine reasons listed per input. */
  static final int TOP_REASONS = 8;
  /** Accuracy of percentile_approx, as in segment_summary. */
  private static final int ACCURACY = 10_000;

  /**
   * Reads the figures of {@code night}.
   *
   * @param earlierNights the published run dates before the night that the trend shows, oldest first
   */
  public static ReportFigures read(LakeTables lake, ReportNight night, List<LocalDate> earlierNights) {
    Dataset<Row> customers = rowsOf(lake, night, TableCatalog.CUSTOMER_SEGMENTS)
        .orElseThrow(() -> new IllegalStateException("The night of " + night.runDate() + " has no customer_segments"))
        .select(Columns.RFM_SEGMENT, Columns.R_SCORE, Columns.F_SCORE, Columns.MONETARY, Columns.NET_REVENUE,
            Columns.FREQUENCY, Columns.RECENCY_DAYS, Columns.PREDICTED_CLV, Columns.P_ALIVE)
        .persist(StorageLevel.MEMORY_AND_DISK()); // four small aggregations below scan it
    try {
      Row totals = customers.agg(count(lit(1)), count(when(col(Columns.FREQUENCY).gt(0), true)),
          sum(Columns.NET_REVENUE), max(Columns.RECENCY_DAYS)).first();
      Overview overview = new Overview(totals.getLong(0), totals.getLong(1),
          totals.isNullAt(2) ? BigDecimal.ZERO : totals.getDecimal(2));
      List<Row> moves = rowsOf(lake, night, TableCatalog.SEGMENT_TRANSITIONS)
          .map(rows -> rows.select(Columns.FROM_SEGMENT, Columns.TO_SEGMENT, Columns.CUSTOMERS,
              Columns.PREVIOUS_RUN_DATE).collectAsList())
          .orElse(List.of());
      List<SegmentShare> segments = segments(lake, night);
      return new ReportFigures(night,
          moves.stream().filter(r -> !r.isNullAt(3)).map(r -> r.getDate(3).toLocalDate()).findFirst(),
          overview,
          reasons(lake, night),
          segments,
          grid(customers),
          moves.stream().map(r -> new Transition(r.getString(0), r.getString(1), r.getLong(2)))
              .sorted(Comparator.comparing(Transition::from).thenComparing(Transition::to)).toList(),
          clusters(lake, night),
          clvSpread(customers),
          totals.isNullAt(3) ? List.of() : aliveByRecency(customers, totals.getInt(3)),
          clvModel(lake, night),
          audiences(lake, night),
          audienceChanges(lake, night),
          experiments(lake, night),
          trend(lake, night, segments, earlierNights),
          satisfaction(lake, night, earlierNights),
          propensity(lake, night),
          uplift(lake, night),
          affinity(lake, night),
          recommenders(lake, night),
          rules(lake, night));
    } finally {
      customers.unpersist();
    }
  }

  /** The night's rows of a table, when the night wrote it. */
  private static Optional<Dataset<Row>> rowsOf(LakeTables lake, ReportNight night, TableSpec table) {
    return night.versionOf(table).map(version -> lake.readRunDate(table, night.runDate(), version));
  }

  private static List<ReasonCount> reasons(LakeTables lake, ReportNight night) {
    return rowsOf(lake, night, TableCatalog.QUARANTINE)
        .map(rows -> rows.select(col(Columns.SOURCE), explode(col(Columns.REASON_CODES)).as("reason"))
            .groupBy(Columns.SOURCE, "reason").count()
            .collectAsList().stream() // a row per input and reason code: a few dozen at most
            .map(r -> new ReasonCount(r.getString(0), r.getString(1), r.getLong(2)))
            .sorted(Comparator.comparing(ReasonCount::input).thenComparing(ReasonCount::rows, Comparator.reverseOrder())
                .thenComparing(ReasonCount::reason))
            .collect(java.util.stream.Collectors.groupingBy(ReasonCount::input, java.util.TreeMap::new,
                java.util.stream.Collectors.toList()))
            .values().stream().flatMap(reasons -> reasons.stream().limit(TOP_REASONS))
            .toList())
        .orElse(List.of());
  }

  private static List<SegmentShare> segments(LakeTables lake, ReportNight night) {
    return rowsOf(lake, night, TableCatalog.SEGMENT_SUMMARY)
        .map(rows -> rows.select(Columns.RFM_SEGMENT, Columns.CUSTOMERS, Columns.SHARE_OF_CUSTOMERS, Columns.REVENUE,
                Columns.SHARE_OF_REVENUE, Columns.meanOf(Columns.MONETARY), Columns.meanOf(Columns.PREDICTED_CLV),
                Columns.meanOf(Columns.P_ALIVE))
            .collectAsList().stream()
            .map(r -> new SegmentShare(r.getString(0), r.getLong(1), r.getDouble(2), r.getDecimal(3),
                nullable(r, 4), nullable(r, 5), nullable(r, 6), nullable(r, 7)))
            .sorted(Comparator.comparing(SegmentShare::customers, Comparator.reverseOrder())
                .thenComparing(SegmentShare::segment))
            .toList())
        .orElse(List.of());
  }

  private static List<GridCell> grid(Dataset<Row> customers) {
    return customers.where(col(Columns.R_SCORE).isNotNull().and(col(Columns.F_SCORE).isNotNull()))
        .groupBy(Columns.R_SCORE, Columns.F_SCORE)
        .agg(count(lit(1)), avg(col(Columns.MONETARY).cast("double")))
        .collectAsList().stream()
        .map(r -> new GridCell(r.getInt(0), r.getInt(1), r.getLong(2), r.getDouble(3)))
        .sorted(Comparator.comparing(GridCell::recencyScore).thenComparing(GridCell::frequencyScore))
        .toList();
  }

  private static List<ClusterProfile> clusters(LakeTables lake, ReportNight night) {
    return rowsOf(lake, night, TableCatalog.CLUSTER_PROFILES)
        .map(rows -> List.of(rows.columns()).contains(Columns.POPULATION) // the buyers' clusters (older nights: all)
            ? rows.where(col(Columns.POPULATION).isNull().or(col(Columns.POPULATION).equalTo(Columns.BUYERS))) : rows)
        .map(rows -> rows
            .select(Columns.CLUSTER_ID, Columns.CLUSTER_NAME, Columns.CUSTOMERS, Columns.SHARE_OF_CUSTOMERS, "z_score")
            .collectAsList().stream()
            .map(r -> new ClusterProfile(r.getInt(0), r.getString(1), r.getLong(2), r.getDouble(3),
                byMagnitude(r.isNullAt(4) ? Map.of() : r.<String, Double>getJavaMap(4))))
            .sorted(Comparator.comparing(ClusterProfile::id))
            .toList())
        .orElse(List.of());
  }

  /** z-scores, largest |z| first (ties by name), so a chart shows what sets the cluster apart first. */
  private static Map<String, Double> byMagnitude(Map<String, Double> zScores) {
    Map<String, Double> ordered = new LinkedHashMap<>();
    zScores.entrySet().stream()
        .filter(e -> e.getValue() != null && Double.isFinite(e.getValue()))
        .sorted(Comparator.comparing((Map.Entry<String, Double> e) -> -Math.abs(e.getValue()))
            .thenComparing(Map.Entry::getKey))
        .forEach(e -> ordered.put(e.getKey(), e.getValue()));
    return ordered;
  }

  private static List<ClvSpread> clvSpread(Dataset<Row> customers) {
    return customers.where(col(Columns.PREDICTED_CLV).isNotNull())
        .groupBy(Columns.RFM_SEGMENT)
        .agg(count(lit(1)), expr("percentile_approx(" + Columns.PREDICTED_CLV + ", array(0.05, 0.25, 0.5, 0.75, "
            + "0.95), " + ACCURACY + ")").as("percentiles"), avg(Columns.PREDICTED_CLV))
        .collectAsList().stream()
        .map(r -> {
          List<Double> p = r.getList(2);
          return new ClvSpread(r.getString(0), r.getLong(1), p.get(0), p.get(1), p.get(2), p.get(3), p.get(4),
              r.getDouble(3));
        })
        .sorted(Comparator.comparing(ClvSpread::median, Comparator.reverseOrder()).thenComparing(ClvSpread::segment))
        .toList();
  }

  /** Bands of whole days, about {@link #RECENCY_BANDS} of them up to the largest recency. */
  private static List<RecencyBand> aliveByRecency(Dataset<Row> customers, int maxRecency) {
    int width = Math.max(1, (maxRecency + RECENCY_BANDS) / RECENCY_BANDS);
    return customers.where(col(Columns.P_ALIVE).isNotNull().and(col(Columns.RECENCY_DAYS).isNotNull()))
        .groupBy(floor(col(Columns.RECENCY_DAYS).divide(width)).cast("int").as("band"))
        .agg(count(lit(1)), avg(Columns.P_ALIVE),
            expr("percentile_approx(" + Columns.P_ALIVE + ", array(0.25, 0.75), " + ACCURACY + ")"))
        .collectAsList().stream()
        .map(r -> {
          List<Double> q = r.getList(3);
          return new RecencyBand(r.getInt(0) * width, (r.getInt(0) + 1) * width, r.getLong(1), r.getDouble(2),
              q.get(0), q.get(1));
        })
        .sorted(Comparator.comparing(RecencyBand::fromDays))
        .toList();
  }

  /** The clv_model columns a reader of the report wants, as text, in table order. */
  static final List<String> CLV_MODEL_COLUMNS = List.of("status", "parameters_from", "time_unit", "r", "alpha", "a",
      "b", "p", "q", "gamma", "customers", "repeat_customers", "bgnbd_log_likelihood", "bgnbd_converged",
      "gamma_gamma_log_likelihood", "gamma_gamma_converged", "message");

  private static Map<String, String> clvModel(LakeTables lake, ReportNight night) {
    Map<String, String> model = new LinkedHashMap<>();
    rowsOf(lake, night, TableCatalog.CLV_MODEL).ifPresent(rows -> {
      List<Row> found = rows.select(CLV_MODEL_COLUMNS.stream().map(org.apache.spark.sql.functions::col)
          .toArray(org.apache.spark.sql.Column[]::new)).collectAsList();
      if (!found.isEmpty()) {
        for (int i = 0; i < CLV_MODEL_COLUMNS.size(); i++) {
          Object value = found.get(0).get(i);
          if (value != null) {
            model.put(CLV_MODEL_COLUMNS.get(i), value.toString());
          }
        }
      }
    });
    return model;
  }

  private static List<AudienceArm> audiences(LakeTables lake, ReportNight night) {
    return rowsOf(lake, night, TableCatalog.AUDIENCE_MEMBERS)
        .map(rows -> rows.groupBy(Columns.AUDIENCE, Columns.ARM).count()
            .collectAsList().stream()
            .map(r -> new AudienceArm(r.getString(0), r.getString(1), r.getLong(2)))
            .sorted(Comparator.comparing(AudienceArm::audience).thenComparing(AudienceArm::arm))
            .toList())
        .orElse(List.of());
  }

  /** The night's experiment_results rows (a few per experiment, metric and cell), in a stable order. */
  private static List<ExperimentLift> experiments(LakeTables lake, ReportNight night) {
    String lift = Columns.ABSOLUTE_LIFT;
    String cuped = Columns.CUPED_ABSOLUTE_LIFT;
    return rowsOf(lake, night, TableCatalog.EXPERIMENT_RESULTS)
        .map(rows -> rows.select(Columns.EXPERIMENT, Columns.VARIANT, Columns.METRIC, Columns.BREAKDOWN, Columns.CELL,
                Columns.CONTROL_N, Columns.VARIANT_N, Columns.CONTROL_MEAN, Columns.VARIANT_MEAN, lift,
                Columns.lowOf(lift), Columns.highOf(lift), Columns.RELATIVE_LIFT, Columns.P_VALUE, Columns.Q_VALUE,
                cuped, Columns.lowOf(cuped), Columns.highOf(cuped), Columns.VARIANCE_REDUCTION, Columns.CONFIDENCE,
                Columns.WINDOW_COMPLETE, Columns.SRM_P_VALUE, Columns.SRM_FLAG)
            .collectAsList().stream()
            .map(r -> new ExperimentLift(r.getString(0), r.getString(1), r.getString(2), r.getString(3),
                r.getString(4), r.getLong(5), r.getLong(6), nullable(r, 7), nullable(r, 8), nullable(r, 9),
                nullable(r, 10), nullable(r, 11), nullable(r, 12), nullable(r, 13), nullable(r, 14), nullable(r, 15),
                nullable(r, 16), nullable(r, 17), nullable(r, 18), r.getDouble(19), r.getBoolean(20),
                nullable(r, 21), r.getBoolean(22)))
            .sorted(Comparator.comparing(ExperimentLift::experiment).thenComparing(ExperimentLift::variant)
                .thenComparing(ExperimentLift::metric)
                .thenComparing(e -> !e.breakdown().equals(BreakdownCells.WHOLE))
                .thenComparing(ExperimentLift::breakdown).thenComparing(ExperimentLift::cell))
            .toList())
        .orElse(List.of());
  }

  /** The night's propensity_model_metrics rows (one per model), by model name. */
  private static List<PropensityModel> propensity(LakeTables lake, ReportNight night) {
    return rowsOf(lake, night, TableCatalog.PROPENSITY_MODEL_METRICS)
        .map(rows -> rows.select(col(Columns.MODEL), col("label"), col(Columns.LEARNER), col("evaluation_customers"),
                col("evaluation_positives"), col(Columns.AUC), col(Columns.lowOf(Columns.AUC)),
                col(Columns.highOf(Columns.AUC)), col("expected_calibration_error"), col(Columns.DECILES),
                col(Columns.FEATURE_WEIGHTS))
            .collectAsList().stream()
            .map(r -> new PropensityModel(r.getString(0), r.getString(1), r.getString(2), r.getLong(3), r.getLong(4),
                nullable(r, 5), nullable(r, 6), nullable(r, 7), nullable(r, 8),
                r.<Row>getList(9).stream().map(d -> new PropensityDecile(d.getInt(0), d.getLong(1), d.getLong(2),
                    d.getDouble(3), d.getDouble(4), d.getDouble(5), d.getDouble(6))).toList(),
                new java.util.TreeMap<>(r.<String, Double>getJavaMap(10))))
            .sorted(Comparator.comparing(PropensityModel::model))
            .toList())
        .orElse(List.of());
  }

  /**
   * The night's top {@value #TOP_ITEMS} over-indexed items per segment of the first dimension of segment_affinity
   * (in table order: affinity.dimensions' first) and its first item column: a few dozen rows.
   */
  private static List<AffinityCell> affinity(LakeTables lake, ReportNight night) {
    return rowsOf(lake, night, TableCatalog.SEGMENT_AFFINITY)
        .map(rows -> rows.where(col(Columns.OVER_INDEXED).and(col(Columns.INDEX_RANK).leq(TOP_ITEMS)))
            .select(col(Columns.DIMENSION), col(Columns.SEGMENT), col(Columns.ITEM_COLUMN), col(Columns.ITEM),
                col(Columns.INDEX_RANK), col(Columns.BUYER_INDEX), col(Columns.PEARSON_RESIDUAL), col(Columns.BUYERS))
            .collectAsList().stream()
            .map(r -> new AffinityCell(r.getString(0), r.getString(1), r.getString(2), r.getString(3), r.getInt(4),
                r.getDouble(5), r.getDouble(6), r.getLong(7)))
            .sorted(Comparator.comparing(AffinityCell::dimension).thenComparing(AffinityCell::itemColumn)
                .thenComparing(AffinityCell::segment).thenComparing(AffinityCell::rank)
                .thenComparing(AffinityCell::item))
            .toList())
        .orElse(List.of());
  }

  /** The night's recommendation_metrics rows, the exported recommender first. */
  private static List<RecommenderTest> recommenders(LakeTables lake, ReportNight night) {
    return rowsOf(lake, night, TableCatalog.RECOMMENDATION_METRICS)
        .map(rows -> rows.select(col(Columns.RECOMMENDER), col(Columns.EVALUATION_CUSTOMERS), col(Columns.MAP_AT_K),
                col(Columns.lowOf(Columns.MAP_AT_K)), col(Columns.highOf(Columns.MAP_AT_K)),
                col(Columns.HIT_RATE_AT_K), col(Columns.lowOf(Columns.HIT_RATE_AT_K)),
                col(Columns.highOf(Columns.HIT_RATE_AT_K)), col(Columns.PRECISION_AT_K), col(Columns.RECALL_AT_K),
                col("exported"))
            .collectAsList().stream()
            .map(r -> new RecommenderTest(r.getString(0), r.getLong(1), nullable(r, 2), nullable(r, 3),
                nullable(r, 4), nullable(r, 5), nullable(r, 6), nullable(r, 7), nullable(r, 8), nullable(r, 9),
                r.getBoolean(10)))
            .sorted(Comparator.comparing(RecommenderTest::exported).reversed()
                .thenComparing(RecommenderTest::recommender))
            .toList())
        .orElse(List.of());
  }

  /** The night's {@value #TOP_RULES} rules with the highest lift (of those in at least the minimum of baskets). */
  private static List<ProductRule> rules(LakeTables lake, ReportNight night) {
    return rowsOf(lake, night, TableCatalog.PRODUCT_RULES)
        .map(rows -> rows.orderBy(col(Columns.LIFT).desc(), col(Columns.CONSEQUENT),
                org.apache.spark.sql.functions.array_join(col(Columns.ANTECEDENT), ","))
            .limit(TOP_RULES)
            .select(col(Columns.ANTECEDENT), col(Columns.CONSEQUENT), col(Columns.BASKETS), col(Columns.CONFIDENCE),
                col(Columns.LIFT), col(Columns.STANDARDISED_LIFT))
            .collectAsList().stream()
            .map(r -> new ProductRule(r.<String>getList(0), r.getString(1), r.getLong(2), r.getDouble(3),
                r.getDouble(4), nullable(r, 5)))
            .toList())
        .orElse(List.of());
  }

  /** The night's uplift_model_metrics rows, by model and variant. */
  private static List<UpliftModel> uplift(LakeTables lake, ReportNight night) {
    return rowsOf(lake, night, TableCatalog.UPLIFT_MODEL_METRICS)
        .map(rows -> rows.select(col(Columns.MODEL), col(Columns.VARIANT), when(col(Columns.AUDIENCE).isNotNull(),
                    concat(lit("audience "), col(Columns.AUDIENCE)))
                    .otherwise(concat(lit("experiment "), col(Columns.EXPERIMENT))), col("outcome"),
                col(Columns.STATUS), col("message"), col(Columns.LEARNER), col("evaluation_members"),
                col("average_effect"), col(Columns.QINI_COEFFICIENT), col(Columns.lowOf(Columns.QINI_COEFFICIENT)),
                col(Columns.highOf(Columns.QINI_COEFFICIENT)), col("normalised_qini"), col("qini_curve"),
                col("perfect_curve"), col("uplift_at"), col("contact_share"), col("contact_customers"),
                col("expected_profit"))
            .collectAsList().stream()
            .map(r -> new UpliftModel(r.getString(0), r.getString(1), r.getString(2), r.getString(3), r.getString(4),
                r.getString(5), r.getString(6), r.getLong(7), nullable(r, 8), nullable(r, 9), nullable(r, 10),
                nullable(r, 11), nullable(r, 12),
                r.<Row>getList(13).stream().map(p -> new QiniPoint(p.getDouble(0), p.getDouble(1))).toList(),
                r.<Row>getList(14).stream().map(p -> new QiniPoint(p.getDouble(0), p.getDouble(1))).toList(),
                r.<Row>getList(15).stream().map(k -> new UpliftAtK(k.getInt(0), k.getLong(2), nullable(k, 3),
                    nullable(k, 4), nullable(k, 5), nullable(k, 6))).toList(),
                nullable(r, 16), r.isNullAt(17) ? null : r.getLong(17), nullable(r, 18)))
            .sorted(Comparator.comparing(UpliftModel::model).thenComparing(UpliftModel::variant,
                Comparator.nullsFirst(Comparator.naturalOrder())))
            .toList())
        .orElse(List.of());
  }

  private static List<AudienceChange> audienceChanges(LakeTables lake, ReportNight night) {
    return rowsOf(lake, night, TableCatalog.AUDIENCE_CHANGES)
        .map(rows -> rows.groupBy(Columns.AUDIENCE)
            .agg(count(when(col(Columns.CHANGE).equalTo("added"), true)),
                count(when(col(Columns.CHANGE).equalTo("removed"), true)))
            .collectAsList().stream()
            .map(r -> new AudienceChange(r.getString(0), r.getLong(1), r.getLong(2)))
            .sorted(Comparator.comparing(AudienceChange::audience))
            .toList())
        .orElse(List.of());
  }

  /**
   * The trend: the night's own segments (already read through the contract) and, for the earlier published nights,
   * segment_summary as a plain reader sees it now, in one read of the table's latest snapshot. A plain reader sees
   * published nights only (every run repairs what a killed run left before it writes, README "Failure behaviour"),
   * and unlike time travel to each night's own version this read survives OPTIMIZE and VACUUM of older nights.
   */
  private static List<TrendPoint> trend(LakeTables lake, ReportNight night, List<SegmentShare> segments,
      List<LocalDate> earlierNights) {
    List<java.sql.Date> earlier = earlierNights.stream().map(java.sql.Date::valueOf).toList();
    List<TrendPoint> points = new ArrayList<>();
    if (!earlier.isEmpty()) {
      lake.read(TableCatalog.SEGMENT_SUMMARY)
          .where(col(Columns.RUN_DATE).isin(earlier.toArray()))
          .select(Columns.RUN_DATE, Columns.RFM_SEGMENT, Columns.CUSTOMERS, Columns.REVENUE)
          .collectAsList().forEach(r -> points.add(
              new TrendPoint(r.getDate(0).toLocalDate(), r.getString(1), r.getLong(2), r.getDecimal(3))));
    }
    segments.forEach(s -> points.add(new TrendPoint(night.runDate(), s.segment(), s.customers(), s.revenue())));
    points.sort(Comparator.comparing(TrendPoint::runDate).thenComparing(TrendPoint::segment));
    return List.copyOf(points);
  }

  /**
   * segment_kpis' RFM segment cells with answers: tonight's through the contract, the earlier nights' as a plain
   * reader sees them (as the trend reads segment_summary).
   */
  private static List<SatisfactionPoint> satisfaction(LakeTables lake, ReportNight night,
      List<LocalDate> earlierNights) {
    Optional<Dataset<Row>> tonight = rowsOf(lake, night, TableCatalog.SEGMENT_KPIS);
    if (tonight.isEmpty()) {
      return List.of();
    }
    Dataset<Row> rows = tonight.get();
    if (!earlierNights.isEmpty()) {
      rows = rows.unionByName(lake.read(TableCatalog.SEGMENT_KPIS).where(col(Columns.RUN_DATE).isin(
          earlierNights.stream().map(java.sql.Date::valueOf).toArray())), true);
    }
    List<SatisfactionPoint> points = new ArrayList<>();
    rows.where(col(Columns.BREAKDOWN).equalTo(Columns.RFM_SEGMENT).and(col(Columns.ANSWERS).gt(0)))
        .select(Columns.RUN_DATE, Columns.CELL, Columns.ANSWERS, Columns.CSAT, Columns.NPS)
        .collectAsList().forEach(r -> points.add(new SatisfactionPoint(r.getDate(0).toLocalDate(), r.getString(1),
            r.getLong(2), r.isNullAt(3) ? "NPS" : "CSAT", r.isNullAt(3) ? r.getDouble(4) : r.getDouble(3))));
    points.sort(Comparator.comparing(SatisfactionPoint::runDate).thenComparing(SatisfactionPoint::segment));
    return List.copyOf(points);
  }

  private static Double nullable(Row row, int field) {
    return row.isNullAt(field) ? null : row.getDouble(field);
  }
}
