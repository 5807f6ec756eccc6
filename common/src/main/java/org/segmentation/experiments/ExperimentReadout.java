package org.segmentation.experiments;

import static org.segmentation.experiments.ExperimentSums.MEMBERS;
import static org.segmentation.schema.BreakdownCells.WHOLE;

import java.sql.Date;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.segmentation.experiments.LiftTest.Cuped;
import org.segmentation.experiments.LiftTest.Lift;
import org.segmentation.run.DataQualityException;
import org.segmentation.schema.Columns;

/**
 * The read-out of experiments from their sufficient statistics ({@link ExperimentSums}, collected: a few rows per
 * experiment, variant, cell and metric, never a member): every variant against control, for every metric, in the whole
 * experiment and in every cell of every breakdown (a cell where an arm has no member shows n = 0 and no statistic),
 * with Welch's and CUPED's figures, Benjamini–Hochberg q-values across a breakdown's cells, and the experiment's
 * sample-ratio check. The rows are those of {@code experiment_results}, in its column order.
 */
public final class ExperimentReadout {
  private ExperimentReadout() {}

  /**
   * How an experiment was designed.
   *
   * @param control the control variant
   * @param shares each variant's configured share of members (need not add to one); empty for equal shares
   * @param windowComplete whether every member's outcome window has ended
   * @param controlRequired whether a control variant without members is a data error (an input that names its
   *     variants otherwise) rather than an empty arm (a small audience whose holdout drew nobody yet)
   */
  public record Design(String control, Map<String, Double> shares, boolean windowComplete,
      boolean controlRequired) {}

  /** One experiment_results row's figures. */
  public record Result(String experiment, String variant, String control, String metric, String breakdown,
      String cell, ArmSums controlSums, ArmSums variantSums, Optional<Lift> lift, Optional<Cuped> cuped,
      double qValue, double srmPValue, boolean windowComplete) {
    public boolean srmFlag() {
      return SampleRatio.flagged(srmPValue);
    }
  }

  private record Key(String experiment, String variant, String breakdown, String cell, String metric) {}

  /**
   * @param sums the rows of {@link ExperimentSums}
   * @param designs each experiment's design; an experiment of {@code sums} without one is an error
   * @param metrics the metrics, in the order the results list them
   * @throws DataQualityException when an experiment's control variant has no member (naming the variants found), or
   *     a variant has none of the configured shares
   */
  public static List<Result> read(List<Row> sums, Map<String, Design> designs, List<ExperimentSums.Metric> metrics,
      double confidence) {
    Map<Key, ArmSums> byKey = new HashMap<>();
    Map<String, Set<String>> variants = new TreeMap<>();
    Map<String, Map<String, Set<String>>> cells = new TreeMap<>(); // experiment -> breakdown -> cells
    for (Row row : sums) {
      Key key = new Key(row.getAs(Columns.EXPERIMENT), row.getAs(Columns.VARIANT), row.getAs(Columns.BREAKDOWN),
          row.getAs(Columns.CELL), row.getAs(Columns.METRIC));
      byKey.put(key, ExperimentSums.armSums(row));
      if (MEMBERS.equals(key.metric())) {
        variants.computeIfAbsent(key.experiment(), e -> new TreeSet<>()).add(key.variant());
        cells.computeIfAbsent(key.experiment(), e -> new LinkedHashMap<>())
            .computeIfAbsent(key.breakdown(), b -> new TreeSet<>()).add(key.cell());
      }
    }
    List<Result> results = new ArrayList<>();
    for (Map.Entry<String, Set<String>> experiment : variants.entrySet()) {
      String name = experiment.getKey();
      Design design = designs.get(name);
      if (design == null) {
        throw new IllegalArgumentException("experiment '" + name + "' has no design");
      }
      if (!experiment.getValue().contains(design.control()) && !design.controlRequired()) {
        experiment.getValue().add(design.control()); // an empty arm: every comparison shows n = 0 and no statistic
      } else if (!experiment.getValue().contains(design.control())) {
        throw new DataQualityException("Experiment '" + name + "': its control variant '" + design.control()
            + "' has no member; the variants found are " + experiment.getValue() + ". Name the control variant "
            + "the input uses in the experiment's configuration");
      }
      double srm = sampleRatio(name, design, experiment.getValue(), byKey);
      for (String variant : experiment.getValue()) {
        if (variant.equals(design.control())) {
          continue;
        }
        for (ExperimentSums.Metric metric : metrics) {
          for (Map.Entry<String, Set<String>> breakdown : cells.get(name).entrySet()) {
            List<Result> family = new ArrayList<>();
            for (String cell : breakdown.getValue()) {
              ArmSums control = byKey.getOrDefault(new Key(name, design.control(), breakdown.getKey(), cell,
                  metric.name()), ArmSums.EMPTY);
              ArmSums treated = byKey.getOrDefault(new Key(name, variant, breakdown.getKey(), cell, metric.name()),
                  ArmSums.EMPTY);
              Optional<Cuped> cuped = metric.covariate().isPresent()
                  ? LiftTest.cuped(control, treated, confidence) : Optional.empty();
              family.add(new Result(name, variant, design.control(), metric.name(), breakdown.getKey(), cell,
                  control, treated, LiftTest.welch(control, treated, confidence), cuped, Double.NaN, srm,
                  design.windowComplete()));
            }
            double[] q = FalseDiscovery.qValues(family.stream()
                .mapToDouble(r -> r.lift().map(Lift::pValue).orElse(Double.NaN)).toArray());
            for (int i = 0; i < family.size(); i++) {
              Result r = family.get(i);
              results.add(new Result(r.experiment(), r.variant(), r.control(), r.metric(), r.breakdown(), r.cell(),
                  r.controlSums(), r.variantSums(), r.lift(), r.cuped(), q[i], r.srmPValue(), r.windowComplete()));
            }
          }
        }
      }
    }
    return results;
  }

  /** The χ² p-value of the experiment's members per variant against its shares (equal when none are configured). */
  private static double sampleRatio(String experiment, Design design, Set<String> variants, Map<Key, ArmSums> byKey) {
    List<String> order = new ArrayList<>(variants);
    long[] counts = new long[order.size()];
    double[] shares = new double[order.size()];
    for (int i = 0; i < order.size(); i++) {
      counts[i] = byKey.getOrDefault(new Key(experiment, order.get(i), WHOLE, WHOLE, MEMBERS), ArmSums.EMPTY).n();
      if (design.shares().isEmpty()) {
        shares[i] = 1;
      } else if (design.shares().getOrDefault(order.get(i), 0.0) > 0) {
        shares[i] = design.shares().get(order.get(i));
      } else {
        throw new DataQualityException("Experiment '" + experiment + "': variant '" + order.get(i) + "' has members "
            + "but no configured share (shares: " + design.shares() + ")");
      }
    }
    return SampleRatio.pValue(counts, shares);
  }

  /** The result as an experiment_results row of {@code runDate}, in the table's column order, without a return. */
  public static Row toRow(Result r, LocalDate runDate, double confidence) {
    return toRow(r, runDate, confidence, Optional.empty());
  }

  /** The result as an experiment_results row, with its campaign return (revenue rows of a costed experiment). */
  public static Row toRow(Result r, LocalDate runDate, double confidence, Optional<CampaignReturn.Return> made) {
    Optional<Lift> lift = r.lift();
    Optional<Lift> cupedLift = r.cuped().map(Cuped::lift);
    return RowFactory.create(Date.valueOf(runDate), r.experiment(), r.variant(), r.control(), r.metric(),
        r.breakdown(), r.cell(),
        r.controlSums().n(), r.controlSums().n() > 0 ? r.controlSums().mean() : null,
        r.variantSums().n(), r.variantSums().n() > 0 ? r.variantSums().mean() : null,
        figure(lift.map(Lift::absoluteLift)), figure(lift.map(Lift::absoluteLow)),
        figure(lift.map(Lift::absoluteHigh)),
        figure(lift.map(Lift::relativeLift)), figure(lift.map(Lift::relativeLow)),
        figure(lift.map(Lift::relativeHigh)),
        figure(lift.map(Lift::pValue)), figure(Optional.of(r.qValue())),
        figure(cupedLift.map(Lift::absoluteLift)), figure(cupedLift.map(Lift::absoluteLow)),
        figure(cupedLift.map(Lift::absoluteHigh)), figure(cupedLift.map(Lift::pValue)),
        figure(r.cuped().map(Cuped::varianceReduction)),
        confidence, r.windowComplete(), figure(Optional.of(r.srmPValue())), r.srmFlag(),
        figure(made.map(CampaignReturn.Return::incrementalRevenue)),
        figure(made.map(CampaignReturn.Return::incrementalLow)),
        figure(made.map(CampaignReturn.Return::incrementalHigh)),
        figure(made.map(CampaignReturn.Return::cost).filter(c -> c > 0)),
        figure(made.map(CampaignReturn.Return::roi)), figure(made.map(CampaignReturn.Return::roiLow)),
        figure(made.map(CampaignReturn.Return::roiHigh)));
  }

  /** A figure as the table stores it: NULL where there is none (never NaN). */
  private static Double figure(Optional<Double> value) {
    return value.filter(v -> !Double.isNaN(v)).orElse(null);
  }
}
