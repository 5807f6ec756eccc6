package org.segmentation.config;

import java.util.Map;
import java.util.Set;

/**
 * How the job's SparkSession is built.
 *
 * @param master empty to take the master from spark-submit (clusters); {@code local[*]} for embedded runs
 * @param conf Spark properties set on the session builder; spark-submit {@code --conf} values win over these
 */
public record SparkSettings(String master, Map<String, String> conf) {
  static final Set<String> KEYS = Set.of("master", "conf");

  public SparkSettings {
    conf = Map.copyOf(conf);
  }

  static SparkSettings read(ConfigReader in) {
    in.rejectUnknownKeys(KEYS);
    return new SparkSettings(in.string("master"), in.stringMap("conf"));
  }
}
