package org.segmentation.stage;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.expr;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.when;
import static org.segmentation.schema.Columns.F_SCORE;
import static org.segmentation.schema.Columns.M_SCORE;
import static org.segmentation.schema.Columns.RFM_SEGMENT;
import static org.segmentation.schema.Columns.R_SCORE;

import java.util.ArrayList;
import java.util.List;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.segmentation.config.RfmSettings;
import org.segmentation.config.RfmSettings.SegmentRule;
import org.segmentation.run.ConfigurationException;

/**
 * Names each customer's RFM segment from the configured rules: the first rule whose condition holds for the
 * customer's (r_score, f_score, m_score) wins. Customers without scores (no counted purchase in the window) get the
 * configured no-purchase segment.
 */
public record RfmSegmentation(RfmSettings settings) implements Stage {

  @Override
  public Dataset<Row> apply(Dataset<Row> scored) {
    return scored.withColumn(RFM_SEGMENT, segmentOf(settings));
  }

  static Column segmentOf(RfmSettings settings) {
    Column segment = when(col(R_SCORE).isNull(), lit(settings.noPurchaseSegment()));
    for (SegmentRule rule : settings.segments()) {
      segment = segment.when(expr(rule.condition()), lit(rule.name()));
    }
    return segment;
  }

  /**
   * Checks the rules before any data is read: each condition must compile over the three scores, and every
   * combination of scores 1..score-bins must be matched by some rule. Runs on a tiny table of all combinations
   * (score-bins cubed rows, built in the driver), not on customer data.
   *
   * @return the names of rules that never win for any combination (shadowed by earlier rules), for a warning
   */
  public static List<String> check(SparkSession spark, RfmSettings settings) {
    int bins = settings.scoreBins();
    Dataset<Row> combinations = spark.range(bins * bins * bins).select(
        col("id").divide(bins * bins).cast("int").plus(1).as(R_SCORE),
        col("id").divide(bins).cast("int").mod(bins).plus(1).as(F_SCORE),
        col("id").mod(bins).cast("int").plus(1).as(M_SCORE));
    List<String> problems = new ArrayList<>();
    for (int i = 0; i < settings.segments().size(); i++) {
      SegmentRule rule = settings.segments().get(i);
      try {
        combinations.select(expr(rule.condition()).cast("boolean"));
      } catch (Exception e) { // AnalysisException and ParseException, thrown undeclared by Spark
        String message = e.getMessage() == null ? "" : e.getMessage().split("\n")[0];
        problems.add("segments.rfm.segments[" + i + "] (\"" + rule.name() + "\"): rule \"" + rule.condition()
            + "\" does not compile over r_score, f_score, m_score: " + message);
      }
    }
    if (!problems.isEmpty()) {
      throw new ConfigurationException(problems);
    }
    Dataset<Row> named = combinations.withColumn(RFM_SEGMENT, segmentOf(settings));
    List<Row> unmatched = named.where(col(RFM_SEGMENT).isNull()).orderBy(R_SCORE, F_SCORE, M_SCORE).limit(20)
        .collectAsList();
    if (!unmatched.isEmpty()) {
      List<String> scores = unmatched.stream()
          .map(r -> "" + r.getInt(0) + r.getInt(1) + r.getInt(2)).toList();
      throw new ConfigurationException("segments.rfm.segments: no rule matches the scores (r f m) " + scores
          + (unmatched.size() == 20 ? " and more" : "")
          + "; add a rule for them or end the list with a catch-all rule such as rule = \"true\"");
    }
    List<String> used = named.select(RFM_SEGMENT).distinct().as(org.apache.spark.sql.Encoders.STRING())
        .collectAsList();
    List<String> shadowed = new ArrayList<>();
    for (SegmentRule rule : settings.segments()) {
      if (!used.contains(rule.name())) {
        shadowed.add(rule.name());
      }
    }
    return shadowed;
  }
}
