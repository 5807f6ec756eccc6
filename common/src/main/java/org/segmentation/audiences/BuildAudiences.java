package org.segmentation.audiences;

import static org.apache.spark.sql.functions.array_contains;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.not;
import static org.apache.spark.sql.functions.sum;
import static org.apache.spark.sql.functions.when;

import java.time.LocalDate;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.segmentation.config.AudienceSettings;
import org.segmentation.features.BuildFeatures;
import org.segmentation.input.ValidatedInputs;
import org.segmentation.io.LakeTables;
import org.segmentation.io.PublishedHistory;
import org.segmentation.io.RunLog;
import org.segmentation.io.TableCatalog;
import org.segmentation.io.TableSpec;
import org.segmentation.output.AssembleSegmentTables;
import org.segmentation.pipeline.PersistedRows;
import org.segmentation.pipeline.RunContext;
import org.segmentation.pipeline.Step;
import org.segmentation.pipeline.StepResult;
import org.segmentation.schema.Columns;

/**
 * Step {@code audiences}: the night's audience_members and audience_changes, ready to publish with the segment tables
 * ({@link AudienceMembers}, {@link AudienceChanges}), compared with the previous published night through the run_log
 * contract; filters, orders and fields may read the propensity and uplift models' scores ({@link AudienceView}). Without
 * configured audiences it builds nothing; the two tables, if the lake has them, then get no rows for
 * the date (a rerun after audiences were removed leaves none of the earlier members behind).
 */
public record BuildAudiences(ValidatedInputs inputs, BuildFeatures.Features features,
    AssembleSegmentTables.SegmentTables segments, PublishedHistory history, List<Dataset<Row>> scores)
    implements Step<BuildAudiences.Audiences> {

  /** One audience's figures: members by arm, changes, and the rows of each destination's files. */
  public record Counts(long treatment, long control, long added, long removed,
      Map<String, Map<String, Long>> fileRows) {}

  /**
   * The night's audiences.
   *
   * @param tables audience_members and audience_changes, in publishing order (none when the lake has no audiences)
   * @param rows every (audience, customer) that is or was a member, with contact fields ({@link AudienceMembers};
   *     persisted), when audiences are configured
   * @param previousRunDate the published night compared with, when it had audience_members
   * @param counts by audience
   * @param fieldNames by audience, the names of its export fields (the files' custom columns)
   */
  public record Audiences(Map<TableSpec, Dataset<Row>> tables, Optional<Dataset<Row>> rows,
      Optional<LocalDate> previousRunDate, Map<String, Counts> counts, Map<String, List<String>> fieldNames)
      implements StepResult {

    @Override
    public String progressDetails() {
      if (rows.isEmpty()) {
        return "audiences=0";
      }
      StringBuilder details = new StringBuilder("audiences=" + counts.size());
      counts.forEach((audience, c) -> details.append(' ').append(audience).append("=treatment:").append(c.treatment())
          .append(",control:").append(c.control()).append(",added:").append(c.added()).append(",removed:")
          .append(c.removed()));
      return details.toString();
    }

    @Override
    public void release() {
      rows.ifPresent(PersistedRows::release);
    }
  }

  @Override
  public String name() {
    return "audiences";
  }

  @Override
  public Audiences execute(RunContext run) {
    AudienceSettings settings = run.settings().audiences();
    LakeTables lake = run.lake();
    Map<TableSpec, Dataset<Row>> tables = new LinkedHashMap<>();
    if (!settings.any()) {
      return new Audiences(lake.noRowsInThoseItHas(TableCatalog.AUDIENCE_TABLES), Optional.empty(), Optional.empty(),
          Map.of(), Map.of());
    }
    Optional<RunLog.PublishedRun> previousRun = history.previous()
        .filter(p -> p.tableVersions().containsKey(TableCatalog.AUDIENCE_MEMBERS.name()));
    Dataset<Row> previous = previousRun.map(p -> lake.readRunDate(TableCatalog.AUDIENCE_MEMBERS,
            p.runDate(), p.versionOf(TableCatalog.AUDIENCE_MEMBERS))
        .where(col(Columns.AUDIENCE).isin(settings.audiences().keySet().toArray()))).orElse(null);
    Optional<LocalDate> previousRunDate = previousRun.map(RunLog.PublishedRun::runDate);
    Dataset<Row> contacts = Optional.ofNullable(inputs.acceptedProfilesOrNull())
        .map(p -> p.select(ContactIdentifiers.of(settings.defaultPhoneRegion()))).orElse(null);

    Dataset<Row> view = AudienceView.of(segments.customerSegments(), features.rows(), scores);
    // Persisted: the table, the changes, the counts and every export file are filters of it.
    Dataset<Row> rows = PersistedRows.of(new AudienceMembers(settings, run.runDate()).apply(view, contacts,
        previous));
    tables.put(TableCatalog.AUDIENCE_MEMBERS, rows.where(col(AudienceMembers.MEMBER))
        .select(TableCatalog.AUDIENCE_MEMBERS.columns().stream().map(c -> col(c.name())).toArray(Column[]::new)));
    tables.put(TableCatalog.AUDIENCE_CHANGES,
        new AudienceChanges(run.runDate(), previousRunDate.orElse(null)).apply(rows));
    Map<String, List<String>> fieldNames = new LinkedHashMap<>();
    settings.audiences().values().forEach(a -> fieldNames.put(a.name(), AudienceMembers.fieldNames(view, a)));
    return new Audiences(tables, Optional.of(rows), previousRunDate, counts(rows, settings), fieldNames);
  }

  /** Which rows go to which file of a destination: members, adds, removes. */
  public static Map<String, Column> fileFilters(String destination) {
    Column now = array_contains(col(Columns.DESTINATIONS), destination);
    Column before = array_contains(col(AudienceMembers.PREVIOUS_DESTINATIONS), destination);
    Map<String, Column> files = new LinkedHashMap<>();
    files.put(ExportAudiences.MEMBERS, now);
    files.put(ExportAudiences.ADDS, now.and(not(before)));
    files.put(ExportAudiences.REMOVES, not(now).and(before));
    return files;
  }

  /** Every audience's figures in one aggregate (a row per audience reaches the driver). */
  private static Map<String, Counts> counts(Dataset<Row> rows, AudienceSettings settings) {
    Column member = col(AudienceMembers.MEMBER);
    Column was = col(AudienceMembers.WAS_MEMBER);
    List<Column> sums = new ArrayList<>(List.of(
        countIf(member.and(col(Columns.ARM).equalTo(Arms.TREATMENT))),
        countIf(member.and(col(Columns.ARM).equalTo(Arms.CONTROL))),
        countIf(member.and(not(was))), countIf(not(member).and(was))));
    List<String> destinations = List.copyOf(settings.destinations().keySet());
    for (String destination : destinations) {
      fileFilters(destination).values().forEach(filter -> sums.add(countIf(filter)));
    }
    Map<String, Row> byAudience = new java.util.HashMap<>();
    for (Row row : rows.groupBy(col(Columns.AUDIENCE)).agg(sums.get(0), sums.subList(1, sums.size())
        .toArray(Column[]::new)).collectAsList()) {
      byAudience.put(row.getString(0), row);
    }
    Map<String, Counts> counts = new TreeMap<>();
    for (String audience : settings.audiences().keySet()) {
      Row row = byAudience.get(audience);
      Map<String, Map<String, Long>> files = new LinkedHashMap<>();
      int at = 5;
      for (String destination : destinations) {
        Map<String, Long> kinds = new LinkedHashMap<>();
        for (String kind : fileFilters(destination).keySet()) {
          kinds.put(kind, row == null ? 0L : row.getLong(at));
          at++;
        }
        files.put(destination, kinds);
      }
      counts.put(audience, row == null ? new Counts(0, 0, 0, 0, files)
          : new Counts(row.getLong(1), row.getLong(2), row.getLong(3), row.getLong(4), files));
    }
    return counts;
  }

  private static Column countIf(Column condition) {
    return sum(when(condition, 1L).otherwise(0L));
  }
}
