package org.segmentation.affinity;

import static org.apache.spark.sql.functions.array_sort;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.collect_set;
import static org.apache.spark.sql.functions.element_at;
import static org.apache.spark.sql.functions.lit;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.storage.StorageLevel;
import org.segmentation.config.AffinitySettings;
import org.segmentation.config.ConfigReader;
import org.segmentation.input.ValidatedInputs;
import org.segmentation.io.TableCatalog;
import org.segmentation.io.TableSpec;
import org.segmentation.pipeline.RunContext;
import org.segmentation.pipeline.Step;
import org.segmentation.pipeline.StepResult;
import org.segmentation.schema.Columns;

/**
 * Step {@code product_rules}: association rules between the items of {@code affinity.item} ({@link ProductRules}),
 * over baskets of one order or of one customer's whole history ({@code affinity.rules.basket}), from
 * {@link AffinityLines}. Turned off, a lake that has the table gets no rows for the date.
 *
 * <p>Cost: one aggregation of the lines into baskets, persisted for FP-growth's passes and counted once; the rules
 * (a few hundred rows) are computed and persisted by the step.
 */
public record MineProductRules(ValidatedInputs inputs) implements Step<MineProductRules.Mined> {

  /**
   * @param tables product_rules, when it is written tonight (or emptied for the date)
   * @param baskets the baskets mined (0 when off)
   */
  public record Mined(Map<TableSpec, Dataset<Row>> tables, long baskets, long rules) implements StepResult {
    @Override
    public String progressDetails() {
      return "baskets=" + baskets + " rules=" + rules;
    }

    @Override
    public void release() {
      tables.values().forEach(Dataset::unpersist);
    }
  }

  @Override
  public String name() {
    return "product_rules";
  }

  @Override
  public Mined execute(RunContext run) {
    AffinitySettings settings = run.settings().affinity();
    if (!settings.enabled() || !settings.rules().enabled()) {
      return new Mined(run.lake().noRowsInThoseItHas(List.of(TableCatalog.PRODUCT_RULES)), 0, 0);
    }
    String basketKey = settings.rules().basket() == AffinitySettings.Basket.ORDER ? Columns.ORDER_ID
        : Columns.CUSTOMER_ID;
    Dataset<Row> baskets = AffinityLines.of(inputs, settings, run.runDate())
        .where(col(settings.item()).isNotNull())
        .groupBy(col(basketKey))
        .agg(collect_set(col(settings.item()).cast("string")).as(ProductRules.ITEMS))
        // FP-growth passes over them more than once
        .persist(StorageLevel.MEMORY_AND_DISK());
    long count = baskets.count();
    Dataset<Row> rows = count == 0 ? run.spark().createDataFrame(List.of(), TableCatalog.PRODUCT_RULES.schema())
        : new ProductRules(settings.rules().minBaskets(), settings.rules().minConfidence()).apply(baskets, count)
            .select(TableCatalog.PRODUCT_RULES.columnNames().stream().map(c -> switch (c) {
              case Columns.RUN_DATE -> lit(java.sql.Date.valueOf(run.runDate())).as(c);
              case Columns.RUN_ID -> lit(run.runId()).as(c);
              case Columns.ITEM_COLUMN -> lit(settings.item()).as(c);
              case Columns.BASKET -> lit(ConfigReader.kebab(settings.rules().basket())).as(c);
              // sorted, so that a rule reads the same whatever order FP-growth found its items in
              case Columns.ANTECEDENT -> array_sort(col(c)).as(c);
              // MLlib's consequent is an array of one item
              case Columns.CONSEQUENT -> element_at(col(c), 1).as(c);
              default -> col(c);
            }).toArray(Column[]::new));
    // computed here, so that the baskets can go and the step's time is the mining's
    Dataset<Row> table = rows.persist(StorageLevel.MEMORY_AND_DISK());
    long rules;
    try {
      rules = table.count();
    } finally {
      baskets.unpersist();
    }
    Map<TableSpec, Dataset<Row>> tables = new LinkedHashMap<>();
    tables.put(TableCatalog.PRODUCT_RULES, table);
    return new Mined(tables, count, rules);
  }
}
