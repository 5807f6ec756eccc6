package org.segmentation.rfm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.segmentation.TestSpark.row;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.Test;
import org.segmentation.TestSpark;
import org.segmentation.config.JobSettings;
import org.segmentation.config.RfmSettings;
import org.segmentation.config.RfmSettings.SegmentRule;
import org.segmentation.config.SettingsLoader;
import org.segmentation.run.ConfigurationException;

class RfmSegmentationTest {
  static RfmSettings defaults() {
    return JobSettings.read(SettingsLoader.layer(com.typesafe.config.ConfigFactory.parseString(
        "segments.inputs { purchases.path = x, profiles.enabled = false }"), Map.of())).rfm();
  }

  static RfmSettings withRules(List<SegmentRule> rules) {
    RfmSettings d = defaults();
    return new RfmSettings(d.lookbackDays(), d.scoreBins(), d.scoring(), d.thresholds(), d.monetary(),
        d.noPurchaseSegment(), rules);
  }

  @Test
  void defaultSchemeCoversEveryScoreCombinationAndUsesEveryRule() {
    assertEquals(List.of(), SegmentRuleCheck.run(TestSpark.get(), defaults(), List.of()));
  }

  @Test
  void firstMatchingRuleNamesTheCustomer() {
    StructType scores = new StructType().add("r_score", DataTypes.IntegerType).add("f_score", DataTypes.IntegerType)
        .add("m_score", DataTypes.IntegerType).add("id", DataTypes.StringType);
    Map<String, String> names = new HashMap<>();
    for (Row r : new RfmSegmentation(defaults()).apply(TestSpark.rows(scores,
        row(5, 5, 5, "a"), row(1, 5, 5, "b"), row(5, 1, 1, "c"), row(3, 1, 2, "d"), row(1, 1, 1, "e"),
        row(2, 4, 4, "f"), row(null, null, null, "g"))).collectAsList()) {
      names.put(r.getAs("id"), r.getAs("rfm_segment"));
    }
    assertEquals(Map.of("a", "Champions", "b", "Can't Lose Them", "c", "New Customers", "d", "Promising",
        "e", "Lost", "f", "At Risk", "g", "No Purchases"), names);
  }

  @Test
  void uncoveredScoresAreAConfigurationError() {
    ConfigurationException e = assertThrows(ConfigurationException.class, () -> SegmentRuleCheck.run(
        TestSpark.get(), withRules(List.of(new SegmentRule("Best", "r_score >= 3"))), List.of()));
    assertTrue(e.getMessage().contains("no rule matches the scores (r f m) [111, 112"), e.getMessage());
  }

  @Test
  void aRuleThatDoesNotCompileIsNamed() {
    ConfigurationException e = assertThrows(ConfigurationException.class, () -> SegmentRuleCheck.run(
        TestSpark.get(), withRules(List.of(new SegmentRule("Big", "monetary > 100"),
            new SegmentRule("Rest", "true"))), List.of()));
    assertTrue(e.getMessage().contains("segments.rfm.segments[0] (\"Big\")"), e.getMessage());
  }

  /** The three-segment example of the README, through configuration only. */
  @Test
  void aSchemeFromConfigurationReplacesTheDefault() {
    RfmSettings rfm = JobSettings.read(SettingsLoader.layer(com.typesafe.config.ConfigFactory.parseString("""
        segments.inputs { purchases.path = x, profiles.enabled = false }
        segments.rfm {
          score-bins = 3
          segments = [
            { name = "VIP",      rule = "r_score = 3 and f_score >= 2 and m_score = 3" }
            { name = "Active",   rule = "r_score >= 2" }
            { name = "Dormant",  rule = "true" }
          ]
        }
        """), Map.of())).rfm();
    assertEquals(List.of(), SegmentRuleCheck.run(TestSpark.get(), rfm, List.of()));
    StructType scores = new StructType().add("r_score", DataTypes.IntegerType).add("f_score", DataTypes.IntegerType)
        .add("m_score", DataTypes.IntegerType);
    List<String> names = new RfmSegmentation(rfm).apply(TestSpark.rows(scores, row(3, 2, 3), row(2, 1, 1),
        row(1, 3, 3))).select("rfm_segment").as(org.apache.spark.sql.Encoders.STRING()).collectAsList();
    assertEquals(List.of("VIP", "Active", "Dormant"), names);
  }

  /** Rules may name the CLV tier; every tier, and no tier (NULL), must then find a rule. */
  @Test
  void rulesMayUseTheClvTier() {
    List<String> tiers = List.of("Top", "High", "Low");
    assertEquals(List.of(), SegmentRuleCheck.run(TestSpark.get(), withRules(List.of(
        new SegmentRule("Valuable Champions", "r_score >= 4 and clv_tier in ('Top', 'High')"),
        new SegmentRule("Rest", "true"))), tiers));
    ConfigurationException e = assertThrows(ConfigurationException.class, () -> SegmentRuleCheck.run(
        TestSpark.get(), withRules(List.of(new SegmentRule("Valuable", "clv_tier in ('Top', 'High')"),
            new SegmentRule("Recent", "r_score >= 2"))), tiers));
    assertTrue(e.getMessage().contains("no rule matches the scores (r f m clv_tier) [111 Low, 111 null, 112 Low"),
        e.getMessage());
  }

  @Test
  void reportsRulesThatNeverWin() {
    List<String> shadowed = SegmentRuleCheck.run(TestSpark.get(), withRules(List.of(
        new SegmentRule("All", "true"), new SegmentRule("Never", "r_score = 5"))), List.of());
    assertEquals(List.of("Never"), shadowed);
  }
}
