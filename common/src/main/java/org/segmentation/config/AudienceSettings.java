package org.segmentation.config;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * Audiences: configured lists of customers that campaign tools import, with a holdout group each, and where their
 * files go.
 *
 * @param exportRoot the folder or object-store prefix of the export files; empty for {@code <lake root>/exports}
 * @param holdoutSalt mixed into every arm's hash: change it and every customer's arm is drawn anew
 * @param defaultPhoneRegion the ISO 3166 region of a phone number without a country code, when the profile's country
 *     is not one
 * @param destinations the campaign tools, by name
 * @param audiences the audiences, by name (name order)
 */
public record AudienceSettings(String exportRoot, String holdoutSalt, String defaultPhoneRegion,
    Map<String, Destination> destinations, Map<String, Audience> audiences) {

  public static final String BLOCK = "audiences";
  /** Audience and destination names: they name folders and files, so plain lower-case words. */
  private static final Pattern NAME = Pattern.compile("[a-z][a-z0-9_]{0,63}");
  private static final Pattern ORDER = Pattern.compile("(?is)^(.*?)(?:\\s+(asc|desc))?$");

  /** The file format of a destination. */
  public enum Format {
    CSV("csv"), PARQUET("parquet"), JSONL("jsonl");

    private final String extension;

    Format(String extension) {
      this.extension = extension;
    }

    public String extension() {
      return extension;
    }
  }

  /**
   * A campaign tool that imports files.
   *
   * @param consentColumn the boolean column (of the customer's features) that must be true for a customer to reach
   *     this tool: the consent for its channel
   * @param allowRawEmail whether the tool may receive the e-mail address, names and phone as they are; otherwise it
   *     gets only SHA-256 hashes of the normalised e-mail and phone (ad platforms' customer-match format)
   */
  public record Destination(String name, Format format, String consentColumn, boolean allowRawEmail) {}

  /** One ORDER BY term: a Spark SQL expression and its direction. */
  public record OrderTerm(String expression, boolean descending) {}

  /**
   * One audience.
   *
   * @param filter Spark SQL condition over the customer_segments columns and the customer features
   * @param orderBy the order in which {@code limit} keeps customers (customer_id breaks ties)
   * @param limit at most this many members (control included); 0 for no limit
   * @param fields columns exported as custom fields and kept in audience_members.reason_fields
   * @param holdoutShare the share of members in the control arm (kept in the table, never exported)
   * @param holdoutKey the key of the arms' hash: audiences (or campaigns) with one key share their arms
   * @param destinations names of the destinations the treatment arm is exported to
   */
  public record Audience(String name, String filter, List<OrderTerm> orderBy, long limit, List<String> fields,
      double holdoutShare, String holdoutKey, List<String> destinations) {
    public Audience {
      orderBy = List.copyOf(orderBy);
      fields = List.copyOf(fields);
      destinations = List.copyOf(destinations);
    }
  }

  public AudienceSettings {
    destinations = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(destinations));
    audiences = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(audiences));
  }

  /** Whether any audience is configured. */
  public boolean any() {
    return !audiences.isEmpty();
  }

  /** The export folder under a lake root, when export-root is empty. */
  public String exportRootUnder(String lakeRoot) {
    return exportRoot.isBlank() ? lakeRoot.replaceAll("/+$", "") + "/exports" : exportRoot;
  }

  static AudienceSettings read(ConfigReader in) {
    Map<String, Destination> destinations = new LinkedHashMap<>();
    in.namedChildren("destinations").forEach((name, block) -> {
      checkName(in, "destinations." + name, name);
      destinations.put(name, new Destination(name, block.oneOf("format", Format.class),
          block.has("consent-column") ? block.nonBlankString("consent-column") : "marketing_consent",
          block.has("allow-raw-email") && block.bool("allow-raw-email")));
      block.rejectUnknownKeys();
    });
    Map<String, Audience> audiences = new LinkedHashMap<>();
    in.namedChildren("lists").forEach((name, block) -> {
      checkName(in, "lists." + name, name);
      String filter = block.nonBlankString("filter");
      List<OrderTerm> order = new ArrayList<>();
      for (String term : block.has("order-by") ? block.strings("order-by") : List.<String>of()) {
        var m = ORDER.matcher(term.trim());
        m.matches();
        if (m.group(1).isBlank()) {
          block.problem("order-by", "an empty term in " + term);
        }
        order.add(new OrderTerm(m.group(1), m.group(2) != null
            && m.group(2).toLowerCase(Locale.ROOT).equals("desc")));
      }
      long limit = block.has("limit") ? block.longAtLeast("limit", 0) : 0;
      if (limit > 0 && order.isEmpty()) {
        block.problem("limit", "needs an order-by, so that the night keeps the customers you mean (for example "
            + "order-by = [\"monetary desc\"])");
      }
      List<String> targets = block.has("destinations") ? block.strings("destinations") : List.of();
      for (String target : targets) {
        if (!destinations.containsKey(target)) {
          block.problem("destinations", "no destination \"" + target + "\" under " + JobSettings.keyPath(BLOCK,
              "destinations") + " (known: " + destinations.keySet() + ")");
        }
      }
      audiences.put(name, new Audience(name, filter, order, limit,
          block.has("fields") ? block.strings("fields") : List.of(),
          block.has("holdout-share") ? block.doubleBetween("holdout-share", 0, 0.9) : 0.1,
          block.has("holdout-key") ? block.nonBlankString("holdout-key") : name,
          targets));
      block.rejectUnknownKeys();
    });
    String region = in.nonBlankString("default-phone-region");
    if (!region.matches("[A-Z]{2}")) {
      in.problem("default-phone-region", "must be an ISO 3166 two-letter region such as US or GB, got \"" + region
          + "\"");
    }
    AudienceSettings settings = new AudienceSettings(in.string("export-root"), in.nonBlankString("holdout-salt"),
        region, destinations, audiences);
    in.rejectUnknownKeys();
    return settings;
  }

  private static void checkName(ConfigReader in, String key, String name) {
    if (!NAME.matcher(name).matches()) {
      in.problem(key, "a name must be lower-case letters, digits and _ (it names folders and files), starting "
          + "with a letter");
    }
  }
}
