package org.segmentation.features;

import static org.apache.spark.sql.functions.array;
import static org.apache.spark.sql.functions.filter;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.when;

import org.segmentation.pipeline.Stage;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.types.DataTypes;
import org.segmentation.config.JobSettings;
import org.segmentation.run.ConfigurationException;
import org.segmentation.schema.Columns;
import org.segmentation.schema.SqlCompiler;

/**
 * Rule-based segments: each configured name with a Spark SQL condition over the customer features. A customer is in
 * every segment whose condition is true ({@code rule_segments}, an array of names in configuration order; empty when
 * none holds; a condition that is NULL for a customer, say on a missing age, does not hold).
 */
public record RuleSegments(Map<String, String> rules) implements Stage {

  @Override
  public Dataset<Row> apply(Dataset<Row> features) {
    return features.withColumn(Columns.RULE_SEGMENTS, column());
  }

  Column column() {
    if (rules.isEmpty()) {
      return array().cast(DataTypes.createArrayType(DataTypes.StringType));
    }
    List<Column> members = new ArrayList<>();
    for (Map.Entry<String, String> rule : rules.entrySet()) {
      members.add(when(SqlCompiler.parse(rule.getValue()).cast("boolean"), lit(rule.getKey())));
    }
    return filter(array(members.toArray(Column[]::new)), name -> name.isNotNull());
  }

  /**
   * Compiles every rule against the features (a plan: no data is read) and reports each one that fails.
   *
   * @param features any Dataset with the customer features' schema, an empty one included
   */
  public void check(Dataset<Row> features) {
    List<String> problems = new ArrayList<>();
    for (Map.Entry<String, String> rule : rules.entrySet()) {
      SqlCompiler.problem(features, SqlCompiler.parse(rule.getValue()).cast("boolean")).ifPresent(problem ->
          problems.add(JobSettings.keyPath(JobSettings.RULE_SEGMENTS, rule.getKey()) + " = \"" + rule.getValue()
              + "\": not a condition over the customer features: " + problem));
    }
    if (!problems.isEmpty()) {
      throw new ConfigurationException(problems);
    }
  }
}
