package org.segmentation.config;


/**
 * Where the output tables live.
 *
 * @param root the folder (or object-store prefix) under which every output table has its own folder
 */
public record LakeSettings(String root) {
  static LakeSettings read(ConfigReader in) {
    LakeSettings settings = new LakeSettings(in.nonBlankString("root"));
    in.rejectUnknownKeys();
    return settings;
  }

  /** The location of one output table under the root. */
  public String tablePath(String table) {
    return root.endsWith("/") ? root + table : root + "/" + table;
  }
}
