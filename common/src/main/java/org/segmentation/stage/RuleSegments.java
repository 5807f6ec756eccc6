package org.segmentation.stage;

import static org.apache.spark.sql.functions.array;
import static org.apache.spark.sql.functions.expr;
import static org.apache.spark.sql.functions.filter;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.when;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.types.DataTypes;
import org.segmentation.run.ConfigurationException;

/**
 * Rule-based segments: each configured name with a Spark SQL condition over the customer features. A customer is in
 * every segment whose condition is true ({@code rule_segments}, an array of names in configuration order; empty when
 * none holds; a condition that is NULL for a customer, say on a missing age, does not hold).
 */
public record RuleSegments(Map<String, String> rules) implements Stage {
  public static final String RULE_SEGMENTS = "rule_segments";

  @Override
  public Dataset<Row> apply(Dataset<Row> features) {
    return features.withColumn(RULE_SEGMENTS, column());
  }

  Column column() {
    if (rules.isEmpty()) {
      return array().cast(DataTypes.createArrayType(DataTypes.StringType));
    }
    List<Column> members = new ArrayList<>();
    for (Map.Entry<String, String> rule : rules.entrySet()) {
      members.add(when(expr(rule.getValue()).cast("boolean"), lit(rule.getKey())));
    }
    return filter(array(members.toArray(Column[]::new)), name -> name.isNotNull());
  }

  /** Compiles every rule against the features' schema (no data is read) and reports each one that fails. */
  public void check(Dataset<Row> features) {
    List<String> problems = new ArrayList<>();
    for (Map.Entry<String, String> rule : rules.entrySet()) {
      try {
        features.select(expr(rule.getValue()).cast("boolean"));
      } catch (Exception e) { // AnalysisException and ParseException, thrown undeclared by Spark
        String message = e.getMessage() == null ? "" : e.getMessage().split("\n")[0];
        problems.add("segments.rule-segments." + rule.getKey() + " = \"" + rule.getValue()
            + "\": not a condition over the customer features: " + message);
      }
    }
    if (!problems.isEmpty()) {
      throw new ConfigurationException(problems);
    }
  }
}
