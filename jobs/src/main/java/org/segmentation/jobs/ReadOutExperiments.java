package org.segmentation.jobs;

import static org.apache.spark.sql.functions.col;

import java.io.PrintStream;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.stream.Collectors;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.segmentation.config.ExperimentSettings;
import org.segmentation.config.JobSettings;
import org.segmentation.config.LakeSettings;
import org.segmentation.config.SettingsLoader;
import org.segmentation.config.SourceSettings;
import org.segmentation.experiments.ExperimentReadout;
import org.segmentation.experiments.ExperimentSums;
import org.segmentation.experiments.ExternalReadOut;
import org.segmentation.experiments.SegmentsAtStart;
import org.segmentation.input.InputValidation;
import org.segmentation.input.LoadAndValidate;
import org.segmentation.input.QualityGate;
import org.segmentation.input.ValidatedInput;
import org.segmentation.io.LakeTables;
import org.segmentation.io.RunLog;
import org.segmentation.io.SourceReader;
import org.segmentation.io.SparkSessions;
import org.segmentation.io.TableCatalog;
import org.segmentation.run.ConfigurationException;
import org.segmentation.run.DataQualityException;
import org.segmentation.run.Messages;
import org.segmentation.schema.BreakdownCells;

/**
 * The read-out of experiments run in another tool, without purchases: {@code ReadOutExperiments --config FILE
 * --run-date D}. Reads inputs.experiments (one row per customer and experiment: variant, assignment time and the declared
 * metric, covariate and breakdown columns), validates it like every input (bad rows quarantined with a reason, the
 * quality gate of quality.max-quarantined-share), adds the segments each member had at the experiment's start where
 * segment-breakdowns asks for them (from the nightly lake's published nights), and measures every variant against the
 * control with the statistics of the nightly audiences' experiments. Writes the date's rows of Delta experiment_results
 * and quarantine under experiments.external.root (a rerun of the date replaces them), and prints the whole-experiment
 * figures, one line per variant and metric.
 *
 * <p>Its tables are apart from the nightly lake's: a night's repair keeps those to exactly its published runs.
 */
public final class ReadOutExperiments {
  static final String USAGE = """
      Usage: spark-submit --class org.segmentation.jobs.ReadOutExperiments segmentation-jobs.jar \\
               --config FILE --run-date YYYY-MM-DD [--set key=value ...]
      Reads out inputs.experiments as configured under experiments.external (no purchases input needed), writes the
      date's experiment_results and quarantine rows under experiments.external.root, prints one line per variant and
      metric.
      Exit status: 0 read out; 2 bad arguments or configuration; 3 a data error (an experiment without its control
      variant, an empty or unreadable input, too many bad rows); 1 anything else.
      """;

  private ReadOutExperiments() {}

  public static void main(String[] args) {
    System.exit(run(args, System.out, System.err));
  }

  static int run(String[] args, PrintStream out, PrintStream err) {
    JobSettings settings;
    LocalDate runDate;
    try {
      CommandLine line = CommandLine.parse(args, Set.of("--help"), Set.of("--config", "--run-date", "--set"));
      if (line.flag("--help")) {
        out.print(USAGE);
        return ExitCode.SUCCESS.status();
      }
      runDate = line.value("--run-date", LocalDate::parse, "YYYY-MM-DD")
          .orElseThrow(() -> new ConfigurationException("--run-date: required"));
      settings = JobSettings.readForExperimentReadOut(SettingsLoader.load(line.config(), line.overrides()));
    } catch (ConfigurationException e) {
      err.println(e.getMessage());
      out.println("result=read_out_failed exit=2 message=\"" + e.summary().replace('"', '\'') + "\"");
      return ExitCode.USAGE.status();
    }
    String runId = runDate + "_readout_" + UUID.randomUUID().toString().substring(0, 8);
    SparkSession spark = SparkSessions.start(settings);
    try {
      ExperimentSettings.External external = settings.experiments().external();
      // persisted: counted, measured and quarantined
      ValidatedInput assignments = validated(spark, settings.experimentsInput()).persisted();
      try {
        ValidatedInput.Counts counts = assignments.countRows();
        out.println("stage=load_validate input=" + counts.input() + " read=" + counts.read() + " accepted="
            + counts.accepted() + " quarantined=" + counts.quarantined());
        QualityGate.check("read out", counts, assignments, settings.experimentsInput(), settings.quality());

        ExternalReadOut readOut = new ExternalReadOut(external, settings.experiments().confidence());
        List<ExperimentReadout.Result> results = readOut.read(
            withSegmentsAtStart(spark, settings, assignments.accepted(), out));
        LakeTables tables = new LakeTables(spark, new LakeSettings(external.rootUnder(settings.lake())));
        tables.replaceRunDate(TableCatalog.EXPERIMENT_RESULTS, spark.createDataFrame(readOut.rows(results, runDate),
            TableCatalog.EXPERIMENT_RESULTS.schema()), runDate, runId);
        tables.replaceRunDate(TableCatalog.QUARANTINE, assignments.quarantined(runDate, runId), runDate, runId);
        results.stream().filter(r -> r.breakdown().equals(BreakdownCells.WHOLE))
            .forEach(r -> out.println(figures(r)));
        String experiments = results.stream().map(ExperimentReadout.Result::experiment).distinct().sorted()
            .collect(Collectors.joining(","));
        out.println("result=read_out exit=0 run_date=" + runDate + " run_id=" + runId + " experiments="
            + experiments + " rows_read=" + counts.read() + " rows_quarantined=" + counts.quarantined()
            + " results=" + tables.path(TableCatalog.EXPERIMENT_RESULTS));
        return ExitCode.SUCCESS.status();
      } finally {
        assignments.release();
      }
    } catch (DataQualityException e) {
      err.println("ERROR " + Messages.summaryOf(e));
      out.println("result=read_out_failed exit=3 run_date=" + runDate + " reason=data_quality message=\""
          + Messages.summaryOf(e).replace('"', '\'') + "\"");
      return ExitCode.DATA_QUALITY.status();
    } catch (ConfigurationException e) { // a mapping that names a column the input does not have
      err.println(e.getMessage());
      out.println("result=read_out_failed exit=2 run_date=" + runDate + " reason=configuration message=\""
          + e.summary().replace('"', '\'') + "\"");
      return ExitCode.USAGE.status();
    } catch (RuntimeException e) {
      err.println("ERROR " + Messages.summaryOf(e));
      out.println("result=read_out_failed exit=1 run_date=" + runDate + " message=\""
          + Messages.summaryOf(e).replace('"', '\'') + "\"");
      return ExitCode.FAILURE.status();
    } finally {
      spark.stop();
    }
  }

  /** The input read once, mapped and checked row by row, as the nightly job checks its inputs. */
  private static ValidatedInput validated(SparkSession spark, SourceSettings source) {
    return LoadAndValidate.validate(SourceReader.read(spark, source), source.schema(),
        InputValidation.experiments(source.schema()), new java.util.HashMap<>());
  }

  /**
   * The members with the customer_segments columns of experiments.external.segment-breakdowns beside them, from the
   * nightly lake's published night on or before each experiment's start, at the version that night's run recorded:
   * a night being written (its rows committed, its run not yet in run_log) is never read.
   */
  private static Dataset<Row> withSegmentsAtStart(SparkSession spark, JobSettings settings, Dataset<Row> members,
      PrintStream out) {
    SegmentsAtStart segments = new SegmentsAtStart(settings.experiments().external().segmentBreakdowns(),
        JobSettings.keyPath(ExperimentSettings.BLOCK, ExperimentSettings.EXTERNAL,
            ExperimentSettings.External.SEGMENT_BREAKDOWNS));
    if (segments.columns().isEmpty()) {
      return members;
    }
    LakeTables lake = new LakeTables(spark, settings.lake());
    RunLog runLog = new RunLog(spark, lake);
    List<Dataset<Row>> nights = new ArrayList<>();
    SegmentsAtStart.collectStartDates(members).forEach((experiment, start) -> {
      Optional<RunLog.PublishedRun> night = runLog.latestPublishedBefore(start.plusDays(1));
      out.println("stage=segments_at_start experiment=" + experiment + " start=" + start + " night="
          + night.map(n -> n.runDate().toString()).orElse("none"));
      night.ifPresent(n -> {
        Dataset<Row> rows = lake.readRunDate(TableCatalog.CUSTOMER_SEGMENTS, n.runDate(),
            n.versionOf(TableCatalog.CUSTOMER_SEGMENTS));
        segments.check(rows.schema());
        nights.add(segments.ofNight(experiment, rows));
      });
    });
    return segments.apply(members, nights);
  }

  /** One variant's whole-experiment figures for one metric, as a progress line. */
  private static String figures(ExperimentReadout.Result r) {
    StringBuilder line = new StringBuilder("experiment=" + r.experiment() + " variant=" + r.variant() + " control="
        + r.control() + " metric=" + r.metric() + " control_n=" + r.controlSums().n() + " variant_n="
        + r.variantSums().n());
    r.lift().ifPresent(l -> line.append(String.format(Locale.ROOT,
        " control_mean=%.6g variant_mean=%.6g absolute_lift=%.6g interval=[%.6g,%.6g] p_value=%.4g",
        r.controlSums().mean(), r.variantSums().mean(), l.absoluteLift(), l.absoluteLow(), l.absoluteHigh(),
        l.pValue())));
    return line.append(" srm_flag=").append(r.srmFlag()).toString();
  }
}
