package org.segmentation.experiments;

import java.time.LocalDate;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.segmentation.config.ExperimentSettings;
import org.segmentation.experiments.ExperimentReadout.Design;
import org.segmentation.experiments.ExperimentReadout.Result;
import org.segmentation.schema.Columns;

/**
 * The read-out of experiments run in another tool (the accepted rows of inputs.experiments: one per customer and
 * experiment, with the variant, the declared metric, covariate and breakdown columns): the same sums and statistics as
 * the audiences' experiments ({@link ExperimentSums}, {@link ExperimentReadout}). The outcomes are the input's own,
 * so every window is complete, and the control variant is required: a control the input never names is a data error
 * that lists the variants it does name.
 *
 * @param settings the experiments.external block
 * @param confidence the intervals' level
 */
public record ExternalReadOut(ExperimentSettings.External settings, double confidence) {

  /** The configured metrics as the sums measure them. */
  public List<ExperimentSums.Metric> metrics() {
    return settings.metrics().stream()
        .map(m -> new ExperimentSums.Metric(m.name(), m.column(), m.covariate())).toList();
  }

  /**
   * Every variant against its experiment's control: one Spark aggregation over {@code assignments} (with the segment
   * breakdowns' columns beside them: {@link SegmentsAtStart}), the statistics on the driver from the sums.
   *
   * @throws org.segmentation.run.DataQualityException when an experiment has no member in its control variant, or a
   *     variant has none of the configured shares
   */
  public List<Result> read(Dataset<Row> assignments) {
    List<Row> sums = new ExperimentSums(metrics(), settings.allBreakdowns()).apply(assignments).collectAsList();
    Map<String, Design> designs = new LinkedHashMap<>();
    for (Row row : sums) {
      String experiment = row.getAs(Columns.EXPERIMENT);
      designs.computeIfAbsent(experiment, e -> new Design(settings.controlOf(e), settings.shares(), true, true));
    }
    return ExperimentReadout.read(sums, designs, metrics(), confidence);
  }

  /** The results as experiment_results rows of {@code runDate}. */
  public List<Row> rows(List<Result> results, LocalDate runDate) {
    return results.stream().map(r -> ExperimentReadout.toRow(r, runDate, confidence)).toList();
  }
}
