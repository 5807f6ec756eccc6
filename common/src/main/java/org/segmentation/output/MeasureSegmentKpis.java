package org.segmentation.output;

import java.util.List;
import java.util.Map;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.segmentation.config.KpiSettings;
import org.segmentation.input.ValidatedInput;
import org.segmentation.input.ValidatedInputs;
import org.segmentation.io.TableCatalog;
import org.segmentation.io.TableSpec;
import org.segmentation.pipeline.RunContext;
import org.segmentation.pipeline.Step;
import org.segmentation.pipeline.StepResult;

/**
 * Step {@code segment_kpis}: tonight's figures per RFM segment, cluster and CLV tier ({@link SegmentKpis}), from the
 * assembled customer_segments rows and the survey answers, written as segment_kpis. Turned off, a lake that has the
 * table gets no rows for the date (a rerun leaves none behind).
 */
public record MeasureSegmentKpis(ValidatedInputs inputs, AssembleSegmentTables.SegmentTables segments)
    implements Step<MeasureSegmentKpis.Measured> {

  /** @param tables segment_kpis, when it is written tonight */
  public record Measured(Map<TableSpec, Dataset<Row>> tables, boolean surveys) implements StepResult {
    @Override
    public String progressDetails() {
      return "tables=" + tables.size() + " surveys=" + surveys;
    }
  }

  @Override
  public String name() {
    return "segment_kpis";
  }

  @Override
  public Measured execute(RunContext run) {
    KpiSettings settings = run.settings().kpis();
    TableSpec table = TableCatalog.SEGMENT_KPIS;
    if (!settings.enabled()) {
      return new Measured(run.lake().noRowsInThoseItHas(List.of(table)), false);
    }
    Dataset<Row> rows = new SegmentKpis(run.runDate(), settings, SegmentKpis.BREAKDOWNS)
        .apply(segments.customerSegments(), inputs.surveys().map(ValidatedInput::accepted));
    return new Measured(Map.of(table, rows), inputs.surveys().isPresent());
  }
}
