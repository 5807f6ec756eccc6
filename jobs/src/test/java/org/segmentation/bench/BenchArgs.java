package org.segmentation.bench;

import java.time.LocalDate;
import java.util.HashMap;
import java.util.Map;

/** {@code --name value} arguments of the benchmark programs. */
record BenchArgs(Map<String, String> values) {
  static BenchArgs parse(String[] args) {
    Map<String, String> values = new HashMap<>();
    for (int i = 0; i + 1 < args.length; i += 2) {
      values.put(args[i].replaceFirst("^--", ""), args[i + 1]);
    }
    return new BenchArgs(values);
  }

  String get(String name) {
    String value = values.get(name);
    if (value == null) {
      throw new IllegalArgumentException("--" + name + " is required");
    }
    return value;
  }

  LocalDate runDate() {
    return LocalDate.parse(get("run-date"));
  }
}
