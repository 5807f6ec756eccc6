package org.segmentation.output;

import java.util.List;
import java.util.stream.Collectors;
import org.segmentation.io.TableRepair;
import org.segmentation.pipeline.RunContext;
import org.segmentation.pipeline.Step;
import org.segmentation.pipeline.StepResult;

/**
 * Step {@code repair_tables}, the first write of every run: a run that was killed (or whose own restore failed) may
 * have left rows it never published in some tables; they are put back as the date's last published run recorded
 * them ({@link TableRepair#repairLeftovers}), so a plain reader of any table sees published nights only. The progress
 * line names each table and date restored ({@code restored=customer_segments@2026-11-20,...}, or {@code none}).
 */
public record RepairTables() implements Step<RepairTables.Repaired> {

  /** The table dates put back. */
  public record Repaired(List<TableRepair.Restored> restored) implements StepResult {
    @Override
    public String progressDetails() {
      return "restored=" + (restored.isEmpty() ? "none"
          : restored.stream().map(Object::toString).collect(Collectors.joining(",")));
    }
  }

  @Override
  public String name() {
    return "repair_tables";
  }

  @Override
  public Repaired execute(RunContext run) {
    return new Repaired(new TableRepair(run.lake(), run.runLog()).repairLeftovers(run.runId()));
  }
}
