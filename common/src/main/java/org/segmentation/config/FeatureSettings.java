package org.segmentation.config;

import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import org.segmentation.schema.CanonicalColumn;
import org.segmentation.schema.Columns;

/**
 * How the customer features table is built.
 *
 * @param channels the sales channels whose share of a customer's order lines becomes a feature
 *     ({@code channel_<name>_share}); shorthand for {@code line-shares.channel}
 * @param lineShares purchase column (canonical or a declared purchase attribute) to the values whose share of a
 *     customer's order lines becomes a feature ({@code <column>_<value>_share})
 */
public record FeatureSettings(List<String> channels, Map<String, List<String>> lineShares) {
  public static final String LINE_SHARES = "line-shares";

  /** One share feature: the share of a customer's order lines whose {@code column} equals {@code value}. */
  public record LineShare(String column, String value) {
    /** The feature's column name: {@code <column>_<value>_share}, the value lower-cased, other characters as _. */
    public String feature() {
      return Columns.lineShare(column, slug(value));
    }
  }

  public FeatureSettings {
    channels = List.copyOf(channels);
    Map<String, List<String>> copy = new LinkedHashMap<>();
    lineShares.forEach((column, values) -> copy.put(column, List.copyOf(values)));
    lineShares = java.util.Collections.unmodifiableMap(copy);
  }

  public FeatureSettings(List<String> channels) {
    this(channels, Map.of());
  }

  /** Every share feature, channels first, in configuration order. */
  public List<LineShare> shares() {
    Set<LineShare> shares = new LinkedHashSet<>();
    channels.forEach(channel -> shares.add(new LineShare(Columns.CHANNEL, channel)));
    lineShares.forEach((column, values) -> values.forEach(value -> shares.add(new LineShare(column, value))));
    return List.copyOf(shares);
  }

  static FeatureSettings read(ConfigReader in) {
    List<String> channels = in.strings("channels");
    Map<String, List<String>> lineShares = in.stringLists(LINE_SHARES);
    in.rejectUnknownKeys();
    FeatureSettings settings = new FeatureSettings(channels, lineShares);
    Set<String> features = new java.util.HashSet<>();
    for (LineShare share : settings.shares()) {
      String key = share.column().equals(Columns.CHANNEL) && channels.contains(share.value())
          ? "channels" : LINE_SHARES + "." + share.column();
      if (slug(share.value()).isEmpty()) {
        in.problem(key, "\"" + share.value() + "\" has no letter or digit to name its feature column");
      } else if (!features.add(share.feature())) {
        in.problem(key, "two values give the same feature column " + share.feature()
            + " (values are lower-cased and other characters become _)");
      }
    }
    return settings;
  }

  /**
   * Checks that every line-share column is a purchase column (canonical or declared attribute) holding single values.
   */
  void checkAgainst(List<CanonicalColumn> purchases, ConfigReader in) {
    for (String column : lineShares.keySet()) {
      CanonicalColumn found = purchases.stream().filter(c -> c.name().equals(column)).findFirst().orElse(null);
      if (found == null) {
        in.problem(LINE_SHARES + "." + column, "not a purchases column: name a canonical column or an attribute "
            + "declared under inputs.purchases.attributes (known: "
            + String.join(", ", purchases.stream().map(CanonicalColumn::name).toList()) + ")");
      } else if (found.type() instanceof org.apache.spark.sql.types.ArrayType) {
        in.problem(LINE_SHARES + "." + column, "a share needs a single value per line, not a list");
      }
    }
  }

  /** A value as part of a column name: lower case, every run of other characters than letters and digits as _. */
  static String slug(String value) {
    return value.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9]+", "_").replaceAll("^_+|_+$", "");
  }
}
