package org.segmentation.config;

import java.util.Set;

/**
 * Where the output tables live.
 *
 * @param root the folder (or object-store prefix) under which every output table has its own folder
 */
public record LakeSettings(String root) {
  static final Set<String> KEYS = Set.of("root");

  static LakeSettings read(ConfigReader in) {
    in.rejectUnknownKeys(KEYS);
    return new LakeSettings(in.nonBlankString("root"));
  }

  /** The location of one output table under the root. */
  public String tablePath(String table) {
    return root.endsWith("/") ? root + table : root + "/" + table;
  }
}
