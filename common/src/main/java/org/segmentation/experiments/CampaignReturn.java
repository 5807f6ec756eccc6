package org.segmentation.experiments;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.segmentation.experiments.ExperimentReadout.Result;
import org.segmentation.experiments.LiftTest.Lift;
import org.segmentation.schema.BreakdownCells;

/**
 * What a campaign returned, on the revenue rows of its read-out: incremental revenue = the revenue lift per member ×
 * the variant's members in the cell, with the interval of the lift carried through (a product with a positive
 * constant keeps its bounds in order); the cost = the contacts' cost of those members (the metric {@value #COST},
 * summed) plus their share of the campaign's fixed cost (the cell's members over the whole experiment's); ROI =
 * (incremental revenue × margin − cost) / cost, its bounds from the incremental revenue's. No cost, no ROI.
 */
public final class CampaignReturn {
  /** The metric holding each member's contact cost (0 in control). */
  public static final String COST = "contact_cost";
  /** The metric whose lift is revenue per member. */
  public static final String REVENUE = AudienceOutcomes.REVENUE;

  private CampaignReturn() {}

  /** A revenue row's return; a bound is NaN where the lift has none. */
  public record Return(double incrementalRevenue, double incrementalLow, double incrementalHigh, double cost,
      double roi, double roiLow, double roiHigh) {}

  private record Cell(String experiment, String variant, String breakdown, String cell) {
    static Cell of(Result r) {
      return new Cell(r.experiment(), r.variant(), r.breakdown(), r.cell());
    }
  }

  /**
   * The return of each revenue row of {@code results} that has a statistic, by row.
   *
   * @param fixedCosts each experiment's fixed cost (none: 0)
   * @param margin the share of revenue that is profit
   */
  public static Map<Result, Return> of(List<Result> results, Map<String, Double> fixedCosts, double margin) {
    Map<Cell, Result> costs = new HashMap<>();
    Map<Cell, Long> wholeMembers = new HashMap<>();
    for (Result r : results) {
      if (r.metric().equals(COST)) {
        costs.put(Cell.of(r), r);
      }
      if (r.metric().equals(REVENUE) && r.breakdown().equals(BreakdownCells.WHOLE)) {
        wholeMembers.put(new Cell(r.experiment(), r.variant(), "", ""), r.variantSums().n());
      }
    }
    Map<Result, Return> returns = new HashMap<>();
    for (Result r : results) {
      if (!r.metric().equals(REVENUE) || r.lift().isEmpty()) {
        continue;
      }
      Lift lift = r.lift().get();
      long members = r.variantSums().n();
      long allMembers = wholeMembers.getOrDefault(new Cell(r.experiment(), r.variant(), "", ""), members);
      double contacts = Optional.ofNullable(costs.get(Cell.of(r))).map(c -> c.variantSums().sumY()).orElse(0.0);
      double fixed = fixedCosts.getOrDefault(r.experiment(), 0.0) * (allMembers == 0 ? 0 : members
          / (double) allMembers);
      double cost = contacts + fixed;
      double incremental = lift.absoluteLift() * members;
      double low = lift.absoluteLow() * members;
      double high = lift.absoluteHigh() * members;
      returns.put(r, new Return(incremental, low, high, cost, roi(incremental, margin, cost),
          roi(low, margin, cost), roi(high, margin, cost)));
    }
    return returns;
  }

  private static double roi(double incrementalRevenue, double margin, double cost) {
    return cost > 0 ? (incrementalRevenue * margin - cost) / cost : Double.NaN;
  }
}
