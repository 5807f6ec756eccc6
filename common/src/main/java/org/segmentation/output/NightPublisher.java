package org.segmentation.output;

import java.io.IOException;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Predicate;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.segmentation.features.ProfileMatch;
import org.segmentation.input.ValidatedInputs;
import org.segmentation.io.PublishedHistory;
import org.segmentation.io.RunLog;
import org.segmentation.io.StagedOutput;
import org.segmentation.io.StagingArea;
import org.segmentation.io.TableRepair;
import org.segmentation.io.TableSpec;
import org.segmentation.pipeline.RunContext;
import org.segmentation.pipeline.Step;
import org.segmentation.run.Messages;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * How a night becomes visible, in one place: the night's tables, its export folders and its report page appear
 * together when the night commits, or not at all, and a run that fails or is killed leaves the previous night as it
 * was. The run book calls it; the steps only hand it their outputs. It works under the lake's lease, which the caller
 * holds (no other run writes meanwhile).
 *
 * <ol>
 *   <li><b>begin</b>: {@link #repair()}, step {@code repair_tables}: the table dates a killed run wrote and never
 *       published are put back as their last published run recorded them ({@link TableRepair}), and what earlier runs
 *       left staged is settled: put into place when its run committed (killed between its run_log row and the
 *       renames), deleted otherwise ({@link StagingArea}); then the published history the steps compare with is read
 *       ({@link PublishedHistory});</li>
 *   <li><b>publish each output</b>: {@link #table}, step {@code write_<table>}: the run date's rows replaced in one
 *       Delta transaction (a plain reader sees them at once: the failure path below puts them back); export folders
 *       and the report page are written staged, where no reader looks, and handed over with {@link #stage};</li>
 *   <li><b>commit</b>: {@link #commit}, step {@code write_run_log}: the {@code published} row naming every table's
 *       version, the night's commit point; then {@link #publishOutputs()}, step {@code publish_outputs}: the staged
 *       outputs renamed into place (a kill in between is finished by the next run's begin);</li>
 *   <li><b>abort</b>: {@link #abort}, the job's failure path: before the commit, this run's table writes are put back
 *       and its staged outputs deleted, and a {@code failed} row records why; after it, the night stands and its
 *       staged outputs wait for the next run's begin.</li>
 * </ol>
 */
public final class NightPublisher {
  private static final Logger LOG = LoggerFactory.getLogger(NightPublisher.class);

  private final RunContext run;
  private final List<StagingArea> stagingAreas;
  private final List<StagedOutput> staged = new ArrayList<>();
  private volatile boolean committed;

  /**
   * @param run the run (its lake, run_log and id)
   * @param stagingAreas where the night's side outputs are staged (the export root, the report folder)
   */
  public NightPublisher(RunContext run, List<StagingArea> stagingAreas) {
    this.run = run;
    this.stagingAreas = List.copyOf(stagingAreas);
  }

  /** Step {@code repair_tables}: what a killed run left, put back or put into place. */
  public RepairTables repair() {
    return new RepairTables(this);
  }

  /** Step {@code write_<table>}: the table's rows of the run date. */
  public PublishTable table(TableSpec table, Dataset<Row> rows) {
    return new PublishTable(table, rows);
  }

  /** Side outputs a step wrote staged: put into place at the commit, deleted by an abort. */
  public void stage(java.util.Collection<StagedOutput> outputs) {
    synchronized (staged) {
      staged.addAll(outputs);
    }
  }

  /** Step {@code write_run_log}: the published row, after which the night is published. */
  public CommitNight commit(RecordRun published) {
    if (!RunLog.PUBLISHED.equals(published.status())) {
      throw new IllegalArgumentException("a night commits with a published row, not " + published.status());
    }
    return new CommitNight(this, published);
  }

  /** Step {@code publish_outputs}: the staged outputs into place, once the night has committed. */
  public PublishOutputs publishOutputs() {
    return new PublishOutputs(this);
  }

  /** The repair: tables of killed runs put back, staged outputs settled. */
  RepairTables.Repaired repairLeftovers() {
    List<TableRepair.Restored> restored = new TableRepair(run.lake(), run.runLog()).repairLeftovers(run.runId());
    List<String> published = new ArrayList<>();
    List<String> discarded = new ArrayList<>();
    Predicate<String> committedRun = this::isCommitted;
    for (StagingArea area : stagingAreas) {
      try {
        StagingArea.Settled settled = area.settle(committedRun);
        published.addAll(settled.published());
        discarded.addAll(settled.discarded());
      } catch (IOException e) {
        throw new java.io.UncheckedIOException("Cannot settle what earlier runs staged: " + e.getMessage(), e);
      }
    }
    return new RepairTables.Repaired(restored, published, discarded,
        PublishedHistory.read(run.runLog(), run.runDate()));
  }

  /** Whether the run with this id is the latest published run of its date (so its staged outputs belong in place). */
  private boolean isCommitted(String runId) {
    Optional<LocalDate> date = TableRepair.dateOf(runId);
    return date.isPresent() && run.runLog().publishedRunOf(date.get())
        .map(published -> published.runId().equals(runId)).orElse(false);
  }

  void committed() {
    committed = true;
  }

  /** The staged outputs into place; the names of those put. */
  List<String> publishStaged() {
    if (!committed) {
      throw new IllegalStateException("the night has not committed: its outputs stay staged");
    }
    List<String> published = new ArrayList<>();
    List<StagedOutput> outputs;
    synchronized (staged) {
      outputs = List.copyOf(staged);
    }
    for (StagedOutput output : outputs) {
      try {
        output.publish();
      } catch (IOException e) {
        throw new java.io.UncheckedIOException("The night is published, but " + output.name() + " could not be put "
            + "into place (" + e.getMessage() + "); the next run's start puts it there", e);
      }
      published.add(output.name());
    }
    synchronized (staged) {
      staged.removeAll(outputs);
    }
    return published;
  }

  /**
   * What the failure path did.
   *
   * @param committed the night had committed before the failure: it stands
   * @param restored the table dates put back (the repair's and this run's own writes)
   * @param discarded the staged outputs deleted
   */
  public record Aborted(boolean committed, List<TableRepair.Restored> restored, List<String> discarded) {}

  /**
   * The failure path; never throws. Before the commit: this run's table writes are put back, its staged outputs
   * deleted and a failed row appended, with what the steps before the failure found. A restore or a deletion that
   * fails is left to the next run's repair. After the commit: nothing changes.
   *
   * @param repaired what this run's repair had put back, for the failed row
   */
  public Aborted abort(int exitCode, String reason, String message, Optional<ValidatedInputs> inputs,
      Optional<ProfileMatch> profileMatch, List<TableRepair.Restored> repaired, String summaryJson) {
    if (committed) {
      return new Aborted(true, List.of(), List.of());
    }
    List<String> discarded = new ArrayList<>();
    synchronized (staged) {
      for (StagedOutput output : staged) {
        try {
          output.discard();
          discarded.add(output.name());
        } catch (IOException | RuntimeException e) {
          LOG.warn("Cannot delete the staged {} (the next run does): {}", output.name(), Messages.summaryOf(e));
        }
      }
      staged.clear();
    }
    List<TableRepair.Restored> restored = new ArrayList<>(repaired);
    try {
      restored.addAll(new TableRepair(run.lake(), run.runLog()).restoreOwnWrites(run.runId()));
    } catch (Exception restoreFailure) {
      LOG.warn("Cannot restore this run's writes (the next run repairs them): {}",
          Messages.summaryOf(restoreFailure), restoreFailure);
    }
    try {
      RecordRun.failed(exitCode, reason, message, inputs, profileMatch, restored, summaryJson).execute(run);
    } catch (Exception logFailure) {
      LOG.warn("Cannot record the failure in run_log: {}", Messages.summaryOf(logFailure), logFailure);
    }
    return new Aborted(false, restored.subList(repaired.size(), restored.size()), discarded);
  }
}
