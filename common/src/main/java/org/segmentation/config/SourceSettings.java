package org.segmentation.config;

import java.util.Map;

/**
 * One input table: where it is, how to read it, and how its columns map to our canonical columns.
 *
 * @param name the input's name in messages and in {@code run_log} ("purchases", "profiles")
 * @param enabled false when the deployment has no such table (profiles are optional)
 * @param format the reader to use
 * @param location a path (files) or a table name ({@code format = table})
 * @param options reader options passed to Spark as they are ({@code header}, {@code delimiter} ...)
 * @param columns canonical column name to a Spark SQL expression over the input's own columns; a canonical column
 *     not listed here is read from the input column of the same name when there is one
 */
public record SourceSettings(
    String name,
    boolean enabled,
    SourceFormat format,
    String location,
    Map<String, String> options,
    Map<String, String> columns) {

  /** The two inputs: their blocks under segments.inputs and their names in messages and run_log. */
  public static final String PURCHASES = "purchases";
  public static final String PROFILES = "profiles";
  /** The column mapping block (named in the mapping's messages). */
  public static final String COLUMNS = "columns";

  public SourceSettings {
    options = Map.copyOf(options);
    columns = Map.copyOf(columns);
  }

  static SourceSettings read(ConfigReader in, String name) {
    boolean enabled = in.bool("enabled");
    SourceFormat format = in.oneOf("format", SourceFormat.class);
    String location = in.string("path");
    if (enabled && location.isBlank()) {
      in.problem("path", format == SourceFormat.TABLE
          ? "must name the catalog table to read (format = table)"
          : "must give the location of the " + name + " input (a folder or file; format = " + format.sparkFormat() + ")");
    }
    SourceSettings settings = new SourceSettings(name, enabled, format, location, in.stringMap("options"),
        in.stringMap(COLUMNS));
    in.rejectUnknownKeys();
    return settings;
  }

  /** The full path of one column's mapping, for messages: segments.inputs.purchases.columns.amount. */
  public String columnKeyPath(String column) {
    return JobSettings.keyPath(JobSettings.INPUTS, name, COLUMNS, column);
  }
}
