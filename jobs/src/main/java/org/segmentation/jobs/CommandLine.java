package org.segmentation.jobs;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;
import org.segmentation.run.ConfigurationException;

/**
 * A parsed command line of {@code --flag} switches and {@code --option value} pairs, for every main of the jar. Each
 * problem (an unknown argument, a missing or malformed value) is a {@link ConfigurationException} naming the option,
 * which the mains turn into exit status 2.
 */
final class CommandLine {
  private final Set<String> flags;
  private final Map<String, List<String>> values;

  private CommandLine(Set<String> flags, Map<String, List<String>> values) {
    this.flags = flags;
    this.values = values;
  }

  /**
   * @param flagNames options without a value ({@code --dry-run}); {@code -h} is read as {@code --help}
   * @param valueNames options followed by a value ({@code --config FILE}); they may repeat
   */
  static CommandLine parse(String[] args, Set<String> flagNames, Set<String> valueNames) {
    Set<String> flags = new java.util.HashSet<>();
    Map<String, List<String>> values = new LinkedHashMap<>();
    for (int i = 0; i < args.length; i++) {
      String arg = args[i].equals("-h") ? "--help" : args[i];
      if (flagNames.contains(arg)) {
        flags.add(arg);
      } else if (valueNames.contains(arg)) {
        if (i + 1 >= args.length || args[i + 1].startsWith("--")) {
          throw new ConfigurationException(arg + ": missing value");
        }
        values.computeIfAbsent(arg, name -> new ArrayList<>()).add(args[++i]);
      } else {
        throw new ConfigurationException("unknown argument \"" + args[i] + "\" (see --help)");
      }
    }
    return new CommandLine(flags, values);
  }

  boolean flag(String name) {
    return flags.contains(name);
  }

  /** The option's last value, if given. */
  Optional<String> value(String name) {
    List<String> given = values.getOrDefault(name, List.of());
    return given.isEmpty() ? Optional.empty() : Optional.of(given.get(given.size() - 1));
  }

  /** Every value of a repeatable option, in order. */
  List<String> values(String name) {
    return List.copyOf(values.getOrDefault(name, List.of()));
  }

  /**
   * The option's value converted by {@code parser}; a value it rejects (any runtime exception) is reported as
   * "{@code name}: expected {@code expected}, got "value"".
   */
  <T> Optional<T> value(String name, Function<String, T> parser, String expected) {
    return value(name).map(text -> {
      try {
        return parser.apply(text);
      } catch (RuntimeException e) {
        throw new ConfigurationException(name + ": expected " + expected + ", got \"" + text + "\"");
      }
    });
  }

  /** The {@code --set key=value} settings, in order. */
  Map<String, String> overrides() {
    Map<String, String> overrides = new LinkedHashMap<>();
    for (String setting : values("--set")) {
      int equals = setting.indexOf('=');
      if (equals <= 0) {
        throw new ConfigurationException("--set: expected key=value, got \"" + setting + "\"");
      }
      overrides.put(setting.substring(0, equals).trim(), setting.substring(equals + 1).trim());
    }
    return overrides;
  }

  /** The file of {@code --config}, which is required. */
  java.io.File config() {
    return value("--config").map(java.io.File::new).orElseThrow(() -> new ConfigurationException(
        "--config: required (for example --config conf/local.conf)"));
  }

  /** The settings of {@code --config} with the {@code --set} overrides, read as the nightly job reads them. */
  org.segmentation.config.JobSettings settings() {
    return org.segmentation.config.JobSettings.read(org.segmentation.config.SettingsLoader.load(config(),
        overrides()));
  }
}
