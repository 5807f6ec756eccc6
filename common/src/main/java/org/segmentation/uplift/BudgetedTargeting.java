package org.segmentation.uplift;

import java.util.ArrayList;
import java.util.List;
import org.segmentation.uplift.QiniEvaluation.Point;

/**
 * How many customers to contact: for a contact cost and the value of one unit of the outcome (a conversion's margin,
 * or the margin on one unit of revenue), the expected incremental profit of contacting the top share x of customers
 * by uplift score is {@code population * x * (value * lift(x) - cost)}, where lift(x) is the lift measured among the
 * held-out members in that top share (the Qini curve's {@link Point#lift()}). Measured, not predicted: the scores only
 * order the customers. The best share is the one with the highest profit; none when no share pays for its contacts.
 *
 * @param contactCost the cost of contacting one customer
 * @param value the value of one unit of the outcome
 */
public record BudgetedTargeting(double contactCost, double value) {

  /**
   * A point of the profit curve.
   *
   * @param share the top share of customers contacted
   * @param customers how many customers that is tonight
   * @param profit the expected incremental profit
   */
  public record ProfitPoint(double share, long customers, double profit) {}

  /**
   * @param best the point with the highest profit (share 0: contact no one)
   * @param curve the profit at each point of the Qini curve, from contacting no one to everyone
   */
  public record Plan(ProfitPoint best, List<ProfitPoint> curve) {}

  /** The plan for {@code population} customers from the held-out Qini {@code curve}. */
  public Plan plan(List<Point> curve, long population) {
    List<ProfitPoint> profits = new ArrayList<>();
    ProfitPoint best = new ProfitPoint(0, 0, 0);
    profits.add(best);
    for (Point p : curve) {
      if (p.share() == 0 || Double.isNaN(p.lift())) {
        continue;
      }
      long customers = Math.round(p.share() * population);
      ProfitPoint point = new ProfitPoint(p.share(), customers, customers * (value * p.lift() - contactCost));
      profits.add(point);
      if (point.profit() > best.profit()) {
        best = point;
      }
    }
    return new Plan(best, profits);
  }
}
