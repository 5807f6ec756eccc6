package org.segmentation.config;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigParseOptions;
import com.typesafe.config.ConfigRenderOptions;
import com.typesafe.config.ConfigUtil;
import com.typesafe.config.ConfigValue;
import com.typesafe.config.ConfigValueFactory;
import java.io.File;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;
import org.segmentation.run.ConfigurationException;

/**
 * Builds the effective configuration. Precedence, highest first: {@code --set key=value} arguments, JVM system
 * properties ({@code -Dsegments.rfm.score-bins=4}), the operator's file, then {@code reference.conf}, which holds every
 * default. The file must exist: typesafe-config would otherwise silently accept a missing one.
 */
public final class SettingsLoader {
  /** Keys whose values are never printed or logged. */
  private static final Pattern SECRET_KEY = Pattern.compile(
      "(?i).*(password|passwd|secret|token|credential"
          + "|(access|account|private|api|sas)[._-]?key" // fs.s3a.access.key, fs.azure.account.key.<account>
          + "|[._-]key\"?$).*");

  private SettingsLoader() {}

  public static Config load(File file, Map<String, String> overrides) {
    Config fromFile;
    try {
      fromFile = ConfigFactory.parseFile(file, ConfigParseOptions.defaults().setAllowMissing(false));
    } catch (ConfigException.IO e) {
      throw new ConfigurationException("--config: cannot read " + file + " (" + e.getMessage() + ")");
    } catch (ConfigException.Parse e) {
      throw new ConfigurationException("--config: " + file + " is not valid HOCON: " + e.getMessage());
    }
    return layer(fromFile, overrides);
  }

  /** The effective configuration for a file already parsed (tests) plus overrides. */
  public static Config layer(Config fromFile, Map<String, String> overrides) {
    Config cli = ConfigFactory.empty();
    for (Map.Entry<String, String> entry : overrides.entrySet()) {
      try {
        cli = cli.withFallback(ConfigFactory.parseString(entry.getKey() + " = " + entry.getValue()));
      } catch (ConfigException e) {
        // not HOCON syntax (a bare string with special characters): take it as a plain string
        cli = cli.withValue(entry.getKey(), ConfigValueFactory.fromAnyRef(entry.getValue()));
      }
    }
    try {
      Config merged = cli.withFallback(ConfigFactory.load(fromFile)).resolve();
      merged.checkValid(ConfigFactory.defaultReference(), JobSettings.ROOT);
      return merged;
    } catch (ConfigException.ValidationFailed e) {
      List<String> problems = new java.util.ArrayList<>();
      for (ConfigException.ValidationProblem problem : e.problems()) {
        problems.add(problem.path() + ": " + problem.problem());
      }
      throw new ConfigurationException(problems);
    } catch (ConfigException.UnresolvedSubstitution e) {
      throw new ConfigurationException("unresolved substitution: " + e.getMessage()
          + " (set the environment variable or give the key a value)");
    } catch (ConfigException e) {
      throw new ConfigurationException(e.getMessage());
    }
  }

  /** The {@code segments} block as HOCON, with secret-looking values replaced by {@code "<redacted>"}. */
  public static String renderRedacted(Config config) {
    Config redacted = config.getConfig(JobSettings.ROOT);
    for (Map.Entry<String, ConfigValue> entry : redacted.entrySet()) {
      if (SECRET_KEY.matcher(entry.getKey()).matches()) {
        // entrySet keys are path expressions, quoted where needed, so they can be used as they are
        redacted = redacted.withValue(entry.getKey(), ConfigValueFactory.fromAnyRef("<redacted>"));
      }
    }
    return redacted.root().render(ConfigRenderOptions.concise().setFormatted(true).setJson(false));
  }

  /**
   * Settings of the {@code segments} block that no result depends on: where the lake is, how a run holds it and
   * limits its steps, and the Spark settings that size the work or show it. Left out of {@link #fingerprint}, so that
   * a night given more memory or executors, or a lake moved to another path, is the same configuration: its state is
   * still updated incrementally and a backfill still skips its published dates. Only settings named here are left
   * out: a new one counts until it is added (and a Spark property that can change a figure, such as the session time
   * zone, ANSI mode or the driver's Java options, always counts).
   */
  private static final List<String> OPERATIONAL_PATHS = List.of("spark.master", "lake.root", "run");
  private static final Set<String> OPERATIONAL_SPARK_PROPERTIES = Set.of("spark.driver.memory", "spark.driver.cores",
      "spark.driver.memoryOverhead", "spark.driver.maxResultSize", "spark.executor.memory", "spark.executor.cores",
      "spark.executor.instances", "spark.executor.memoryOverhead", "spark.cores.max", "spark.default.parallelism",
      "spark.sql.shuffle.partitions", "spark.local.dir", "spark.databricks.delta.snapshotPartitions");
  private static final List<String> OPERATIONAL_SPARK_PREFIXES = List.of("spark.dynamicAllocation.", "spark.ui.",
      "spark.eventLog.");
  private static final String SPARK_PROPERTIES = "spark.conf";

  /**
   * A stable fingerprint of the configuration the results depend on, recorded in {@code run_log}: the {@code segments}
   * block without its operational settings ({@link #OPERATIONAL_PATHS}, the Spark properties that only size the work).
   */
  public static String fingerprint(Config config) {
    Config results = config.getConfig(JobSettings.ROOT);
    for (String path : OPERATIONAL_PATHS) {
      results = results.withoutPath(path);
    }
    if (results.hasPath(SPARK_PROPERTIES)) {
      for (String property : results.getConfig(SPARK_PROPERTIES).root().keySet()) {
        if (OPERATIONAL_SPARK_PROPERTIES.contains(property)
            || OPERATIONAL_SPARK_PREFIXES.stream().anyMatch(property::startsWith)) {
          results = results.withoutPath(SPARK_PROPERTIES + "." + ConfigUtil.quoteString(property));
        }
      }
    }
    return fingerprintOf(results.root().render(ConfigRenderOptions.concise()));
  }

  /** The SHA-256 prefix (12 bytes, hex) of a text: every fingerprint of settings is one. */
  static String fingerprintOf(String text) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256")
          .digest(text.getBytes(StandardCharsets.UTF_8)), 0, 12);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is part of every JRE", e);
    }
  }
}
