package org.segmentation.config;

import java.util.List;

/**
 * How the customer features table is built.
 *
 * @param channels the sales channels whose share of a customer's order lines becomes a feature
 *     ({@code channel_<name>_share})
 */
public record FeatureSettings(List<String> channels) {
  public FeatureSettings {
    channels = List.copyOf(channels);
  }

  static FeatureSettings read(ConfigReader in) {
    List<String> channels = in.strings("channels");
    in.rejectUnknownKeys();
    for (String channel : channels) {
      if (!channel.matches("[A-Za-z0-9_]+")) {
        in.problem("channels", "channel names become column names: letters, digits and _ only, got \"" + channel
            + "\"");
      }
    }
    return new FeatureSettings(channels);
  }
}
