package org.segmentation.io;

import java.util.List;
import java.util.stream.Collectors;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.StructType;

/**
 * An output table as declared in {@link TableCatalog}: its name (and folder under the lake root), what one row is,
 * whether it is partitioned by {@code run_date}, and its columns in order with their types and meaning. Partitioned
 * tables are written one run date at a time; the others are append-only registries.
 *
 * @param name the table's name and folder
 * @param rowIsOne what one row stands for ("customer and run date")
 * @param partitionedByRunDate true: written with replaceWhere run_date = D; false: appended to
 * @param columns the columns in table order
 * @param optional columns that exist only where the configuration asks for them (their declared type is a
 *     placeholder: {@link #withOptional} gives the run's): a table that has one is never refused for it
 * @param retired columns an earlier version of the job wrote and this one no longer does: a table that has one keeps
 *     it (its earlier rows keep their values, later rows read NULL) and is never refused for it
 */
public record TableSpec(String name, String rowIsOne, boolean partitionedByRunDate, List<Column> columns,
    List<Column> optional, List<Column> retired) {

  /** One column: name, Spark type and a one-line comment for the data dictionary. */
  public record Column(String name, DataType type, String comment) {}

  public TableSpec {
    columns = List.copyOf(columns);
    optional = List.copyOf(optional);
    retired = List.copyOf(retired);
  }

  public TableSpec(String name, String rowIsOne, boolean partitionedByRunDate, List<Column> columns,
      List<Column> optional) {
    this(name, rowIsOne, partitionedByRunDate, columns, optional, List.of());
  }

  public TableSpec(String name, String rowIsOne, boolean partitionedByRunDate, List<Column> columns) {
    this(name, rowIsOne, partitionedByRunDate, columns, List.of(), List.of());
  }

  /** This table with its optional column {@code name} present, of the run's {@code type}, after the others. */
  public TableSpec withOptional(String name, DataType type) {
    Column declared = optional.stream().filter(c -> c.name().equals(name)).findFirst()
        .orElseThrow(() -> new IllegalArgumentException(this.name + " has no optional column " + name));
    List<Column> withIt = new java.util.ArrayList<>(columns);
    withIt.add(new Column(name, type, declared.comment()));
    return new TableSpec(this.name, rowIsOne, partitionedByRunDate, withIt, optional, retired);
  }

  /** Every column name a version of this table may have: the columns, the optional ones and the retired ones. */
  public List<String> knownColumnNames() {
    List<String> known = new java.util.ArrayList<>(columnNames());
    java.util.stream.Stream.concat(optional.stream(), retired.stream()).map(Column::name)
        .filter(n -> !known.contains(n)).forEach(known::add);
    return known;
  }

  /** The declared columns {@code stored} (a version of the stored table) lacks: written by an earlier version. */
  public List<String> missingFrom(StructType stored) {
    List<String> storedNames = List.of(stored.fieldNames());
    return columnNames().stream().filter(name -> !storedNames.contains(name)).toList();
  }

  /** The declared schema (every column nullable, as Delta stores them). */
  public StructType schema() {
    StructType schema = new StructType();
    for (Column column : columns) {
      schema = schema.add(column.name(), column.type(), true);
    }
    return schema;
  }

  /** What the table holds, one line: its comment in the catalog of a query engine. */
  public String comment() {
    return "One row per " + rowIsOne + "." + (partitionedByRunDate
        ? " Partitioned by run_date; each run replaces its date; read a date through run_log.table_versions."
        : " Append-only.");
  }

  /** The declared schema with each column's comment in its metadata (Spark and Delta show it as the column comment). */
  public StructType schemaWithComments() {
    StructType schema = new StructType();
    for (Column column : columns) {
      schema = schema.add(column.name(), column.type(), true, column.comment());
    }
    return schema;
  }

  public List<String> columnNames() {
    return columns.stream().map(Column::name).toList();
  }

  /**
   * Checks that {@code actual} has exactly the declared columns with the declared types (in any order; nullability
   * aside) and returns a problem for each difference, so a step that drifts from the catalog fails before it writes.
   */
  public List<String> differencesFrom(StructType actual) {
    List<String> problems = new java.util.ArrayList<>();
    List<String> actualNames = List.of(actual.fieldNames());
    for (Column column : columns) {
      if (!actualNames.contains(column.name())) {
        problems.add("missing column " + column.name());
      } else {
        DataType type = actual.apply(column.name()).dataType();
        if (!sameType(type, column.type())) {
          problems.add(column.name() + " is " + type.simpleString() + ", declared " + column.type().simpleString());
        }
      }
    }
    for (String name : actualNames) {
      if (!columnNames().contains(name)) {
        problems.add("undeclared column " + name);
      }
    }
    return problems;
  }

  private static boolean sameType(DataType a, DataType b) {
    // the catalog string leaves out nullability (containsNull, valueContainsNull), which differs between a plan and
    // a stored table without changing what is stored
    return a.catalogString().equals(b.catalogString());
  }

  /** The table as a Markdown section of the data dictionary (docs/tables.md is generated from these). */
  public String markdown() {
    String header = "## " + name + "\n\nOne row per " + rowIsOne + "."
        + (partitionedByRunDate ? " Partitioned by run_date; each run replaces its date." : " Append-only.")
        + "\n\n| column | type | meaning |\n|---|---|---|\n";
    String rows = java.util.stream.Stream.concat(columns.stream(), optional.stream())
        .map(c -> "| " + c.name() + " | " + (optional.contains(c) ? "struct (optional)" : c.type().simpleString())
            + " | " + c.comment() + " |")
        .collect(Collectors.joining("\n")) + "\n";
    String retiredRows = retired.stream()
        .map(c -> "| " + c.name() + " | " + c.type().simpleString() + " (retired: NULL in new rows) | " + c.comment()
            + " |")
        .collect(Collectors.joining("\n"));
    return header + rows + (retired.isEmpty() ? "" : retiredRows + "\n");
  }
}
