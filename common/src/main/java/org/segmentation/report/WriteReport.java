package org.segmentation.report;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.segmentation.input.ValidatedInputs;
import org.segmentation.io.PublishedHistory;
import org.segmentation.io.StagedOutput;
import org.segmentation.output.PublishTable;
import org.segmentation.pipeline.RunContext;
import org.segmentation.pipeline.Step;
import org.segmentation.pipeline.StepResult;

/**
 * Step {@code write_report}: the night's HTML report, {@code <report root>/<run_date>.html}, from the rows this run
 * committed (each table at the version the run is about to record as published), just before {@code write_run_log}
 * records its path. The page is staged: it takes its place when the night commits ({@link StagedPage}). Nothing when
 * {@code report.enabled} is false.
 *
 * @param inputs the night's input counts (the data-quality figures)
 * @param commits the tables this run committed, with their versions
 * @param history the published nights before this one (the trend)
 */
public record WriteReport(ValidatedInputs inputs, List<PublishTable.Commit> commits, PublishedHistory history)
    implements Step<WriteReport.Written> {

  public WriteReport {
    commits = List.copyOf(commits);
  }

  /** The staged page, when one was written. */
  public record Written(Optional<StagedOutput> page) implements StepResult {
    /** Where the page will be once the night commits. */
    public Optional<String> path() {
      return page.map(StagedOutput::location);
    }

    @Override
    public String progressDetails() {
      return "report=" + path().orElse("off");
    }
  }

  @Override
  public String name() {
    return "write_report";
  }

  @Override
  public Written execute(RunContext run) {
    if (!run.settings().report().enabled()) {
      return new Written(Optional.empty());
    }
    Map<String, Long> versions = new LinkedHashMap<>();
    commits.forEach(commit -> versions.put(commit.table().name(), commit.version()));
    ReportNight night = new ReportNight(run.runDate(), run.runId(), versions, inputs.counts());
    String html = SegmentReport.render(run.lake(), history.lastDatesBefore(run.settings().report().trendNights() - 1),
        night);
    return new Written(Optional.of(StagedPage.stage(run.spark(),
        SegmentReport.pathOf(run.settings(), run.runDate()), html, run.runId())));
  }
}
