package org.segmentation.input;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.lit;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.segmentation.config.FeatureSettings;
import org.segmentation.config.JobSettings;
import org.segmentation.config.QualitySettings;
import org.segmentation.config.SourceFormat;
import org.segmentation.config.SourceSettings;
import org.segmentation.io.RunLog;
import org.segmentation.io.SourceReader;
import org.segmentation.io.SourceReader.RawInput;
import org.segmentation.io.TableCatalog;
import org.segmentation.pipeline.RunContext;
import org.segmentation.pipeline.Step;
import org.segmentation.run.DataQualityException;
import org.segmentation.run.Messages;
import org.segmentation.schema.CanonicalColumn;
import org.segmentation.schema.Columns;

/**
 * Step {@code load_validate}: reads each input once, maps its columns to ours, validates every row (quarantine
 * reasons, never a dropped row), persists the validated rows and counts them (one Spark job per input). Mapping
 * problems surface before any data is read (exit 2); an input that cannot be read is a data-quality failure (exit 3).
 *
 * <p>On an incremental night ({@code plan}) the purchases read are the rows the input gained since the night whose
 * state this one updates (a Delta input's change data feed: inserted rows and updates' new values; a Parquet folder's
 * files added since); the rows it lost since (deleted rows and updates' old values; none from files) are validated
 * too, to be taken away from that night's state and quarantine, whose other purchase rows are carried on.
 *
 * @param plan how the night reads its purchases ({@link PlanNight})
 */
public record LoadAndValidate(NightPlan plan) implements Step<ValidatedInputs> {
  /** A quarantine row without the run that wrote it: what a night's quarantine of the same input repeats. */
  private static final org.apache.spark.sql.Column[] QUARANTINED_ROW = {col(Columns.SOURCE),
      col(Columns.REASON_CODES), col(Columns.SOURCE_ROW)};

  /** Reads every input whole and keeps no state (tools and tests that run the steps without a night's plan). */
  public static LoadAndValidate wholeInputs() {
    return new LoadAndValidate(NightPlan.full(PlanNight.INCREMENTAL_OFF, false));
  }

  @Override
  public String name() {
    return "load_validate";
  }

  @Override
  public ValidatedInputs execute(RunContext run) {
    try {
      return load(run);
    } catch (Exception e) { // Spark's SparkException is checked in Java's eyes but thrown undeclared
      if (plan.incremental() && run.settings().purchases().format() == SourceFormat.DELTA && readsDeletedFile(e)) {
        String purchases = run.settings().purchases().name();
        throw new DataQualityException("The changes of " + purchases + " since version "
            + plan.from().orElseThrow().inputVersions().get(purchases) + " name a file that no longer exists (a "
            + "VACUUM that the table's history does not show: where Delta does not log VACUUM, set "
            + "spark.databricks.delta.vacuum.logging.enabled = true in the session that runs it, and the next night "
            + "recomputes by itself): run this night with --full. " + Messages.firstLine(e.getMessage()));
      }
      throw e;
    }
  }

  private ValidatedInputs load(RunContext run) {
    JobSettings settings = run.settings();
    Map<String, String> versions = new LinkedHashMap<>();
    List<CanonicalColumn> purchasesSchema = settings.purchases().schema();
    InputValidation purchaseRules = InputValidation.purchases(settings.quality(), run.startedAt(), purchasesSchema);
    RawInput rawPurchases;
    Optional<ValidatedInput> removed = Optional.empty();
    if (plan.incremental()) {
      SourceReader.Changes changes = SourceReader.readChanges(run.spark(), settings.purchases(),
          plan.from().orElseThrow().inputVersions().get(settings.purchases().name()));
      rawPurchases = changes.added();
      // the rows that went are judged as they were when they arrived (the same rules; no line the night before was
      // quarantined for its time, PlanNight checks): accepted, they leave the state; quarantined, the quarantine
      removed = Optional.of(validate(changes.removed(), purchasesSchema, purchaseRules, new LinkedHashMap<>()));
    } else {
      rawPurchases = SourceReader.read(run.spark(), settings.purchases());
    }
    ValidatedInput purchases = validate(rawPurchases, purchasesSchema, purchaseRules, versions);
    Optional<ValidatedInput> profiles = Optional.empty();
    if (settings.profiles().enabled()) {
      List<CanonicalColumn> profilesSchema = settings.profiles().schema();
      profiles = Optional.of(validate(SourceReader.read(run.spark(), settings.profiles()), profilesSchema,
          InputValidation.profiles(settings.quality(), profilesSchema), versions));
      if (settings.quality().purchasesWithoutProfile() == QualitySettings.Handling.QUARANTINE) {
        purchases = InputValidation.quarantineCustomersWithoutProfile(purchases,
            profiles.get().accepted().select(Columns.CUSTOMER_ID));
      }
    }
    Optional<ValidatedInput> surveys = Optional.empty();
    if (settings.surveys().enabled()) {
      List<CanonicalColumn> surveysSchema = settings.surveys().schema();
      surveys = Optional.of(validate(SourceReader.read(run.spark(), settings.surveys()), surveysSchema,
          InputValidation.surveys(surveysSchema, settings.kpis().surveyScale()), versions));
    }
    Optional<ValidatedInput> experiments = Optional.empty();
    if (settings.uplift().readsExternalExperiments()) {
      List<CanonicalColumn> experimentsSchema = settings.experimentsInput().schema();
      experiments = Optional.of(validate(SourceReader.read(run.spark(), settings.experimentsInput()),
          experimentsSchema, InputValidation.experiments(experimentsSchema), versions));
    }
    Optional<ValidatedInput> products = Optional.empty();
    if (settings.affinity().enabled() && settings.products().enabled()) {
      List<CanonicalColumn> productsSchema = settings.products().schema();
      products = Optional.of(validate(SourceReader.read(run.spark(), settings.products()), productsSchema,
          InputValidation.products(productsSchema), versions));
    }
    // quantity and purchase attributes that no line share reads are validated (an unparseable value is quarantined),
    // but no stage reads them: not worth caching
    List<String> unread = new ArrayList<>(List.of(Columns.QUANTITY));
    if (!settings.affinity().readsProductIds()) {
      unread.add(Columns.PRODUCT_ID);
    }
    if (!settings.affinity().enabled()) {
      unread.add(Columns.PRODUCT_NAME);
    }
    List<String> shared = settings.features().shares().stream().map(FeatureSettings.LineShare::column).toList();
    settings.purchases().attributes().stream().map(SourceSettings.Attribute::name).filter(a -> !shared.contains(a))
        .forEach(unread::add);
    // Persisted: the validated rows feed the RFM aggregate, the features, the quarantine table and the counts, and
    // each source must be read once. MEMORY_AND_DISK spills instead of recomputing when memory runs short.
    purchases = purchases.without(unread.toArray(String[]::new)).persisted();
    removed = removed.map(rows -> rows.without(unread.toArray(String[]::new)).persisted());
    profiles = profiles.map(ValidatedInput::persisted);
    surveys = surveys.map(ValidatedInput::persisted);
    experiments = experiments.map(ValidatedInput::persisted);
    products = products.map(ValidatedInput::persisted);
    List<ValidatedInput.Counts> counts = new ArrayList<>();
    List<ValidatedInput> all = new ArrayList<>(List.of(purchases));
    profiles.ifPresent(all::add);
    surveys.ifPresent(all::add);
    experiments.ifPresent(all::add);
    products.ifPresent(all::add);
    for (ValidatedInput input : all) {
      counts.add(input.countRows());
    }
    long removedRows = removed.map(rows -> rows.countRows().read()).orElse(0L);
    Optional<Dataset<Row>> carriedQuarantine = removed.map(gone -> carriedQuarantine(run, gone));
    return new ValidatedInputs(purchases, profiles, surveys, experiments, products, counts, versions, plan,
        removed, removedRows, carriedQuarantine);
  }

  /**
   * The quarantined purchase rows of the night this one updates, less those of the rows that went since ({@code gone},
   * validated tonight; as many copies as went): what a full recompute tonight quarantines of the rows read before.
   */
  private Dataset<Row> carriedQuarantine(RunContext run, ValidatedInput gone) {
    RunLog.PublishedRun from = plan.from().orElseThrow();
    return run.lake().readRunDate(TableCatalog.QUARANTINE, from.runDate(), from.versionOf(TableCatalog.QUARANTINE))
        .where(col(Columns.SOURCE).equalTo(lit(gone.name()))).select(QUARANTINED_ROW)
        .exceptAll(gone.quarantined(from.runDate(), from.runId()).select(QUARANTINED_ROW));
  }

  /**
   * One input read, mapped to {@code schema} and checked row by row; a Delta input's version read goes into
   * {@code versions}. (ReadOutExperiments validates its input with this too.)
   */
  public static ValidatedInput validate(RawInput raw, List<CanonicalColumn> schema, InputValidation validation,
      Map<String, String> versions) {
    if (!raw.version().isEmpty()) {
      versions.put(raw.source().name(), raw.version());
    }
    Dataset<Row> mapped = new ColumnMapping(raw.source(), schema).apply(raw.rows());
    return new ValidatedInput(raw.source().name(), schema, validation.apply(mapped), validation.skippedWhen());
  }

  /** Whether reading failed on a file that is gone: what the change feed of a vacuumed commit gives. */
  private static boolean readsDeletedFile(Throwable failure) {
    for (Throwable cause = failure; cause != null; cause = cause.getCause()) {
      if (cause instanceof java.io.FileNotFoundException
          || cause instanceof org.apache.spark.SparkThrowable spark
          && "FAILED_READ_FILE.FILE_NOT_EXIST".equals(spark.getCondition())) {
        return true;
      }
    }
    return false;
  }
}
