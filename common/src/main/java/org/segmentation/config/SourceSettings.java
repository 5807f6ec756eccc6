package org.segmentation.config;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.segmentation.schema.CanonicalColumn;
import org.segmentation.schema.Columns;

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
 * @param attributes the user's own columns beyond the canonical ones (a telecom's contract type, a retailer's loyalty
 *     tier, a line's payment method), in name order: mapped and validated like canonical columns
 */
public record SourceSettings(
    String name,
    boolean enabled,
    SourceFormat format,
    String location,
    Map<String, String> options,
    Map<String, String> columns,
    List<Attribute> attributes) {

  /** The attributes block (named in messages). */
  public static final String ATTRIBUTES = "attributes";
  /** Attribute names become column and struct field names: lower case, so that Spark's case-blind names never clash. */
  private static final Pattern ATTRIBUTE_NAME = Pattern.compile("[a-z][a-z0-9_]*");
  private static final Pattern DECIMAL = Pattern.compile("decimal\\s*\\(\\s*(\\d+)\\s*,\\s*(\\d+)\\s*\\)");
  /** The types an attribute can declare, by the name written in the configuration. */
  private static final Map<String, DataType> ATTRIBUTE_TYPES = Map.of(
      "string", DataTypes.StringType,
      "int", DataTypes.IntegerType,
      "long", DataTypes.LongType,
      "double", DataTypes.DoubleType,
      "decimal", Columns.MONEY,
      "boolean", DataTypes.BooleanType,
      "date", DataTypes.DateType,
      "timestamp", DataTypes.TimestampType,
      "array<string>", DataTypes.createArrayType(DataTypes.StringType));

  /**
   * A user-declared column.
   *
   * @param name the column's name after mapping (lower case, letters, digits and _)
   * @param expression a Spark SQL expression over the input's own columns
   * @param type the type the value is converted to; a value present but not convertible quarantines the row
   *     ({@code unparseable_<name>})
   */
  public record Attribute(String name, String expression, DataType type) {
    public CanonicalColumn column() {
      return new CanonicalColumn(name, type, false);
    }
  }

  /** The inputs: their blocks under segments.inputs and their names in messages and run_log. */
  public static final String PURCHASES = "purchases";
  public static final String PROFILES = "profiles";
  /** Experiments run in another tool (ReadOutExperiments). */
  public static final String EXPERIMENTS = "experiments";
  /** Satisfaction answers (segment_kpis). */
  public static final String SURVEYS = "surveys";
  /** The product catalogue (names and categories of the lines' product ids). */
  public static final String PRODUCTS = "products";
  /** The column mapping block (named in the mapping's messages). */
  public static final String COLUMNS = "columns";

  public SourceSettings {
    options = Map.copyOf(options);
    columns = Map.copyOf(columns);
    attributes = List.copyOf(attributes);
  }

  /** Settings without attributes (tests and tools). */
  public SourceSettings(String name, boolean enabled, SourceFormat format, String location,
      Map<String, String> options, Map<String, String> columns) {
    this(name, enabled, format, location, options, columns, List.of());
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
        in.stringMap(COLUMNS), readAttributes(in, canonical(name)));
    in.rejectUnknownKeys();
    return settings;
  }

  private static List<Attribute> readAttributes(ConfigReader in, List<CanonicalColumn> canonical) {
    List<Attribute> attributes = new ArrayList<>();
    for (Map.Entry<String, ConfigReader> entry : in.namedChildren(ATTRIBUTES).entrySet()) {
      String attribute = entry.getKey();
      ConfigReader block = entry.getValue();
      if (!ATTRIBUTE_NAME.matcher(attribute).matches()) {
        in.problem(ATTRIBUTES + "." + attribute, "an attribute name becomes a column name: lower-case letters, digits and _, starting with a "
            + "letter");
      } else if (canonical.stream().anyMatch(c -> c.name().equals(attribute))) {
        in.problem(ATTRIBUTES + "." + attribute, "is a canonical column: map it under " + COLUMNS + " instead");
      }
      // the expression defaults to the input column of the same name, as for canonical columns
      String expression = block.has("expr") ? block.nonBlankString("expr") : "`" + attribute + "`";
      String typeName = block.nonBlankString("type");
      Optional<DataType> type = attributeType(typeName);
      if (type.isEmpty() && block.has("type")) {
        block.problem("type", "must be one of " + new java.util.TreeSet<>(ATTRIBUTE_TYPES.keySet())
            + " or decimal(precision, scale), got \"" + typeName + "\"");
      }
      block.rejectUnknownKeys();
      attributes.add(new Attribute(attribute, expression, type.orElse(DataTypes.StringType)));
    }
    return attributes;
  }

  /** The type named in an attribute's {@code type} ("decimal" alone is decimal(20,4), like amounts). */
  static Optional<DataType> attributeType(String name) {
    String normalised = name.strip().toLowerCase(Locale.ROOT).replace(" ", "");
    Matcher decimal = DECIMAL.matcher(normalised);
    if (decimal.matches()) {
      int precision = Integer.parseInt(decimal.group(1));
      int scale = Integer.parseInt(decimal.group(2));
      return precision >= 1 && precision <= 38 && scale <= precision
          ? Optional.of(DataTypes.createDecimalType(precision, scale)) : Optional.empty();
    }
    return Optional.ofNullable(ATTRIBUTE_TYPES.get(normalised));
  }

  private static List<CanonicalColumn> canonical(String input) {
    return switch (input) {
      case PURCHASES -> Columns.PURCHASES;
      case EXPERIMENTS -> Columns.EXPERIMENTS;
      case SURVEYS -> Columns.SURVEYS;
      case PRODUCTS -> Columns.PRODUCTS;
      default -> Columns.PROFILES;
    };
  }

  /** Every column of the input after mapping: the canonical ones, then the declared attributes. */
  public List<CanonicalColumn> schema() {
    List<CanonicalColumn> schema = new ArrayList<>(canonical(name));
    attributes.forEach(a -> schema.add(a.column()));
    return List.copyOf(schema);
  }

  /** The declared attributes as the fields of one struct (empty without attributes). */
  public StructType attributeStruct() {
    return CanonicalColumn.schemaOf(attributes.stream().map(Attribute::column).toList());
  }

  /** The mapping expression of a column of {@link #schema()}, if one is configured. */
  public Optional<String> expressionOf(String column) {
    if (columns.containsKey(column)) {
      return Optional.of(columns.get(column));
    }
    return attributes.stream().filter(a -> a.name().equals(column)).map(Attribute::expression).findFirst();
  }

  /**
   * The full path of the setting that maps a column of {@link #schema()}, for messages: a declared attribute's
   * expression (segments.inputs.profiles.attributes.plan.expr), otherwise the columns entry.
   */
  public String mappingKeyPath(String column) {
    boolean attribute = !columns.containsKey(column) && attributes.stream().anyMatch(a -> a.name().equals(column));
    return attribute ? JobSettings.keyPath(JobSettings.INPUTS, name, ATTRIBUTES, column, "expr")
        : columnKeyPath(column);
  }

  /** The full path of one column's mapping, for messages: segments.inputs.purchases.columns.amount. */
  public String columnKeyPath(String column) {
    return JobSettings.keyPath(JobSettings.INPUTS, name, COLUMNS, column);
  }
}
