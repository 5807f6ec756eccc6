package org.segmentation.input;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.struct;
import static org.apache.spark.sql.functions.trim;

import org.segmentation.pipeline.Stage;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.types.DataTypes;
import org.segmentation.config.SourceSettings;
import org.segmentation.run.ConfigurationException;
import org.segmentation.run.DataQualityException;
import org.segmentation.schema.CanonicalColumn;
import org.segmentation.schema.Columns;
import org.segmentation.schema.SqlCompiler;

/**
 * Turns an input in the user's own schema into our canonical columns, using the source's column mapping.
 *
 * <p>For every column of the schema (the canonical columns and the source's declared attributes) the output holds the typed value ({@code try_cast} of the mapping expression: NULL when
 * it cannot be converted; identifiers trimmed, see {@link Columns#IDENTIFIERS}) and, for columns that are not strings, the value before conversion in {@code __mapped_<name>}
 * so that validation can tell a missing value from an unparseable one. The original row is kept as a struct in
 * {@code __source} for the quarantine table; the optimizer prunes it wherever it is not used.
 *
 * <p>Mapping problems are configuration errors and are found here, before any data is read: an expression that does
 * not compile, a column that is not in the input, a required column that has no mapping, a type that cannot be cast.
 * All of them are reported at once.
 */
public record ColumnMapping(SourceSettings source, List<CanonicalColumn> schema) implements Stage {
  public static final String SOURCE_STRUCT = "__source";
  public static final String MAPPED_PREFIX = "__mapped_";

  @Override
  public Dataset<Row> apply(Dataset<Row> raw) {
    List<String> problems = new ArrayList<>();
    Set<String> canonicalNames = new TreeSet<>();
    for (CanonicalColumn c : schema) {
      canonicalNames.add(c.name());
    }
    for (String mapped : source.columns().keySet()) {
      if (!canonicalNames.contains(mapped)) {
        problems.add(key(mapped) + ": not a canonical " + source.name() + " column (expected one of "
            + canonicalNames + ")");
      }
    }
    if (raw.columns().length == 0) {
      throw new DataQualityException("Cannot read " + source.name() + ": the input has no columns (an empty file?)");
    }
    Set<String> rawColumns = new TreeSet<>(Arrays.asList(raw.columns()));
    String delimiterHint = raw.columns().length == 1 && raw.columns()[0].matches(".*[;\t|,].*")
        ? "; the input has a single column whose name contains a separator: is options.delimiter right?"
        : "";
    List<Column> output = new ArrayList<>();
    for (CanonicalColumn c : schema) {
      String expression = source.expressionOf(c.name()).orElse(null);
      Column value;
      if (expression != null) {
        value = compile(raw, c, expression, problems);
        if (value == null) {
          continue;
        }
      } else if (rawColumns.contains(c.name())) {
        value = col("`" + c.name() + "`");
      } else if (c.required()) {
        problems.add(key(c.name()) + ": required column is missing: the input has no column \"" + c.name()
            + "\" and no mapping was given (input columns: " + rawColumns + ")" + delimiterHint);
        continue;
      } else {
        value = lit(null).cast(c.type());
      }
      Column typed = value.try_cast(c.type());
      output.add((Columns.IDENTIFIERS.contains(c.name()) ? trim(typed) : typed).as(c.name()));
      if (!c.type().equals(DataTypes.StringType)) {
        output.add(value.as(MAPPED_PREFIX + c.name()));
      }
    }
    if (!problems.isEmpty()) {
      throw new ConfigurationException(problems);
    }
    Column[] sourceColumns = Arrays.stream(raw.columns()).map(name -> col("`" + name + "`")).toArray(Column[]::new);
    output.add(struct(sourceColumns).as(SOURCE_STRUCT));
    return raw.select(output.toArray(Column[]::new));
  }

  /** Compiles one mapping expression against the input's schema; records a problem and returns null if it fails. */
  private Column compile(Dataset<Row> raw, CanonicalColumn c, String expression, List<String> problems) {
    Column value = SqlCompiler.parse(expression);
    Optional<String> problem = SqlCompiler.problem(raw, value.try_cast(c.type()));
    problem.ifPresent(p -> problems.add(key(c.name()) + " = \"" + expression + "\": " + p));
    return problem.isPresent() ? null : value;
  }

  private String key(String column) {
    return source.mappingKeyPath(column);
  }
}
