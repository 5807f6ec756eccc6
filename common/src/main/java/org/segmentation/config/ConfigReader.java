package org.segmentation.config;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import com.typesafe.config.ConfigValue;
import com.typesafe.config.ConfigValueType;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Function;
import org.segmentation.run.ConfigurationException;

/**
 * Reads one block of the configuration into typed values and <em>records</em> every problem instead of throwing at the
 * first one, so an operator sees all bad keys of a file in one run. Every message starts with the key's full path.
 *
 * <p>Defaults live only in {@code reference.conf}: the getters here never fall back. A key missing from the merged
 * configuration is therefore a problem in our own reference file or a typo the operator made.
 *
 * <p>The reader remembers every key it was asked about, so a settings record names each of its keys once, where it
 * reads it, and {@link #rejectUnknownKeys()} (called after the reads) reports every other key of the block.
 */
public final class ConfigReader {
  private final Config config;
  private final String path;
  private final List<String> problems;
  private final Set<String> known = new TreeSet<>();

  private ConfigReader(Config config, String path, List<String> problems) {
    this.config = config;
    this.path = path;
    this.problems = problems;
  }

  /** A reader of the block at {@code path} of {@code root}; problems of child readers are collected here too. */
  public static ConfigReader at(Config root, String path) {
    List<String> problems = new ArrayList<>();
    if (!root.hasPath(path)) {
      problems.add(path + ": missing block");
      return new ConfigReader(com.typesafe.config.ConfigFactory.empty(), path, problems);
    }
    return new ConfigReader(root.getConfig(path), path, problems);
  }

  public ConfigReader child(String key) {
    known.add(key);
    if (!has(key)) {
      problem(key, "missing block");
      return new ConfigReader(com.typesafe.config.ConfigFactory.empty(), keyPath(key), problems);
    }
    try {
      return new ConfigReader(config.getConfig(key), keyPath(key), problems);
    } catch (ConfigException.WrongType e) {
      problem(key, "must be a block { ... }, got " + config.getValue(key).valueType().name().toLowerCase(Locale.ROOT));
      return new ConfigReader(com.typesafe.config.ConfigFactory.empty(), keyPath(key), problems);
    }
  }

  /**
   * A model's name, the key it is given under in the tables: letters, digits and underscores, starting with a letter,
   * and not one of {@code taken} (the names read before it, to which it is added).
   */
  public String modelName(String key, java.util.Set<String> taken) {
    String name = nonBlankString(key);
    if (!name.matches("[A-Za-z][A-Za-z0-9_]*")) {
      problem(key, "letters, digits and underscores, starting with a letter; got \"" + name + "\"");
    } else if (!taken.add(name)) {
      problem(key, "another model is named \"" + name + "\"");
    }
    return name;
  }

  /** Readers over each element of a list of blocks, named {@code key[i]} in messages. */
  public List<ConfigReader> children(String key) {
    List<ConfigReader> readers = new ArrayList<>();
    List<? extends Config> blocks = get(key, config::getConfigList, "a list of blocks [{...}, ...]");
    if (blocks != null) {
      for (int i = 0; i < blocks.size(); i++) {
        readers.add(new ConfigReader(blocks.get(i), keyPath(key) + "[" + i + "]", problems));
      }
    }
    return readers;
  }

  /** Whether the key is set (an optional key: asking marks it as one this block knows). */
  public boolean has(String key) {
    known.add(key);
    return config.hasPath(key);
  }

  public String string(String key) {
    String value = get(key, config::getString, "a string");
    return value == null ? "" : value;
  }

  public String nonBlankString(String key) {
    String value = string(key);
    if (has(key) && value.isBlank()) {
      problem(key, "must not be empty");
    }
    return value;
  }

  public boolean bool(String key) {
    Boolean value = get(key, config::getBoolean, "true or false");
    return value != null && value;
  }

  public int intBetween(String key, int min, int max) {
    Integer value = get(key, config::getInt, "a whole number");
    if (value == null) {
      return min;
    }
    if (value < min || value > max) {
      problem(key, "must be " + min + ".." + max + ", got " + value);
      return min;
    }
    return value;
  }

  public long longAtLeast(String key, long min) {
    Long value = get(key, config::getLong, "a whole number");
    if (value == null) {
      return min;
    }
    if (value < min) {
      problem(key, "must be at least " + min + ", got " + value);
      return min;
    }
    return value;
  }

  public double doubleBetween(String key, double min, double max) {
    Double value = get(key, config::getDouble, "a number");
    if (value == null) {
      return min;
    }
    if (value < min || value > max || Double.isNaN(value)) {
      problem(key, "must be between " + min + " and " + max + ", got " + value);
      return min;
    }
    return value;
  }

  /**
   * A duration written as HOCON allows ({@code 90s}, {@code 5 minutes}, {@code 2h}) of at least {@code min}; {@code min}
   * when missing or wrong (the problem is recorded).
   */
  public java.time.Duration durationAtLeast(String key, java.time.Duration min) {
    java.time.Duration value = get(key, config::getDuration, "a duration such as 90s, 5 minutes or 2h");
    if (value == null) {
      return min;
    }
    if (value.compareTo(min) < 0) {
      problem(key, "must be at least " + min.toSeconds() + " seconds, got " + config.getValue(key).render().strip());
      return min;
    }
    return value;
  }

  /** A block of durations ({@code step-time-limits { clustering = 1h }}), by name in name order. */
  public Map<String, java.time.Duration> durations(String key, java.time.Duration min) {
    Map<String, java.time.Duration> values = new java.util.TreeMap<>();
    known.add(key);
    if (!config.hasPath(key)) {
      return values;
    }
    if (config.getValue(key).valueType() != ConfigValueType.OBJECT) {
      problem(key, "must be a block { name = duration, ... }");
      return values;
    }
    ConfigReader block = new ConfigReader(config.getConfig(key), keyPath(key), problems);
    for (String name : config.getObject(key).keySet()) {
      values.put(name, block.durationAtLeast(com.typesafe.config.ConfigUtil.quoteString(name), min));
    }
    return values;
  }

  public List<String> strings(String key) {
    List<String> values = get(key, config::getStringList, "a list of strings");
    return values == null ? List.of() : List.copyOf(values);
  }

  public List<Double> doubles(String key) {
    List<Double> values = get(key, config::getDoubleList, "a list of numbers");
    return values == null ? List.of() : List.copyOf(values);
  }

  /** One of the constants of {@code type}, written in kebab-case in the file ({@code average-order-value}). */
  public <E extends Enum<E>> E oneOf(String key, Class<E> type) {
    String value = string(key);
    for (E constant : type.getEnumConstants()) {
      if (kebab(constant).equals(value)) {
        return constant;
      }
    }
    if (has(key)) {
      List<String> allowed = new ArrayList<>();
      for (E constant : type.getEnumConstants()) {
        allowed.add(kebab(constant));
      }
      problem(key, "must be one of " + allowed + ", got \"" + value + "\"");
    }
    return type.getEnumConstants()[0];
  }

  public static String kebab(Enum<?> constant) {
    return constant.name().toLowerCase(Locale.ROOT).replace('_', '-');
  }

  /**
   * Readers over each entry of a block of named blocks ({@code attributes { tenure { ... } plan { ... } }}), by name in
   * name order (so the order never depends on how the file was merged); an entry that is not a block is a problem,
   * except {@code null}, which removes an entry an included file declared ({@code --set ...attributes.plan=null}).
   */
  public Map<String, ConfigReader> namedChildren(String key) {
    Map<String, ConfigReader> readers = new java.util.TreeMap<>();
    known.add(key);
    if (!config.hasPath(key)) {
      return readers;
    }
    if (config.getValue(key).valueType() != ConfigValueType.OBJECT) {
      problem(key, "must be a block { name { ... }, ... }");
      return readers;
    }
    for (Map.Entry<String, ConfigValue> entry : config.getObject(key).entrySet()) {
      String name = entry.getKey();
      String entryPath = keyPath(key) + "." + name;
      if (entry.getValue().valueType() == ConfigValueType.NULL) {
        continue;
      }
      if (entry.getValue().valueType() == ConfigValueType.OBJECT) {
        readers.put(name, new ConfigReader(((com.typesafe.config.ConfigObject) entry.getValue()).toConfig(), entryPath,
            problems));
      } else {
        problems.add(entryPath + ": must be a block { ... }");
      }
    }
    return readers;
  }

  /** A block of lists of strings ({@code line-shares { store = ["S1", "S2"] }}), by name in name order. */
  public Map<String, List<String>> stringLists(String key) {
    Map<String, List<String>> values = new java.util.TreeMap<>();
    known.add(key);
    if (config.hasPath(key) && config.getValue(key).valueType() != ConfigValueType.OBJECT) {
      problem(key, "must be a block { name = [ ... ], ... }");
      return values;
    }
    if (config.hasPath(key)) {
      ConfigReader block = new ConfigReader(config.getConfig(key), keyPath(key), problems);
      for (String name : config.getObject(key).keySet()) {
        values.put(name, block.strings(com.typesafe.config.ConfigUtil.quoteString(name)));
      }
    }
    return values;
  }

  /**
   * A block of free-form string entries ({@code options { header = "true" }}), in file order. Keys with dots must be
   * quoted in the file ({@code "spark.sql.shuffle.partitions" = 8}); nested blocks are a problem.
   */
  public Map<String, String> stringMap(String key) {
    Map<String, String> values = new LinkedHashMap<>();
    known.add(key);
    if (!config.hasPath(key)) {
      problem(key, "missing block");
      return values;
    }
    if (config.getValue(key).valueType() != ConfigValueType.OBJECT) {
      problem(key, "must be a block { name = value, ... }");
      return values;
    }
    for (Map.Entry<String, ConfigValue> entry : config.getObject(key).entrySet()) {
      ConfigValue value = entry.getValue();
      if (value.valueType() == ConfigValueType.OBJECT || value.valueType() == ConfigValueType.LIST) {
        problem(key + ".\"" + entry.getKey() + "\"", "must be a plain value (quote keys that contain dots)");
      } else if (value.valueType() != ConfigValueType.NULL) {
        values.put(entry.getKey(), String.valueOf(value.unwrapped()));
      }
    }
    return values;
  }

  /**
   * Records a problem for every key of this block that no getter asked about: typos never pass silently. Call it
   * after reading the block.
   */
  public void rejectUnknownKeys() {
    Set<String> unknown = new TreeSet<>(config.root().keySet());
    unknown.removeAll(known);
    for (String key : unknown) {
      problem(key, "unknown key (known keys here: " + String.join(", ", known) + ")");
    }
  }

  public void problem(String key, String message) {
    problems.add(keyPath(key) + ": " + message);
  }

  public String path() {
    return path;
  }

  public String keyPath(String key) {
    return path.isEmpty() ? key : path + "." + key;
  }

  public List<String> problems() {
    return List.copyOf(problems);
  }

  public void throwIfProblems() {
    if (!problems.isEmpty()) {
      throw new ConfigurationException(problems);
    }
  }

  private <T> T get(String key, Function<String, T> getter, String expected) {
    known.add(key);
    if (!config.hasPath(key)) {
      problem(key, "missing (expected " + expected + ")");
      return null;
    }
    try {
      return getter.apply(key);
    } catch (ConfigException.WrongType | ConfigException.BadValue e) {
      problem(key, "must be " + expected + ", got " + config.getValue(key).render().strip());
      return null;
    }
  }
}
