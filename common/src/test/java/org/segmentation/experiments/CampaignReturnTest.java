package org.segmentation.experiments;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.segmentation.experiments.ExperimentReadout.Result;
import org.segmentation.experiments.LiftTest.Lift;

/** A campaign's return worked out by hand. */
class CampaignReturnTest {
  static Result result(String metric, String cell, double[] control, double[] treatment) {
    ArmSums c = ArmSums.of(control, null);
    ArmSums t = ArmSums.of(treatment, null);
    return new Result("win_back", "treatment", "control", metric, cell.equals("all") ? "all" : "rfm_segment", cell,
        c, t, LiftTest.welch(c, t, 0.95), Optional.empty(), Double.NaN, 0.5, true);
  }

  @Test
  void incrementalRevenueCostAndRoiByHand() {
    // the whole experiment: revenue 7.5 per control member, 20 per treatment member; four of the five treatment
    // members were contacted at 1.00 each; a fixed cost of 10; margin 0.4
    Result revenue = result("revenue", "all", new double[] {0, 10, 0, 20}, new double[] {10, 30, 0, 20, 40});
    Result cost = result("contact_cost", "all", new double[] {0, 0, 0, 0}, new double[] {1, 1, 1, 1, 0});
    // a cell with two of the five treatment members (both contacted), so two fifths of the fixed cost
    Result cellRevenue = result("revenue", "Champions", new double[] {0, 10}, new double[] {30, 40});
    Result cellCost = result("contact_cost", "Champions", new double[] {0, 0}, new double[] {1, 1});
    Map<Result, CampaignReturn.Return> returns = CampaignReturn.of(List.of(revenue, cost, cellRevenue, cellCost),
        Map.of("win_back", 10.0), 0.4);
    assertEquals(2, returns.size(), "revenue rows only");

    CampaignReturn.Return whole = returns.get(revenue);
    Lift lift = revenue.lift().orElseThrow();
    assertEquals(12.5 * 5, whole.incrementalRevenue(), 1e-9);
    assertEquals(4 + 10, whole.cost(), 1e-9);
    assertEquals((62.5 * 0.4 - 14) / 14, whole.roi(), 1e-9);
    assertEquals((lift.absoluteLow() * 5 * 0.4 - 14) / 14, whole.roiLow(), 1e-9);
    assertEquals((lift.absoluteHigh() * 5 * 0.4 - 14) / 14, whole.roiHigh(), 1e-9);

    CampaignReturn.Return cell = returns.get(cellRevenue);
    assertEquals(30 * 2, cell.incrementalRevenue(), 1e-9);
    assertEquals(2 + 10 * 2.0 / 5, cell.cost(), 1e-9);
    assertTrue(cell.roiLow() <= cell.roi() && cell.roi() <= cell.roiHigh());
  }

  @Test
  void noCostNoRoi() {
    Result revenue = result("revenue", "all", new double[] {0, 10, 0, 20}, new double[] {10, 30, 0, 20, 40});
    CampaignReturn.Return made = CampaignReturn.of(List.of(revenue), Map.of(), 0.4).get(revenue);
    assertEquals(62.5, made.incrementalRevenue(), 1e-9);
    assertTrue(Double.isNaN(made.roi()));
    assertFalse(CampaignReturn.of(List.of(result("revenue", "all", new double[] {1}, new double[] {1, 2})),
        Map.of(), 0.4).values().iterator().hasNext(), "no statistic, no return");
  }
}
