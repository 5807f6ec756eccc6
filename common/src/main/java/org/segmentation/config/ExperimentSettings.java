package org.segmentation.config;

import java.util.List;
import java.util.Map;

/**
 * Every audience with a holdout is measured as an experiment each night (README "Campaigns measured"): its arms from
 * audience_members, each member's outcome in the attribution window after the night they were first a member, the same
 * figures before it as the CUPED covariate, broken down by what the customer was at that night.
 *
 * @param enabled whether the nightly run measures its audiences (experiment_results)
 * @param attributionWindowDays the outcome window after a member's send, and the length of the pre-period before it
 * @param maxAgeDays members first sent more than this many days before the run date are no longer measured (their
 *     experiment's figures stay in the nights that measured them)
 * @param confidence the intervals' confidence level
 * @param breakdowns customer_segments columns whose values at the send are the cells (besides the whole experiment);
 *     a declared profile attribute as {@code profile_attributes.<name>}
 * @param contactCosts the cost of one contact, by destination (a member sent to two destinations costs both)
 * @param campaignCosts a fixed cost per audience's campaign (creative, tooling), whatever its size
 * @param external how experiments run in another tool (inputs.experiments) are read out by ReadOutExperiments
 */
public record ExperimentSettings(boolean enabled, int attributionWindowDays, int maxAgeDays, double confidence,
    List<String> breakdowns, Map<String, Double> contactCosts, Map<String, Double> campaignCosts,
    External external) {
  public static final String BLOCK = "experiments";
  public static final String COSTS = "costs";
  public static final String PER_CONTACT = "per-contact";
  public static final String PER_CAMPAIGN = "per-campaign";
  public static final String EXTERNAL = "external";

  public ExperimentSettings {
    breakdowns = List.copyOf(breakdowns);
    contactCosts = Map.copyOf(contactCosts);
    campaignCosts = Map.copyOf(campaignCosts);
  }

  /**
   * A metric of the experiments input.
   *
   * @param name its name in experiment_results
   * @param column the declared attribute of inputs.experiments holding each customer's value (a number or a boolean)
   * @param covariate the declared attribute holding the same figure before assignment (CUPED), if there is one
   */
  public record InputMetric(String name, String column, java.util.Optional<String> covariate) {}

  /**
   * Experiments run in another tool: the assignment and outcomes come from inputs.experiments, one row per customer
   * and experiment.
   *
   * @param control the control variant of every experiment that {@code controls} does not name
   * @param controls the control variant of named experiments
   * @param shares each variant's configured share of the assignment, for the sample-ratio check; empty: equal shares
   * @param metrics the metrics, in the order the results list them
   * @param breakdowns columns of the input whose values at assignment are the cells (besides the whole experiment)
   * @param segmentBreakdowns columns of the nightly lake's customer_segments whose values on the published night on
   *     or before each experiment's start are the cells (SegmentsAtStart)
   * @param root where the read-outs are written (Delta experiment_results and quarantine); blank: beside the nightly
   *     lake's tables, in {@code <lake.root>/external-experiments}
   */
  public record External(String control, Map<String, String> controls, Map<String, Double> shares,
      List<InputMetric> metrics, List<String> breakdowns, List<String> segmentBreakdowns, String root) {
    public static final String CONTROL = "control";
    public static final String METRICS = "metrics";
    public static final String BREAKDOWNS = "breakdowns";
    public static final String SEGMENT_BREAKDOWNS = "segment-breakdowns";

    public External {
      controls = Map.copyOf(controls);
      shares = Map.copyOf(shares);
      metrics = List.copyOf(metrics);
      breakdowns = List.copyOf(breakdowns);
      segmentBreakdowns = List.copyOf(segmentBreakdowns);
    }

    /** Every breakdown: the input's columns, then the lake's. */
    public List<String> allBreakdowns() {
      List<String> all = new java.util.ArrayList<>(breakdowns);
      all.addAll(segmentBreakdowns);
      return all;
    }

    /** The control variant of {@code experiment}. */
    public String controlOf(String experiment) {
      return controls.getOrDefault(experiment, control);
    }

    /** The folder of the read-outs' tables. */
    public String rootUnder(LakeSettings lake) {
      return root.isBlank() ? lake.tablePath("external-experiments") : root;
    }

    /**
     * Problems with the columns named: a metric or covariate must be a declared attribute of the input holding a
     * number or a boolean; a breakdown, a declared attribute of any type (its values, as text, are the cells).
     */
    void checkAgainst(SourceSettings input, ConfigReader in) {
      Map<String, org.apache.spark.sql.types.DataType> types = new java.util.HashMap<>();
      input.attributes().forEach(a -> types.put(a.name(), a.type()));
      if (metrics.isEmpty()) {
        in.problem(METRICS, "name at least one metric: a declared attribute of " + JobSettings.keyPath(
            JobSettings.INPUTS, input.name(), SourceSettings.ATTRIBUTES) + ", for example converted { column = "
            + "\"converted\" }");
      }
      for (InputMetric metric : metrics) {
        List<String> columns = new java.util.ArrayList<>(List.of(metric.column()));
        metric.covariate().ifPresent(columns::add);
        for (String column : columns) {
          org.apache.spark.sql.types.DataType type = types.get(column);
          if (type == null) {
            in.problem(METRICS + "." + metric.name(), "\"" + column + "\" is not a declared attribute of "
                + JobSettings.keyPath(JobSettings.INPUTS, input.name(), SourceSettings.ATTRIBUTES) + " (declared: "
                + new java.util.TreeSet<>(types.keySet()) + ")");
          } else if (!(type instanceof org.apache.spark.sql.types.NumericType)
              && !type.equals(org.apache.spark.sql.types.DataTypes.BooleanType)) {
            in.problem(METRICS + "." + metric.name(), "\"" + column + "\" is a " + type.simpleString()
                + ": a metric is a number or a boolean (counted as 0/1)");
          }
        }
      }
      breakdowns.stream().filter(b -> !types.containsKey(b)).forEach(b -> in.problem(BREAKDOWNS, "\"" + b
          + "\" is not a declared attribute of " + JobSettings.keyPath(JobSettings.INPUTS, input.name(),
          SourceSettings.ATTRIBUTES) + " (declared: " + new java.util.TreeSet<>(types.keySet()) + ")"));
      // a lake column sits beside the input's under its own name: the two must not share one
      java.util.Set<String> inputColumns = new java.util.HashSet<>();
      input.schema().forEach(c -> inputColumns.add(c.name()));
      segmentBreakdowns.stream().filter(inputColumns::contains).forEach(b -> in.problem(SEGMENT_BREAKDOWNS, "\"" + b
          + "\" is also a column of " + JobSettings.keyPath(JobSettings.INPUTS, input.name()) + ": name the input's "
          + "column in " + BREAKDOWNS + ", or rename it"));
    }

    static External read(ConfigReader in) {
      List<InputMetric> metrics = new java.util.ArrayList<>();
      in.namedChildren(METRICS).forEach((name, block) -> {
        String column = block.has("column") ? block.nonBlankString("column") : name;
        String covariate = block.has("covariate") ? block.string("covariate").strip() : "";
        metrics.add(new InputMetric(name, column, covariate.isEmpty() ? java.util.Optional.empty()
            : java.util.Optional.of(covariate)));
        block.rejectUnknownKeys();
      });
      Map<String, Double> shares = numbers(in, "shares", share -> share > 0, "a share above zero");
      External external = new External(in.nonBlankString(CONTROL), in.stringMap("controls"), shares, metrics,
          in.strings(BREAKDOWNS), in.strings(SEGMENT_BREAKDOWNS), in.string("root"));
      in.rejectUnknownKeys();
      return external;
    }
  }

  /** Whether any cost is configured: then the revenue rows carry the campaign's cost and its ROI. */
  public boolean costed() {
    return !contactCosts.isEmpty() || !campaignCosts.isEmpty();
  }

  static ExperimentSettings read(ConfigReader in) {
    int window = in.intBetween("attribution-window-days", 1, 366);
    ConfigReader costs = in.child(COSTS);
    ExperimentSettings settings = new ExperimentSettings(in.bool("enabled"), window,
        in.intBetween("max-age-days", 1, 3660), in.doubleBetween("confidence", 0.5, 0.999), in.strings("breakdowns"),
        amounts(costs, PER_CONTACT), amounts(costs, PER_CAMPAIGN), External.read(in.child(EXTERNAL)));
    costs.rejectUnknownKeys();
    if (settings.maxAgeDays() < window) {
      in.problem("max-age-days", "must be at least attribution-window-days (" + window + "), or no member's window "
          + "ever completes");
    }
    in.rejectUnknownKeys();
    return settings;
  }

  /** A block of money amounts by name ({@code per-contact { mail = 0.02 }}): numbers, zero or more. */
  private static Map<String, Double> amounts(ConfigReader in, String key) {
    return numbers(in, key, amount -> amount >= 0, "an amount of money, zero or more");
  }

  /** A block of finite numbers by name, each {@code allowed} (otherwise a problem: "must be {@code what}"). */
  private static Map<String, Double> numbers(ConfigReader in, String key, java.util.function.DoublePredicate allowed,
      String what) {
    Map<String, Double> numbers = new java.util.TreeMap<>();
    in.stringMap(key).forEach((name, text) -> {
      try {
        double number = Double.parseDouble(text);
        if (allowed.test(number) && Double.isFinite(number)) {
          numbers.put(name, number);
          return;
        }
      } catch (NumberFormatException e) {
        // reported below
      }
      in.problem(key + "." + name, "must be " + what + ", got \"" + text + "\"");
    });
    return numbers;
  }
}
