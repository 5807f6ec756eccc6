package org.segmentation.config;

/**
 * The HTML report every published night gets ({@code <root>/<run_date>.html}).
 *
 * @param enabled whether the nightly run writes the report (the {@code RenderReport} command works either way)
 * @param root the folder or object-store prefix of the reports; empty for {@code <lake root>/reports}
 * @param trendNights how many published nights, this one included, the trend charts show
 */
public record ReportSettings(boolean enabled, String root, int trendNights) {
  public static final String BLOCK = "report";

  static ReportSettings read(ConfigReader in) {
    ReportSettings settings = new ReportSettings(in.bool("enabled"), in.string("root"),
        in.intBetween("trend-nights", 1, 366));
    in.rejectUnknownKeys();
    return settings;
  }

  /** The report folder under a lake root, when root is empty. */
  public String rootUnder(String lakeRoot) {
    return root.isBlank() ? lakeRoot.replaceAll("/+$", "") + "/reports" : root;
  }
}
