package org.segmentation.audiences;

import static org.apache.spark.sql.functions.col;

import java.time.LocalDate;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.storage.StorageLevel;
import org.segmentation.config.AudienceSettings;
import org.segmentation.features.BuildFeatures;
import org.segmentation.input.ValidatedInputs;
import org.segmentation.io.LakeTables;
import org.segmentation.io.RunLog;
import org.segmentation.io.TableCatalog;
import org.segmentation.io.TableSpec;
import org.segmentation.output.AssembleSegmentTables;
import org.segmentation.pipeline.RunContext;
import org.segmentation.pipeline.Step;
import org.segmentation.pipeline.StepResult;
import org.segmentation.schema.Columns;

/**
 * Step {@code audiences}: the night's audience_members and audience_changes, ready to publish with the segment tables
 * ({@link AudienceMembers}, {@link AudienceChanges}), compared with the previous published night through the run_log
 * contract. Without configured audiences it builds nothing; the two tables, if the lake has them, then get no rows for
 * the date (a rerun after audiences were removed leaves none of the earlier members behind).
 */
public record BuildAudiences(ValidatedInputs inputs, BuildFeatures.Features features,
    AssembleSegmentTables.SegmentTables segments) implements Step<BuildAudiences.Audiences> {

  /**
   * The night's audiences.
   *
   * @param tables audience_members and audience_changes, in publishing order (none when the lake has no audiences)
   * @param members tonight's members with their contact fields (persisted), when audiences are configured
   * @param previous the previous published night's members of tonight's audiences, when it had any
   * @param contacts the profiles' contact fields ({@link ContactIdentifiers#of}), when there is a profiles input
   * @param previousRunDate the published night compared with, when it had audience_members
   * @param members by audience, then arm, how many members
   * @param changes by audience, then added / removed, how many customers
   */
  public record Audiences(Map<TableSpec, Dataset<Row>> tables, Optional<Dataset<Row>> members,
      Optional<Dataset<Row>> previous, Optional<Dataset<Row>> contacts, Optional<LocalDate> previousRunDate,
      Map<String, Map<String, Long>> counts, Map<String, Map<String, Long>> changes) implements StepResult {

    @Override
    public String progressDetails() {
      if (members.isEmpty()) {
        return "audiences=0";
      }
      StringBuilder details = new StringBuilder("audiences=" + counts.size());
      counts.forEach((audience, arms) -> details.append(' ').append(audience).append('=')
          .append(arms.getOrDefault(Arms.TREATMENT, 0L)).append('+').append(arms.getOrDefault(Arms.CONTROL, 0L))
          .append("_control").append(",added=").append(changes.getOrDefault(audience, Map.of())
              .getOrDefault(AudienceChanges.ADDED, 0L)).append(",removed=").append(changes.getOrDefault(audience,
                  Map.of()).getOrDefault(AudienceChanges.REMOVED, 0L)));
      return details.toString();
    }

    @Override
    public void release() {
      members.ifPresent(Dataset::unpersist);
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
      for (TableSpec table : TableCatalog.AUDIENCE_TABLES) {
        if (lake.exists(table)) {
          tables.put(table, run.spark().createDataFrame(List.of(), table.schema()));
        }
      }
      return new Audiences(tables, Optional.empty(), Optional.empty(), Optional.empty(), Optional.empty(),
          Map.of(), Map.of());
    }
    Optional<RunLog.PublishedRun> previousRun = run.runLog().latestPublishedBefore(run.runDate())
        .filter(p -> p.tableVersions().containsKey(TableCatalog.AUDIENCE_MEMBERS.name()));
    Optional<Dataset<Row>> previous = previousRun.map(p -> lake.readRunDate(TableCatalog.AUDIENCE_MEMBERS,
            p.runDate(), p.versionOf(TableCatalog.AUDIENCE_MEMBERS))
        .where(col(Columns.AUDIENCE).isin(settings.audiences().keySet().toArray())));
    Optional<LocalDate> previousRunDate = previousRun.map(RunLog.PublishedRun::runDate);
    Optional<Dataset<Row>> contacts = Optional.ofNullable(inputs.acceptedProfilesOrNull())
        .map(p -> p.select(ContactIdentifiers.of(settings.defaultPhoneRegion())));

    Dataset<Row> view = AudienceView.of(segments.customerSegments(), features.rows());
    // Persisted: the changes, the counts, the table and every export file read it.
    Dataset<Row> members = new AudienceMembers(settings, run.runDate())
        .apply(view, contacts.orElse(null), previous.orElse(null))
        .persist(StorageLevel.MEMORY_AND_DISK());
    Dataset<Row> changes = new AudienceChanges(run.runDate(), previousRunDate.orElse(null))
        .apply(members, previous.orElse(null));
    tables.put(TableCatalog.AUDIENCE_MEMBERS, members.select(TableCatalog.AUDIENCE_MEMBERS.columns().stream()
        .map(c -> col(c.name())).toArray(Column[]::new)));
    tables.put(TableCatalog.AUDIENCE_CHANGES, changes);
    return new Audiences(tables, Optional.of(members), previous, contacts, previousRunDate,
        countsBy(members, Columns.ARM, settings), countsBy(changes, Columns.CHANGE, settings));
  }

  /** Rows by audience, then by {@code column}'s value: one small aggregate, every configured audience present. */
  private static Map<String, Map<String, Long>> countsBy(Dataset<Row> rows, String column,
      AudienceSettings settings) {
    Map<String, Map<String, Long>> counts = new TreeMap<>();
    settings.audiences().keySet().forEach(audience -> counts.put(audience, new TreeMap<>()));
    for (Row row : rows.groupBy(col(Columns.AUDIENCE), col(column)).count().collectAsList()) {
      counts.computeIfAbsent(row.getString(0), a -> new TreeMap<>()).put(row.getString(1), row.getLong(2));
    }
    return counts;
  }
}
