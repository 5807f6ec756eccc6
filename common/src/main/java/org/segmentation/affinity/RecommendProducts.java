package org.segmentation.affinity;

import static org.apache.spark.sql.functions.coalesce;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.when;

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
import org.apache.spark.storage.StorageLevel;
import org.segmentation.config.AffinitySettings;
import org.segmentation.config.AffinitySettings.Recommender;
import org.segmentation.config.ConfigReader;
import org.segmentation.input.ValidatedInputs;
import org.segmentation.io.CheckpointFolder;
import org.segmentation.io.TableCatalog;
import org.segmentation.io.TableSpec;
import org.segmentation.output.AssembleSegmentTables;
import org.segmentation.pipeline.RunContext;
import org.segmentation.pipeline.Step;
import org.segmentation.pipeline.StepResult;
import org.segmentation.propensity.HeldOutEvaluation.Interval;
import org.segmentation.schema.Columns;

/**
 * Step {@code next_best_products}: each customer's next-best items, and the offline test that decides whose lists
 * they are.
 *
 * <p><b>The test</b> ({@link NextBestItems#split}): the three recommenders are fitted on the lines up to run date -
 * {@code affinity.recommendations.evaluation-days} and measured ({@link RankingQuality}) on what customers bought for
 * the first time after it: ALS (customers with fewer than {@code cold-below-items} distinct items, or none before the
 * cut-off, get their segment's list, as they will tonight), the segment's popularity and global popularity. ALS's
 * lists are exported when its MAP@k beats the segment-popularity baseline's; otherwise (with
 * {@code export-baseline-unless-better}, the default) the baseline's are, and recommendation_metrics says so. The
 * baseline's segment is the customer's segment tonight, which has seen the window: if anything, that favours the
 * baseline.
 *
 * <p><b>Tonight's lists</b>: the exported recommender fitted again on every line up to the run date; every customer
 * of customer_segments gets one (a customer whose segment bought nothing, such as a prospect, gets the globally
 * popular items). Turned off, a lake that has the tables gets no rows for the date.
 *
 * <p>Cost: three aggregations of the lines into histories (before the cut-off, after it, all), persisted while the step
 * reads them; two ALS fits (the test's and tonight's), the popularity counts over the histories, three bootstrap
 * collections of 100 group sums; tonight's lists are computed and persisted by the step. No customer row reaches the
 * driver.
 */
public record RecommendProducts(ValidatedInputs inputs, AssembleSegmentTables.SegmentTables segments)
    implements Step<RecommendProducts.Recommended> {
  private static final String SEGMENT = "__segment";
  private static final String OWN_ITEMS = "__own_items";
  private static final String ALS_ITEMS = "__als_items";
  private static final String WARM_ITEMS = "__warm_items";

  /** What one recommender measured offline. */
  public record Evaluated(Recommender recommender, RankingQuality.Measures measures) {}

  /**
   * @param tables next_best_products and recommendation_metrics, when written tonight (or emptied for the date)
   * @param evaluated each recommender's offline measures (empty when off)
   * @param exported whose lists next_best_products holds (empty when off)
   * @param byCustomer customer_id and {@link Columns#NEXT_BEST_PRODUCTS}, for audiences (empty when off)
   * @param checkpoints where the ALS fits checkpointed (empty when off): the persisted lists descend from those
   *     checkpoints, so the folder goes when they are released, not before (a lost cached block is computed again
   *     from it)
   */
  public record Recommended(Map<TableSpec, Dataset<Row>> tables, List<Evaluated> evaluated,
      Optional<Recommender> exported, Optional<Dataset<Row>> byCustomer, Optional<CheckpointFolder> checkpoints)
      implements StepResult {
    @Override
    public String progressDetails() {
      if (exported.isEmpty()) {
        return "recommendations=off";
      }
      StringBuilder details = new StringBuilder("exported=" + name(exported.get()));
      for (Evaluated e : evaluated) {
        Interval map = e.measures().get(RankingQuality.MAP);
        details.append(String.format(Locale.ROOT, " %s=\"map=%.4f [%.4f, %.4f] hit_rate=%.3f customers=%d\"",
            name(e.recommender()), map.estimate(), map.low(), map.high(),
            e.measures().get(RankingQuality.HIT_RATE).estimate(), e.measures().customers()));
      }
      return details.toString();
    }

    @Override
    public void release() {
      tables.values().forEach(Dataset::unpersist);
      checkpoints.ifPresent(CheckpointFolder::close);
    }
  }

  @Override
  public String name() {
    return "next_best_products";
  }

  /** A recommender's name in the tables: als, segment_popularity, popularity. */
  public static String name(Recommender recommender) {
    return ConfigReader.kebab(recommender).replace('-', '_');
  }

  @Override
  public Recommended execute(RunContext run) {
    AffinitySettings settings = run.settings().affinity();
    if (!settings.enabled() || !settings.recommendations().enabled()) {
      return new Recommended(run.lake().noRowsInThoseItHas(TableCatalog.RECOMMENDATION_TABLES), List.of(),
          Optional.empty(), Optional.empty(), Optional.empty());
    }
    // ALS checkpoints its factors only where the context has a checkpoint folder; without, its lineage grows with the
    // iterations (CheckpointFolder says why that matters)
    CheckpointFolder checkpoints = CheckpointFolder.forRun(run.spark(), run.settings().lake().root(), run.runId());
    try {
      return recommend(run, checkpoints);
    } catch (RuntimeException | Error e) {
      checkpoints.close();
      throw e;
    }
  }

  private Recommended recommend(RunContext run, CheckpointFolder checkpoints) {
    AffinitySettings settings = run.settings().affinity();
    AffinitySettings.Recommendations r = settings.recommendations();
    NextBestItems next = new NextBestItems(settings.item(), r.count());
    RankingQuality quality = new RankingQuality(r.count());
    Dataset<Row> lines = AffinityLines.of(inputs, settings, run.runDate());
    Dataset<Row> customers = segments.customerSegments()
        .select(col(Columns.CUSTOMER_ID), col(r.segment()).cast("string").as(SEGMENT));

    // the offline test: nothing after the cut-off reaches a fit
    LocalDate cutoff = run.runDate().minusDays(r.evaluationDays());
    NextBestItems.Split split = NextBestItems.split(lines, cutoff, run.runDate());
    // each history is aggregated once and read by every recommender and measure
    NextBestItems.History fit = next.history(split.fit()).persist();
    NextBestItems.History window = next.history(split.window()).persist();
    List<Evaluated> evaluated = new ArrayList<>();
    try {
      Map<Recommender, Dataset<Row>> offline = new LinkedHashMap<>();
      Dataset<Row> segmentLists = next.popularInSegment(fit, customers, SEGMENT);
      offline.put(Recommender.ALS, withColdOnSegment(next.als(fit, r.rank(), r.iterations(), r.regParam(),
          r.alpha(), r.seed()), segmentLists, fit, r).drop(Columns.RECOMMENDER));
      offline.put(Recommender.SEGMENT_POPULARITY, segmentLists);
      offline.put(Recommender.POPULARITY, next.popular(fit, customers));
      offline.forEach((recommender, lists) -> evaluated.add(new Evaluated(recommender, quality.measured(
          quality.perCustomer(next.newPurchases(fit, window, lists)), r.bootstrapResamples(), r.seed(),
          r.confidence()))));
    } finally {
      fit.unpersist();
      window.unpersist();
    }
    double alsMap = evaluated.get(0).measures().get(RankingQuality.MAP).estimate();
    double baselineMap = evaluated.get(1).measures().get(RankingQuality.MAP).estimate();
    // NaN (nobody bought anything new in the window) beats nothing: the baseline is exported, if so configured
    Recommender exported = !r.exportBaselineUnlessBetter() || alsMap > baselineMap ? Recommender.ALS
        : Recommender.SEGMENT_POPULARITY;

    // tonight's lists, from every line up to the run date, computed here (counted) so that the history can go
    NextBestItems.History all = next.history(lines).persist();
    Dataset<Row> tonightSegmentLists = next.popularInSegment(all, customers, SEGMENT);
    Dataset<Row> warmLists = exported == Recommender.ALS
        ? withColdOnSegment(next.als(all, r.rank(), r.iterations(), r.regParam(), r.alpha(), r.seed()),
            tonightSegmentLists, all, r)
        : tonightSegmentLists.withColumn(Columns.RECOMMENDER, lit(name(Recommender.SEGMENT_POPULARITY)));
    // a customer whose segment bought nothing (a prospect's) gets what most customers bought
    Dataset<Row> lists = next.popular(all, customers)
        .join(warmLists.withColumnRenamed(NextBestItems.ITEMS, WARM_ITEMS), new String[] {Columns.CUSTOMER_ID}, "left")
        .select(col(Columns.CUSTOMER_ID), coalesce(col(WARM_ITEMS), col(NextBestItems.ITEMS)).as(NextBestItems.ITEMS),
            coalesce(col(Columns.RECOMMENDER), lit(name(Recommender.POPULARITY))).as(Columns.RECOMMENDER));
    Dataset<Row> customerRows = lists.select(lit(java.sql.Date.valueOf(run.runDate())).as(Columns.RUN_DATE),
            col(Columns.CUSTOMER_ID), col(NextBestItems.ITEMS).as(Columns.NEXT_BEST_PRODUCTS),
            col(Columns.RECOMMENDER), lit(settings.item()).as(Columns.ITEM_COLUMN), lit(run.runId()).as(Columns.RUN_ID))
        .persist(StorageLevel.MEMORY_AND_DISK());
    try {
      customerRows.count();
    } finally {
      all.unpersist();
    }
    Map<TableSpec, Dataset<Row>> tables = new LinkedHashMap<>();
    tables.put(TableCatalog.NEXT_BEST_PRODUCTS, customerRows);
    tables.put(TableCatalog.RECOMMENDATION_METRICS, run.spark().createDataFrame(
        evaluated.stream().map(e -> metricsRow(run, settings, cutoff, e, e.recommender() == exported)).toList(),
        TableCatalog.RECOMMENDATION_METRICS.schema()));
    return new Recommended(tables, evaluated, Optional.of(exported),
        Optional.of(customerRows.select(col(Columns.CUSTOMER_ID), col(Columns.NEXT_BEST_PRODUCTS))),
        Optional.of(checkpoints));
  }

  /**
   * ALS's lists, except for the customers with fewer than cold-below-items distinct items in {@code fit} (or none:
   * ALS has never seen them), who get their segment's; with the {@link Columns#RECOMMENDER} of each list.
   */
  private static Dataset<Row> withColdOnSegment(Dataset<Row> alsLists, Dataset<Row> segmentLists,
      NextBestItems.History fit, AffinitySettings.Recommendations r) {
    Dataset<Row> owned = fit.owned().select(col(Columns.CUSTOMER_ID),
        org.apache.spark.sql.functions.size(col(NextBestItems.ITEMS)).as(OWN_ITEMS));
    Column warm = col(ALS_ITEMS).isNotNull().and(col(OWN_ITEMS).geq(r.coldBelowItems()));
    return segmentLists
        .join(alsLists.withColumnRenamed(NextBestItems.ITEMS, ALS_ITEMS), new String[] {Columns.CUSTOMER_ID}, "left")
        .join(owned, new String[] {Columns.CUSTOMER_ID}, "left")
        .select(col(Columns.CUSTOMER_ID), when(warm, col(ALS_ITEMS)).otherwise(col(NextBestItems.ITEMS))
            .as(NextBestItems.ITEMS), when(warm, lit(name(Recommender.ALS)))
            .otherwise(lit(name(Recommender.SEGMENT_POPULARITY))).as(Columns.RECOMMENDER));
  }

  private static Row metricsRow(RunContext run, AffinitySettings settings, LocalDate cutoff, Evaluated e,
      boolean exported) {
    List<Object> values = new ArrayList<>(List.of(java.sql.Date.valueOf(run.runDate()), name(e.recommender()),
        settings.item(), settings.recommendations().count(), java.sql.Date.valueOf(cutoff),
        settings.recommendations().evaluationDays(), e.measures().customers()));
    for (String measure : RankingQuality.MEASURES) {
      Interval interval = e.measures().get(measure);
      values.add(finite(interval.estimate()));
      values.add(finite(interval.low()));
      values.add(finite(interval.high()));
    }
    values.add(exported);
    values.add(run.runId());
    return RowFactory.create(values.toArray());
  }

  /** NaN (no customer to measure) is stored as NULL. */
  private static Double finite(double value) {
    return Double.isFinite(value) ? value : null;
  }
}
