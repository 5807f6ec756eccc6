package org.segmentation.rfm;

import static org.apache.spark.sql.functions.col;
import static org.segmentation.schema.Columns.F_SCORE;
import static org.segmentation.schema.Columns.M_SCORE;
import static org.segmentation.schema.Columns.RFM_SEGMENT;
import static org.segmentation.schema.Columns.R_SCORE;

import java.util.ArrayList;
import java.util.List;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.segmentation.config.JobSettings;
import org.segmentation.config.RfmSettings;
import org.segmentation.config.RfmSettings.SegmentRule;
import org.segmentation.run.ConfigurationException;
import org.segmentation.schema.SqlCompiler;

/** The check of the RFM segment rules that needs Spark: it runs small jobs over every combination of scores. */
public final class SegmentRuleCheck {
  private static final String RULES = JobSettings.keyPath(RfmSettings.BLOCK, RfmSettings.SEGMENTS);

  private SegmentRuleCheck() {}

  /**
   * Checks the rules before any data is read: each condition must compile over the three scores, and every
   * combination of scores 1..score-bins must be matched by some rule. Runs on a tiny table of all combinations
   * (score-bins cubed rows, built in the driver), not on customer data.
   *
   * @return the names of rules that never win for any combination (shadowed by earlier rules), for a warning
   */
  public static List<String> run(SparkSession spark, RfmSettings settings) {
    int bins = settings.scoreBins();
    Dataset<Row> combinations = spark.range(bins * bins * bins).select(
        col("id").divide(bins * bins).cast("int").plus(1).as(R_SCORE),
        col("id").divide(bins).cast("int").mod(bins).plus(1).as(F_SCORE),
        col("id").mod(bins).cast("int").plus(1).as(M_SCORE));
    List<String> problems = new ArrayList<>();
    for (int i = 0; i < settings.segments().size(); i++) {
      SegmentRule rule = settings.segments().get(i);
      int index = i;
      SqlCompiler.problem(combinations, SqlCompiler.parse(rule.condition()).cast("boolean")).ifPresent(problem ->
          problems.add(RULES + "[" + index + "] (\"" + rule.name() + "\"): rule \"" + rule.condition()
              + "\" does not compile over r_score, f_score, m_score: " + problem));
    }
    if (!problems.isEmpty()) {
      throw new ConfigurationException(problems);
    }
    Dataset<Row> named = combinations.withColumn(RFM_SEGMENT, RfmSegmentation.segmentOf(settings));
    List<Row> unmatched = named.where(col(RFM_SEGMENT).isNull()).orderBy(R_SCORE, F_SCORE, M_SCORE).limit(20)
        .collectAsList();
    if (!unmatched.isEmpty()) {
      List<String> scores = unmatched.stream()
          .map(r -> "" + r.getInt(0) + r.getInt(1) + r.getInt(2)).toList();
      throw new ConfigurationException(RULES + ": no rule matches the scores (r f m) " + scores
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
