package org.segmentation.rfm;

import static org.apache.spark.sql.functions.col;
import static org.segmentation.schema.Columns.CLV_TIER;
import static org.segmentation.schema.Columns.F_SCORE;
import static org.segmentation.schema.Columns.M_SCORE;
import static org.segmentation.schema.Columns.RFM_SEGMENT;
import static org.segmentation.schema.Columns.R_SCORE;

import java.util.ArrayList;
import java.util.List;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.segmentation.config.JobSettings;
import org.segmentation.config.RfmSettings;
import org.segmentation.config.RfmSettings.SegmentRule;
import org.segmentation.run.ConfigurationException;
import org.segmentation.schema.SqlCompiler;

/** The check of the RFM segment rules that needs Spark's SQL: it evaluates them over every combination of scores. */
public final class SegmentRuleCheck {
  private static final String RULES = JobSettings.keyPath(RfmSettings.BLOCK, RfmSettings.SEGMENTS);

  private SegmentRuleCheck() {}

  /**
   * Checks the rules before any data is read: each condition must compile over the three scores and clv_tier, and
   * every combination of scores 1..score-bins and tier (each of {@code clvTiers}, and NULL) must be matched by some
   * rule. Runs on a tiny table of all combinations (built in the driver), not on customer data.
   *
   * @return the names of rules that never win for any combination (shadowed by earlier rules), for a warning
   */
  public static List<String> run(SparkSession spark, RfmSettings settings, List<String> clvTiers) {
    int bins = settings.scoreBins();
    // every tier, and NULL (no lifetime value: no purchase, or the model skipped)
    List<String> tiers = new ArrayList<>(clvTiers);
    tiers.add(null);
    // A table built in the driver (a LocalRelation): Spark evaluates projections over it while optimizing, so the
    // check runs no Spark job at all.
    List<Row> scores = new ArrayList<>();
    for (int r = 1; r <= bins; r++) {
      for (int f = 1; f <= bins; f++) {
        for (int m = 1; m <= bins; m++) {
          for (String tier : tiers) {
            scores.add(RowFactory.create(r, f, m, tier));
          }
        }
      }
    }
    Dataset<Row> combinations = spark.createDataFrame(scores, new StructType()
        .add(R_SCORE, DataTypes.IntegerType).add(F_SCORE, DataTypes.IntegerType).add(M_SCORE, DataTypes.IntegerType)
        .add(CLV_TIER, DataTypes.StringType));
    List<String> problems = new ArrayList<>();
    for (int i = 0; i < settings.segments().size(); i++) {
      SegmentRule rule = settings.segments().get(i);
      int index = i;
      SqlCompiler.problem(combinations, SqlCompiler.parse(rule.condition()).cast("boolean")).ifPresent(problem ->
          problems.add(RULES + "[" + index + "] (\"" + rule.name() + "\"): rule \"" + rule.condition()
              + "\" does not compile over r_score, f_score, m_score, clv_tier: " + problem));
    }
    if (!problems.isEmpty()) {
      throw new ConfigurationException(problems);
    }
    // score-bins cubed rows of configuration, not of customers: fine to look at in the driver
    List<Row> named = combinations.select(col(R_SCORE), col(F_SCORE), col(M_SCORE), col(CLV_TIER),
        RfmSegmentation.segmentOf(settings).as(RFM_SEGMENT)).collectAsList();
    List<String> unmatched = named.stream().filter(r -> r.isNullAt(4))
        .map(r -> "" + r.getInt(0) + r.getInt(1) + r.getInt(2) + (clvTiers.isEmpty() ? "" : " " + r.getString(3)))
        .distinct().sorted().toList();
    if (!unmatched.isEmpty()) {
      throw new ConfigurationException(RULES + ": no rule matches the scores (r f m"
          + (clvTiers.isEmpty() ? "" : " clv_tier") + ") "
          + unmatched.subList(0, Math.min(20, unmatched.size())) + (unmatched.size() > 20 ? " and more" : "")
          + "; add a rule for them or end the list with a catch-all rule such as rule = \"true\"");
    }
    java.util.Set<String> used = new java.util.HashSet<>();
    named.forEach(r -> used.add(r.getString(4)));
    List<String> shadowed = new ArrayList<>();
    for (SegmentRule rule : settings.segments()) {
      if (!used.contains(rule.name())) {
        shadowed.add(rule.name());
      }
    }
    return shadowed;
  }
}
