package org.segmentation.config;

/** How an input is read. {@code TABLE} reads a catalog table by name; the others read files under a path. */
public enum SourceFormat {
  DELTA,
  PARQUET,
  CSV,
  JSON,
  ORC,
  TEXT,
  TABLE;

  public String sparkFormat() {
    return name().toLowerCase(java.util.Locale.ROOT);
  }
}
