package org.segmentation.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.segmentation.run.ConfigurationException;

class JobSettingsTest {
  private static final String VALID = """
      segments {
        inputs.purchases { format = csv, path = "in/purchases.csv", options { header = "true" },
                           columns { amount = "Quantity * UnitPrice" } }
        inputs.profiles.enabled = false
      }
      """;

  private static JobSettings read(String hocon, Map<String, String> overrides) {
    return JobSettings.read(SettingsLoader.layer(ConfigFactory.parseString(hocon), overrides));
  }

  @Test
  void readsAValidFileOverReferenceDefaults() {
    JobSettings settings = read(VALID, Map.of());
    assertEquals(SourceFormat.CSV, settings.purchases().format());
    assertEquals("Quantity * UnitPrice", settings.purchases().columns().get("amount"));
    assertEquals("true", settings.purchases().options().get("header"));
    assertFalse(settings.profiles().enabled());
    // defaults come from reference.conf
    assertEquals(5, settings.rfm().scoreBins());
    assertEquals(11, settings.rfm().segments().size());
    assertEquals("Champions", settings.rfm().segments().get(0).name());
    assertEquals("lakehouse", settings.lake().root());
  }

  @Test
  void reportsEveryProblemAtOnceWithTheKeyPath() {
    ConfigurationException e = assertThrows(ConfigurationException.class, () -> read(VALID + """
        segments.rfm.score-bins = 12
        segments.rfm.monetary = "median"
        segments.rfm.lookbak-days = 30
        segments.time-zone = "Mars/Olympus"
        segments.quality.max-quarantined-share = "lots"
        """, Map.of()));
    String message = e.getMessage();
    assertTrue(message.contains("segments.rfm.score-bins: must be 2..10, got 12"), message);
    assertTrue(message.contains("segments.rfm.monetary: must be one of [total, average-order-value], got \"median\""),
        message);
    assertTrue(message.contains("segments.rfm.lookbak-days: unknown key"), message);
    assertTrue(message.contains("segments.time-zone: must be a time-zone id"), message);
    assertTrue(message.contains("segments.quality.max-quarantined-share"), message);
    assertEquals(5, e.problems().size(), message);
  }

  /** The affinity block's mistakes, all named with their key, before Spark starts. */
  @Test
  void affinityMistakesAreNamedWithTheirKeys() {
    ConfigurationException e = assertThrows(ConfigurationException.class, () -> read(VALID + """
        segments.affinity.item = "sku"
        segments.affinity.segment-items = []
        segments.affinity.dimensions = []
        segments.affinity.rules.basket = "session"
        segments.affinity.rules.min-baskets = 0
        segments.affinity.recommendations.count = 0
        """, Map.of()));
    String message = e.getMessage();
    assertTrue(message.contains("segments.affinity.item: \"sku\" is not one of [product_category, product_id]"),
        message);
    assertTrue(message.contains("segments.affinity.segment-items: name at least one of"), message);
    assertTrue(message.contains("segments.affinity.dimensions: name at least one customer_segments column"), message);
    assertTrue(message.contains("segments.affinity.rules.basket"), message);
    assertTrue(message.contains("segments.affinity.rules.min-baskets"), message);
    assertTrue(message.contains("segments.affinity.recommendations.count"), message);
    AffinitySettings defaults = read(VALID, Map.of()).affinity();
    assertFalse(defaults.enabled());
    assertEquals(AffinitySettings.Basket.ORDER, defaults.rules().basket());
    assertEquals(20, defaults.rules().minBaskets());
    assertFalse(defaults.readsProductIds(), "off: product_id is not kept in memory");
  }

  @Test
  void missingInputPathIsAProblem() {
    ConfigurationException e = assertThrows(ConfigurationException.class,
        () -> read("segments.inputs.profiles.enabled = false", Map.of()));
    assertTrue(e.getMessage().contains("segments.inputs.purchases.path: must give the location"), e.getMessage());
  }

  @Test
  void commandLineOverridesWinOverTheFile() {
    JobSettings settings = read(VALID, Map.of("segments.rfm.score-bins", "4",
        "segments.lake.root", "s3a://bucket/lake"));
    assertEquals(4, settings.rfm().scoreBins());
    assertEquals("s3a://bucket/lake", settings.lake().root());
  }

  @Test
  void systemPropertiesOverrideTheFile() {
    System.setProperty("segments.rfm.lookback-days", "365");
    try {
      ConfigFactory.invalidateCaches();
      assertEquals(365, read(VALID, Map.of()).rfm().lookbackDays());
    } finally {
      System.clearProperty("segments.rfm.lookback-days");
      ConfigFactory.invalidateCaches();
    }
  }

  @Test
  void aMissingFileIsAnErrorNotAnEmptyConfiguration(@TempDir Path dir) {
    ConfigurationException e = assertThrows(ConfigurationException.class,
        () -> SettingsLoader.load(new File(dir.toFile(), "nope.conf"), Map.of()));
    assertTrue(e.getMessage().contains("nope.conf"), e.getMessage());
  }

  @Test
  void bucketizeNeedsItsNumberOfBandsAndNothingElseTakesOne() {
    JobSettings settings = read(VALID + """
        segments.clustering.features = [{ name = "age", transform = "bucketize", buckets = 5 }]
        """, Map.of());
    assertEquals(5, settings.clustering().features().get(0).buckets());
    ConfigurationException e = assertThrows(ConfigurationException.class, () -> read(VALID + """
        segments.clustering.features = [
          { name = "age", transform = "bucketize" }
          { name = "monetary", transform = "log1p", buckets = 3 }
        ]
        """, Map.of()));
    assertTrue(e.getMessage().contains("segments.clustering.features[0].buckets: transform bucketize needs"),
        e.getMessage());
    assertTrue(e.getMessage().contains("segments.clustering.features[1].buckets: only applies to transform bucketize"),
        e.getMessage());
  }

  @Test
  void thresholdsMustMatchTheBins() {
    ConfigurationException e = assertThrows(ConfigurationException.class, () -> read(VALID + """
        segments.rfm.scoring = thresholds
        segments.rfm.thresholds.frequency = [1, 5, 3, 10]
        segments.rfm.thresholds.monetary = [10, 20]
        """, Map.of()));
    assertTrue(e.getMessage().contains("segments.rfm.thresholds.frequency: cut points must be strictly ascending"),
        e.getMessage());
    assertTrue(e.getMessage().contains("segments.rfm.thresholds.monetary: scoring = thresholds with score-bins = 5 "
        + "needs 4 ascending cut points, got 2"), e.getMessage());
  }

  @Test
  void redactsSecretsInThePrintedConfiguration(@TempDir Path dir) throws Exception {
    Path file = dir.resolve("job.conf");
    Files.writeString(file, VALID + """
        segments.spark.conf {
          "spark.hadoop.fs.s3a.secret.key" = "AKIA-very-secret"
          "spark.hadoop.fs.azure.account.key.acct.dfs.core.windows.net" = "azure-account-key"
          "spark.hadoop.fs.s3a.access.key" = "ACCESS-123"
          "spark.sql.shuffle.partitions" = "64"
        }
        segments.inputs.purchases.options { password = "hunter2", token = "tok-123" }
        """);
    Config config = SettingsLoader.load(file.toFile(), Map.of());
    String printed = SettingsLoader.renderRedacted(config);
    for (String secret : new String[] {"AKIA-very-secret", "azure-account-key", "ACCESS-123", "hunter2", "tok-123"}) {
      assertFalse(printed.contains(secret), "leaked " + secret + " in\n" + printed);
    }
    assertTrue(printed.contains("<redacted>"), printed);
    assertTrue(printed.contains("64"), "non-secret values stay visible:\n" + printed);
  }

  @Test
  void audiencesAreReadWithDefaultsAndTheirMistakesNamed() {
    JobSettings settings = read(VALID + """
        segments.audiences {
          destinations { mail { format = "csv", allow-raw-email = true }, ads { format = "parquet" } }
          lists.win_back { filter = "p_alive > 0.3", order-by = ["predicted_clv DESC", "recency_days"], limit = 10,
                           destinations = ["mail", "ads"] }
        }
        """, Map.of());
    AudienceSettings audiences = settings.audiences();
    AudienceSettings.Audience winBack = audiences.audiences().get("win_back");
    assertEquals(List.of(new AudienceSettings.OrderTerm("predicted_clv", true),
        new AudienceSettings.OrderTerm("recency_days", false)), winBack.orderBy());
    assertEquals(0.1, winBack.holdoutShare());
    assertEquals("win_back", winBack.holdoutKey(), "the key defaults to the name");
    assertEquals("marketing_consent", audiences.destinations().get("ads").consentColumn());
    assertFalse(audiences.destinations().get("ads").allowRawEmail(), "raw e-mail only where allowed");
    assertEquals("lakehouse/exports", audiences.exportRootUnder(settings.lake().root()));

    ConfigurationException e = assertThrows(ConfigurationException.class, () -> read(VALID + """
        segments.audiences {
          default-phone-region = "England"
          destinations { Mail { format = "csv" }, ads { formt = "csv" } }
          lists.top { filter = "true", limit = 10, destinations = ["crm"], holdout-share = 1.5 }
        }
        """, Map.of()));
    String message = e.getMessage();
    assertTrue(message.contains("segments.audiences.destinations.Mail: a name must be lower-case"), message);
    assertTrue(message.contains("segments.audiences.destinations.ads.formt: unknown key"), message);
    assertTrue(message.contains("segments.audiences.destinations.ads.format: missing"), message);
    assertTrue(message.contains("segments.audiences.lists.top.limit: needs an order-by"), message);
    assertTrue(message.contains("segments.audiences.lists.top.destinations: no destination \"crm\""), message);
    assertTrue(message.contains("segments.audiences.lists.top.holdout-share: must be between 0.0 and 0.9"), message);
    assertTrue(message.contains("segments.audiences.default-phone-region: must be an ISO 3166"), message);
  }

  @Test
  void propensityModelsAreCheckedWithTheirKeyPaths() {
    ConfigurationException e = assertThrows(ConfigurationException.class, () -> read(VALID + """
        segments.propensity {
          enabled = true
          evaluation-share = 0.5
          calibration-share = 0.4
          models = [
            { name = "buy_30d", label = "purchase" }
            { name = "buy_30d", label = "column", column = "churned" }
            { name = "look alike", label = "lookalike", seed = "rfm_segment = 'Champions'" }
            { name = "x", label = "guess" }
          ]
        }
        """, Map.of()));
    String message = e.getMessage();
    assertTrue(message.contains("segments.propensity.models[0].window-days"), message);
    assertTrue(message.contains("segments.propensity.models[1].name: another model is named \"buy_30d\""), message);
    assertTrue(message.contains("segments.propensity.models[2].name: letters, digits and underscores"), message);
    assertTrue(message.contains("segments.propensity.models[2].features: a lookalike learns from profile features"),
        message);
    assertTrue(message.contains("segments.propensity.models[3].label: must be one of [purchase, column, lookalike]"),
        message);
    assertTrue(message.contains("segments.propensity.calibration-share: evaluation-share + calibration-share"),
        message);

    PropensitySettings.Model model = read(VALID + """
        segments.propensity.models = [ { name = "jazz_60d", label = "purchase", window-days = 60,
                                         lines = "product_category = 'Jazz'" } ]
        """, Map.of()).propensity().models().get(0);
    assertEquals(new PropensitySettings.Model("jazz_60d", PropensitySettings.LabelKind.PURCHASE, 60,
        "product_category = 'Jazz'", java.util.List.of()), model);
    assertEquals("a counted order of lines where product_category = 'Jazz' in the next 60 days", model.describeLabel());
  }

  @Test
  void upliftModelsNeedAnAudienceWithAHoldout() {
    ConfigurationException e = assertThrows(ConfigurationException.class, () -> read(VALID + """
        segments.audiences.lists {
          measured { filter = "true", holdout-share = 0.5 }
          unmeasured { filter = "true", holdout-share = 0 }
        }
        segments.uplift {
          enabled = true
          validation-share = 0.4
          evaluation-share = 0.5
          models = [
            { name = "a", audience = "unmeasured", outcome = "converted" }
            { name = "b", audience = "nowhere", outcome = "revenue" }
            { name = "c", audience = "measured", outcome = "clicks" }
            { name = "d", outcome = "converted" }
            { name = "e", audience = "measured", experiment = "spring", outcome = "converted" }
            { name = "f", experiment = "spring", outcome = "clicks" }
          ]
        }
        """, Map.of()));
    String message = e.getMessage();
    assertTrue(message.contains("segments.uplift.models[0].audience: the audience \"unmeasured\" has no holdout"),
        message);
    assertTrue(message.contains("segments.uplift.models[1].audience: no audience \"nowhere\""), message);
    assertTrue(message.contains("segments.uplift.models[2].outcome: \"clicks\": an audience's experiment measures "
        + "\"converted\" or \"revenue\""), message);
    assertTrue(message.contains("segments.uplift.models[3].audience: name either the audience"), message);
    assertTrue(message.contains("segments.uplift.models[4].audience: name either the audience"), message);
    assertTrue(message.contains("segments.uplift.models[5].experiment: the model learns from the experiment "
        + "\"spring\" of segments.inputs.experiments, which is not enabled"), message);
    assertTrue(message.contains("segments.uplift.models[5].outcome: \"clicks\" is not one of "
        + "segments.experiments.external.metrics []"), message);
    assertTrue(message.contains("segments.uplift.evaluation-share: validation-share + evaluation-share"), message);

    UpliftSettings.Model model = read(VALID + """
        segments.audiences.lists.measured { filter = "true", holdout-share = 0.5 }
        segments.uplift.models = [ { name = "m", audience = "measured", outcome = "revenue", value = 0.3 } ]
        """, Map.of()).uplift().models().get(0);
    assertEquals(new UpliftSettings.Model("m", "measured", "", "revenue", java.util.List.of(), 0, 0.3), model);
    assertTrue(model.targeted());
  }
}
