package org.segmentation.schema;

import java.util.Optional;
import org.apache.spark.sql.AnalysisException;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.functions;
import org.segmentation.run.Messages;

/**
 * Compiles configured Spark SQL (mapping expressions, segment rules, rule segments) against a schema without reading
 * any data: Spark analyses a projection eagerly, so unknown columns, bad syntax and impossible casts surface here.
 * Callers collect the problems of all their expressions and report them together.
 */
public final class SqlCompiler {
  private SqlCompiler() {}

  /** The expression as a Column; parsing is lazy, so this never fails by itself. */
  public static Column parse(String sql) {
    return functions.expr(sql);
  }

  /**
   * The names of the columns of {@code over} that {@code expression} reads, in the order Spark's analysis lists them
   * (a plan: no data is read). The expression must compile ({@link #problem}).
   */
  public static java.util.List<String> referencedColumns(Dataset<Row> over, Column expression) {
    org.apache.spark.sql.catalyst.plans.logical.LogicalPlan plan =
        ((org.apache.spark.sql.classic.Dataset<Row>) over.select(expression)).queryExecution().analyzed();
    java.util.List<String> names = new java.util.ArrayList<>();
    scala.collection.Iterator<org.apache.spark.sql.catalyst.expressions.Attribute> references =
        plan.references().iterator();
    while (references.hasNext()) {
      String name = references.next().name();
      if (!names.contains(name)) {
        names.add(name);
      }
    }
    return names;
  }

  /**
   * Why {@code expression} does not compile over {@code over}'s columns (the error's first line; prefixed with
   * "cannot compile: " for a syntax error), or empty when it does.
   */
  public static Optional<String> problem(Dataset<Row> over, Column expression) {
    try {
      over.select(expression);
      return Optional.empty();
    } catch (Exception e) { // AnalysisException and ParseException are thrown undeclared by Spark
      String kind = e instanceof AnalysisException ? "" : "cannot compile: ";
      return Optional.of(kind + Messages.firstLine(e.getMessage()));
    }
  }
}
