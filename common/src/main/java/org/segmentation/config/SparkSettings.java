package org.segmentation.config;

import java.util.Map;

/**
 * How the job's SparkSession is built.
 *
 * @param master empty to take the master from spark-submit (clusters); {@code local[*]} for embedded runs
 * @param conf Spark properties set on the session builder; spark-submit {@code --conf} values win over these
 */
public record SparkSettings(String master, Map<String, String> conf) {
  public SparkSettings {
    conf = Map.copyOf(conf);
  }

  static SparkSettings read(ConfigReader in) {
    SparkSettings settings = new SparkSettings(in.string("master"), in.stringMap("conf"));
    in.rejectUnknownKeys();
    return settings;
  }
}
