package org.segmentation.affinity;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.lit;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.storage.StorageLevel;
import org.segmentation.config.AffinitySettings;
import org.segmentation.input.ValidatedInputs;
import org.segmentation.io.TableCatalog;
import org.segmentation.io.TableSpec;
import org.segmentation.output.AssembleSegmentTables;
import org.segmentation.pipeline.RunContext;
import org.segmentation.pipeline.Step;
import org.segmentation.pipeline.StepResult;
import org.segmentation.schema.Columns;

/**
 * Step {@code segment_affinity}: what each segment buys more (or less) than the whole base ({@link SegmentAffinity}),
 * for every dimension of {@code affinity.dimensions} and every item column of {@code affinity.segment-items}, over the
 * night's customers and {@link AffinityLines}. Turned off, a lake that has the table gets no rows for the date.
 */
public record MeasureSegmentAffinity(ValidatedInputs inputs, AssembleSegmentTables.SegmentTables segments)
    implements Step<MeasureSegmentAffinity.Measured> {

  /**
   * @param tables segment_affinity, when it is written tonight (or emptied for the date): computed and persisted by
   *     the step
   * @param rows its rows tonight
   */
  public record Measured(Map<TableSpec, Dataset<Row>> tables, long rows) implements StepResult {
    @Override
    public String progressDetails() {
      return "rows=" + rows;
    }

    @Override
    public void release() {
      tables.values().forEach(Dataset::unpersist);
    }
  }

  @Override
  public String name() {
    return "segment_affinity";
  }

  @Override
  public Measured execute(RunContext run) {
    AffinitySettings settings = run.settings().affinity();
    if (!settings.enabled()) {
      return new Measured(run.lake().noRowsInThoseItHas(List.of(TableCatalog.SEGMENT_AFFINITY)), 0);
    }
    Dataset<Row> lines = AffinityLines.of(inputs, settings, run.runDate());
    Dataset<Row> customers = segments.customerSegments();
    Dataset<Row> rows = null;
    for (String item : settings.segmentItems()) {
      Dataset<Row> ofItem = new SegmentAffinity(item, settings.dimensions(), settings.minCustomers())
          .apply(customers, lines).withColumn(Columns.ITEM_COLUMN, lit(item));
      rows = rows == null ? ofItem : rows.unionByName(ofItem);
    }
    // computed here, so that the step's time is the measure's and the write's is the write's
    Dataset<Row> table = rows.select(TableCatalog.SEGMENT_AFFINITY.columnNames().stream()
        .map(c -> switch (c) {
          case Columns.RUN_DATE -> lit(java.sql.Date.valueOf(run.runDate())).as(c);
          case Columns.RUN_ID -> lit(run.runId()).as(c);
          default -> col(c);
        }).toArray(Column[]::new)).persist(StorageLevel.MEMORY_AND_DISK());
    Map<TableSpec, Dataset<Row>> tables = new LinkedHashMap<>();
    tables.put(TableCatalog.SEGMENT_AFFINITY, table);
    return new Measured(tables, table.count());
  }
}
