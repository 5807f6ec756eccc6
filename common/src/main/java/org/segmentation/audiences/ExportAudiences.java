package org.segmentation.audiences;

import static org.apache.spark.sql.functions.array;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.element_at;
import static org.apache.spark.sql.functions.explode;
import static org.apache.spark.sql.functions.filter;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.when;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.segmentation.config.AudienceSettings;
import org.segmentation.config.AudienceSettings.Audience;
import org.segmentation.config.AudienceSettings.Destination;
import org.segmentation.config.AudienceSettings.OrderTerm;
import org.segmentation.config.JobSettings;
import org.segmentation.io.StagedOutput;
import org.segmentation.io.StagingArea;
import org.segmentation.pipeline.RunContext;
import org.segmentation.pipeline.Step;
import org.segmentation.pipeline.StepResult;
import org.segmentation.schema.Columns;

/**
 * Step {@code export_audiences}: for each audience, the folder {@code <export root>/<audience>/<run_date>/} with, for
 * each of its destinations, {@code members}, {@code adds} and {@code removes} in the destination's format, and a
 * {@code _manifest.json} (audience, run date, filter, counts by arm, each file's columns, rows and SHA-256, job
 * version). Only the treatment arm is exported, only to destinations it reaches (consent, identifier:
 * audience_members.destinations); adds and removes compare that list with the previous published night's. A
 * destination without {@code allow-raw-email} gets no e-mail, name or phone: only {@code email_sha256} and
 * {@code phone_sha256}. The folders are staged, hidden, and put into place by the night's publisher only once the night
 * has committed: they appear whole, with the night, or not at all ({@link ExportFolder}).
 */
public record ExportAudiences(BuildAudiences.Audiences audiences) implements Step<ExportAudiences.Exported> {
  public static final String MEMBERS = "members";
  public static final String ADDS = "adds";
  public static final String REMOVES = "removes";
  private static final String JOB_VERSION = jobVersion();

  /** The folders written and staged, by audience: each in its final place once the night commits. */
  public record Exported(Map<String, StagedOutput> folders) implements StepResult {
    public Exported {
      folders = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(folders));
    }

    @Override
    public String progressDetails() {
      StringBuilder details = new StringBuilder("folders=" + folders.size());
      folders.forEach((audience, folder) -> details.append(' ').append(audience).append('=')
          .append(folder.location()));
      return details.toString();
    }
  }

  @Override
  public String name() {
    return "export_audiences";
  }

  @Override
  public Exported execute(RunContext run) {
    Map<String, StagedOutput> folders = new java.util.LinkedHashMap<>();
    if (audiences.rows().isEmpty()) {
      return new Exported(folders);
    }
    AudienceSettings settings = run.settings().audiences();
    String root = settings.exportRootUnder(run.settings().lake().root());
    for (Audience audience : settings.audiences().values()) {
      try {
        folders.put(audience.name(), writeFolder(run, audience, root));
      } catch (IOException | RuntimeException e) {
        for (StagedOutput written : folders.values()) { // the night will not commit: no folder of it stays
          try {
            written.discard();
          } catch (IOException ignored) { // the next run's start deletes it
          }
        }
        throw new UncheckedIOException("Cannot export audience " + audience.name() + " under " + root + ": "
            + e.getMessage(), e instanceof IOException io ? io : new IOException(e));
      }
    }
    return new Exported(folders);
  }

  /** Where the export folders are staged: settled by the next run's start when a kill left some. */
  public static StagingArea stagingArea(org.apache.spark.sql.SparkSession spark, JobSettings settings) {
    return ExportFolder.stagingArea(spark, settings.audiences().exportRootUnder(settings.lake().root()));
  }

  /** One audience's folder, complete (every destination's files, then the manifest) but not yet in place. */
  private ExportFolder writeFolder(RunContext run, Audience audience, String root) throws IOException {
    AudienceSettings settings = run.settings().audiences();
    ExportFolder folder = new ExportFolder(run.spark(), root, audience.name(), run.runDate(), run.runId());
    ObjectNode manifest = manifest(run, audience);
    ArrayNode destinations = manifest.putArray("destinations");
    ArrayNode files = manifest.putArray("files");
    for (String name : audience.destinations()) {
      Destination destination = settings.destinations().get(name);
      List<String> columns = fileColumns(destination, audiences.fieldNames().get(audience.name()));
      ObjectNode described = destinations.addObject().put("name", name)
          .put("format", destination.format().extension()).put("consent_column", destination.consentColumn())
          .put("identifiers", destination.allowRawEmail() ? "raw" : "sha256");
      columns.forEach(described.putArray("columns")::add);
      Map<String, Long> rowsByFile = audiences.counts().get(audience.name()).fileRows().get(name);
      for (ExportFolder.WrittenFile file : folder.writeFiles(name, filesOf(audience.name(), name, columns),
          destination.format(), rowsByFile)) {
        files.addObject().put("path", file.path()).put("destination", name)
            .put("kind", file.path().substring(name.length() + 1, file.path().lastIndexOf('.')))
            .put("rows", file.rows()).put("bytes", file.bytes()).put("sha256", file.sha256());
      }
    }
    folder.writeManifest(new ObjectMapper().writerWithDefaultPrettyPrinter().writeValueAsString(manifest));
    return folder;
  }

  /**
   * The columns of a destination's files: raw contact fields for a destination allowed them, else only the hashed
   * identifiers; then the audience's fields.
   */
  static List<String> fileColumns(Destination destination, List<String> fieldNames) {
    List<String> columns = new ArrayList<>(destination.allowRawEmail()
        ? List.of(Columns.CUSTOMER_ID, Columns.EMAIL, Columns.FIRST_NAME, Columns.LAST_NAME, Columns.PHONE)
        : List.of(Columns.EMAIL_SHA256, Columns.PHONE_SHA256));
    columns.addAll(fieldNames);
    return columns;
  }

  /**
   * The rows of a destination's three files, each row once per file it belongs to ({@link ExportFolder#FILE}), in one
   * partition sorted by file and customer; then the files' columns (the raw contact fields never reach a hashed file).
   */
  private Dataset<Row> filesOf(String audience, String destination, List<String> columns) {
    List<Column> kinds = new ArrayList<>();
    BuildAudiences.fileFilters(destination).forEach((kind, filter) -> kinds.add(when(filter, lit(kind))));
    Dataset<Row> rows = audiences.rows().orElseThrow().where(col(Columns.AUDIENCE).equalTo(audience))
        .withColumn(ExportFolder.FILE, explode(filter(array(kinds.toArray(Column[]::new)), k -> k.isNotNull())));
    List<Column> output = new ArrayList<>(List.of(col(ExportFolder.FILE)));
    for (String column : columns) {
      output.add(switch (column) {
        case Columns.EMAIL_SHA256 -> ContactIdentifiers.emailSha256(col(Columns.EMAIL)).as(column);
        case Columns.PHONE_SHA256 -> ContactIdentifiers.phoneSha256(col(ContactIdentifiers.PHONE_E164)).as(column);
        case Columns.PHONE -> col(ContactIdentifiers.PHONE_E164).as(column);
        case Columns.CUSTOMER_ID, Columns.EMAIL, Columns.FIRST_NAME, Columns.LAST_NAME -> col(column);
        default -> element_at(col(Columns.REASON_FIELDS), lit(column)).as(column);
      });
    }
    return rows.coalesce(1).sortWithinPartitions(col(ExportFolder.FILE), col(Columns.CUSTOMER_ID))
        .select(output.toArray(Column[]::new));
  }

  private ObjectNode manifest(RunContext run, Audience audience) {
    ObjectNode manifest = new ObjectMapper().createObjectNode();
    manifest.put("audience", audience.name()).put("run_date", run.runDate().toString()).put("run_id", run.runId());
    manifest.put("previous_run_date", audiences.previousRunDate().map(Object::toString).orElse(null));
    manifest.put("filter", audience.filter());
    ArrayNode order = manifest.putArray("order_by");
    for (OrderTerm term : audience.orderBy()) {
      order.add(term.expression() + (term.descending() ? " desc" : " asc"));
    }
    if (audience.limit() > 0) {
      manifest.put("limit", audience.limit());
    } else {
      manifest.putNull("limit");
    }
    manifest.put("holdout_share", audience.holdoutShare()).put("holdout_key", audience.holdoutKey());
    BuildAudiences.Counts counts = audiences.counts().get(audience.name());
    manifest.putObject("members_by_arm").put(Arms.TREATMENT, counts.treatment()).put(Arms.CONTROL, counts.control());
    manifest.putObject("membership_changes").put(AudienceChanges.ADDED, counts.added())
        .put(AudienceChanges.REMOVED, counts.removed());
    manifest.put("job_version", JOB_VERSION);
    return manifest;
  }

  private static String jobVersion() {
    java.util.Properties properties = new java.util.Properties();
    try (var in = ExportAudiences.class.getResourceAsStream("/segmentation-version.properties")) {
      if (in != null) {
        properties.load(in);
      }
    } catch (IOException e) {
      return "unknown";
    }
    return properties.getProperty("version", "unknown");
  }
}
