package org.segmentation.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import com.typesafe.config.ConfigFactory;
import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * {@link SettingsLoader#fingerprint}: run_log's config_fingerprint, which decides whether a night may update the last
 * night's purchase state and whether a backfill skips a published date. Settings that only size, place or show the
 * work leave it as it is; anything a figure can depend on changes it.
 */
class ConfigFingerprintTest {
  private static final String NIGHT = """
      segments {
        inputs.purchases { format = delta, path = "lake/raw/purchases" }
        spark { master = "local[2]", conf { "spark.sql.shuffle.partitions" = "2", "spark.sql.session.timeZone" = "UTC" } }
        lake.root = "lakehouse"
      }
      """;

  private static String fingerprint(Map<String, String> overrides) {
    return SettingsLoader.fingerprint(SettingsLoader.layer(ConfigFactory.parseString(NIGHT), overrides));
  }

  @ParameterizedTest(name = "{0} = {1}")
  @CsvSource(delimiter = '|', value = {
      "segments.spark.master | yarn",
      "segments.lake.root | s3a://bucket/moved-lake",
      "segments.run.step-time-limit | 1 hour",
      "segments.run.lease-expires-after | 10 minutes",
      "segments.spark.conf.\"spark.executor.memory\" | 16g",
      "segments.spark.conf.\"spark.executor.instances\" | 40",
      "segments.spark.conf.\"spark.driver.memory\" | 8g",
      "segments.spark.conf.\"spark.sql.shuffle.partitions\" | 400",
      "segments.spark.conf.\"spark.dynamicAllocation.enabled\" | true",
      "segments.spark.conf.\"spark.ui.enabled\" | false",
      "segments.spark.conf.\"spark.eventLog.dir\" | hdfs:///spark-history"})
  void aSettingThatOnlySizesOrPlacesTheWorkKeepsTheFingerprint(String key, String value) {
    assertEquals(fingerprint(Map.of()), fingerprint(Map.of(key, value)));
  }

  @ParameterizedTest(name = "{0} = {1}")
  @CsvSource(delimiter = '|', value = {
      "segments.spark.conf.\"spark.sql.session.timeZone\" | Europe/Paris",
      "segments.spark.conf.\"spark.sql.ansi.enabled\" | true",
      "segments.spark.conf.\"spark.driver.extraJavaOptions\" | -Duser.timezone=Asia/Tokyo",
      "segments.spark.conf.\"spark.some.future.property\" | x",
      "segments.inputs.purchases.path | lake/raw/other-purchases",
      "segments.rfm.lookback-days | 365",
      "segments.quality.max-quarantined-share | 0.5"})
  void aSettingAFigureCanDependOnChangesTheFingerprint(String key, String value) {
    assertNotEquals(fingerprint(Map.of()), fingerprint(Map.of(key, value)));
  }
}
