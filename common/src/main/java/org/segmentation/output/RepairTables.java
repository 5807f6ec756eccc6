package org.segmentation.output;

import java.util.List;
import java.util.stream.Collectors;
import org.segmentation.io.PublishedHistory;
import org.segmentation.io.TableRepair;
import org.segmentation.pipeline.RunContext;
import org.segmentation.pipeline.Step;
import org.segmentation.pipeline.StepResult;

/**
 * Step {@code repair_tables}, the first write of every run ({@link NightPublisher#repair}): a run that was killed (or
 * whose own restore failed) may have left rows it never published in some tables; they are put back as the date's
 * last published run recorded them ({@link TableRepair#repairLeftovers}), so a plain reader of any table sees
 * published nights only. What earlier runs left staged (export folders, report pages) is put into place when their
 * night committed, deleted otherwise. The progress line names each table and date restored
 * ({@code restored=customer_segments@2026-11-20,...}, or {@code none}) and the staged outputs settled.
 */
public record RepairTables(NightPublisher night) implements Step<RepairTables.Repaired> {

  /**
   * What was put back or into place.
   *
   * @param restored the table dates put back
   * @param outputsPublished staged outputs of committed runs put into place ({@code export:vip@2026-11-20})
   * @param outputsDiscarded staged outputs of runs that did not commit, deleted
   * @param history what earlier nights published, read once for the steps that compare with them
   */
  public record Repaired(List<TableRepair.Restored> restored, List<String> outputsPublished,
      List<String> outputsDiscarded, PublishedHistory history) implements StepResult {
    public Repaired {
      restored = List.copyOf(restored);
      outputsPublished = List.copyOf(outputsPublished);
      outputsDiscarded = List.copyOf(outputsDiscarded);
    }

    @Override
    public String progressDetails() {
      return "restored=" + (restored.isEmpty() ? "none"
          : restored.stream().map(Object::toString).collect(Collectors.joining(",")))
          + (outputsPublished.isEmpty() ? "" : " outputs_put_in_place=" + String.join(",", outputsPublished))
          + (outputsDiscarded.isEmpty() ? "" : " outputs_discarded=" + String.join(",", outputsDiscarded));
    }
  }

  @Override
  public String name() {
    return "repair_tables";
  }

  @Override
  public Repaired execute(RunContext run) {
    return night.repairLeftovers();
  }
}
