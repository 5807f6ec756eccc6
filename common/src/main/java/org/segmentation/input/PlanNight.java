package org.segmentation.input;

import static org.apache.spark.sql.functions.array_contains;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.lit;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.segmentation.config.JobSettings;
import org.segmentation.config.PropensitySettings;
import org.segmentation.config.QualitySettings;
import org.segmentation.config.SourceFormat;
import org.segmentation.config.SourceSettings;
import org.segmentation.io.RunLog;
import org.segmentation.io.SourceReader;
import org.segmentation.io.TableCatalog;
import org.segmentation.pipeline.RunContext;
import org.segmentation.pipeline.Step;
import org.segmentation.schema.Columns;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Step {@code plan_night}: whether tonight reads the whole purchases input or only the lines added since the last
 * published night, whose purchase state it then updates ({@link NightPlan}). Reads run_log and, when it could go
 * incremental, the last night's purchase quarantine rows; no input.
 *
 * <p>A night keeps a state when the purchases input tells what it gained (a Delta table that records its changes, or a
 * folder of Parquet files, whose new files are what it gained) and nothing else needs the lines themselves; it
 * updates the last night's state only when that night kept one with the same configuration, for an earlier or the
 * same run date, and left no line to judge again tonight. Otherwise it recomputes in full, and
 * says why (the codes of docs/incremental.md).
 *
 * @param fullAsked {@code --full} on the command line
 */
public record PlanNight(boolean fullAsked) implements Step<NightPlan> {
  private static final Logger LOG = LoggerFactory.getLogger(PlanNight.class);
  public static final String INCREMENTAL_OFF = "incremental_off";
  public static final String WITHOUT_CHANGE_FEED = "input_without_change_feed";
  public static final String STEPS_READ_LINES = "steps_read_lines";
  public static final String DUPLICATE_LINES_QUARANTINED = "duplicate_lines_quarantined";
  public static final String CHECKED_AGAINST_PROFILES = "purchases_checked_against_profiles";
  public static final String FULL_ASKED = "full_asked";
  public static final String NO_STATE = "no_state";
  public static final String CONFIGURATION_CHANGED = "configuration_changed";
  public static final String STATE_OF_EARLIER_VERSION = "state_of_earlier_version";
  public static final String EARLIER_RUN_DATE = "earlier_run_date";
  public static final String FUTURE_LINES_TO_RECHECK = "future_lines_to_recheck";
  public static final String CHANGES_NO_LONGER_KEPT = "changes_no_longer_kept";
  public static final String CHANGES_SINCE_VERSION = "changes_since_version_";
  public static final String INPUT_FILES_CHANGED = "input_files_changed";
  public static final String NEW_FILES_SINCE = "new_files_since_";

  @Override
  public String name() {
    return "plan_night";
  }

  @Override
  public NightPlan execute(RunContext run) {
    JobSettings settings = run.settings();
    SourceSettings purchases = settings.purchases();
    Optional<String> whyNoState = whyNoState(run);
    if (whyNoState.isPresent()) {
      return NightPlan.full(whyNoState.get(), false);
    }
    if (fullAsked) {
      return NightPlan.full(FULL_ASKED, true);
    }
    Optional<RunLog.PublishedRun> last = run.runLog().latestPublished();
    if (last.isEmpty() || !last.get().tableVersions().containsKey(TableCatalog.PURCHASE_STATE.name())
        || !last.get().inputVersions().containsKey(purchases.name())) {
      return NightPlan.full(NO_STATE, true);
    }
    RunLog.PublishedRun from = last.get();
    if (!run.configFingerprint().equals(from.configFingerprint())) {
      return NightPlan.full(CONFIGURATION_CHANGED, true);
    }
    if (from.runDate().isAfter(run.runDate())) {
      return NightPlan.full(EARLIER_RUN_DATE, true);
    }
    // a state an earlier version of the job wrote in another form (its table then lacked a column of today's)
    List<String> missing = TableCatalog.PURCHASE_STATE.missingFrom(run.lake().readRunDate(TableCatalog.PURCHASE_STATE,
        from.runDate(), from.versionOf(TableCatalog.PURCHASE_STATE)).schema());
    if (!missing.isEmpty()) {
      LOG.warn("{}: the purchase state of {} was written by an earlier version of the job (without {}): recomputing "
          + "in full, which keeps a state of this version", run.runDate(), from.runDate(), missing);
      return NightPlan.full(STATE_OF_EARLIER_VERSION, true);
    }
    // A line stamped after that night's start was quarantined then and may be accepted tonight: only the whole input
    // judges it again.
    boolean futureLines = !run.lake().readRunDate(TableCatalog.QUARANTINE, from.runDate(),
            from.versionOf(TableCatalog.QUARANTINE))
        .where(col(Columns.SOURCE).equalTo(lit(purchases.name()))
            .and(array_contains(col(Columns.REASON_CODES), InputValidation.ORDER_TS_IN_FUTURE)))
        .isEmpty();
    if (futureLines) {
      return NightPlan.full(FUTURE_LINES_TO_RECHECK, true);
    }
    String version = from.inputVersions().get(purchases.name());
    if (purchases.format() != SourceFormat.DELTA) { // a folder of files: tonight reads the files added since
      Optional<String> whyChanged = SourceReader.whyFilesChanged(run.spark(), purchases, version);
      if (whyChanged.isPresent()) {
        LOG.warn("{}: the files of {} are not those of {} and more ({}): recomputing in full", run.runDate(),
            purchases.name(), from.runDate(), whyChanged.get());
        return NightPlan.full(INPUT_FILES_CHANGED, true);
      }
      return new NightPlan(true, NEW_FILES_SINCE + from.runDate(), true, Optional.of(from));
    }
    long since = Long.parseLong(version);
    Optional<String> whyNotKept = SourceReader.whyChangesNotKept(run.spark(), purchases, since);
    if (whyNotKept.isPresent()) {
      LOG.warn("{}: the changes of {} since version {} can no longer be read ({}): recomputing in full",
          run.runDate(), purchases.name(), since, whyNotKept.get());
      return NightPlan.full(CHANGES_NO_LONGER_KEPT, true);
    }
    return new NightPlan(true, CHANGES_SINCE_VERSION + since, true, Optional.of(from));
  }

  /**
   * Why no night of this configuration can keep a state: incremental nights off, an input that does not record its
   * changes, a step that reads the lines, or a check of tonight's lines against other lines.
   */
  private static Optional<String> whyNoState(RunContext run) {
    JobSettings settings = run.settings();
    if (!settings.run().incremental()) {
      return Optional.of(INCREMENTAL_OFF);
    }
    SourceSettings purchases = settings.purchases();
    boolean tracked = purchases.format() == SourceFormat.DELTA ? SourceReader.hasChangeFeed(run.spark(), purchases)
        : SourceReader.tracksNewFiles(purchases);
    if (!tracked) {
      return Optional.of(WITHOUT_CHANGE_FEED);
    }
    List<String> readers = new ArrayList<>();
    if (settings.propensity().enabled() && settings.propensity().models().stream()
        .anyMatch(m -> m.kind() == PropensitySettings.LabelKind.PURCHASE)) {
      readers.add("propensity");
    }
    if (settings.uplift().enabled()) {
      readers.add("uplift");
    }
    if (settings.affinity().enabled()) {
      readers.add("affinity");
    }
    if (!readers.isEmpty()) {
      return Optional.of(STEPS_READ_LINES + ":" + String.join("+", readers));
    }
    if (settings.quality().duplicateLines() == QualitySettings.Handling.QUARANTINE) {
      return Optional.of(DUPLICATE_LINES_QUARANTINED);
    }
    if (settings.profiles().enabled()
        && settings.quality().purchasesWithoutProfile() == QualitySettings.Handling.QUARANTINE) {
      return Optional.of(CHECKED_AGAINST_PROFILES);
    }
    return Optional.empty();
  }
}
