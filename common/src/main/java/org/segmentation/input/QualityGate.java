package org.segmentation.input;

import java.util.Locale;
import org.segmentation.config.JobSettings;
import org.segmentation.config.QualitySettings;
import org.segmentation.pipeline.RunContext;
import org.segmentation.pipeline.Step;
import org.segmentation.pipeline.StepResult;
import org.segmentation.run.DataQualityException;

/**
 * Step {@code quality_gate}: stops the night (exit 3, nothing published) when an input is empty, when more than
 * {@code quality.max-quarantined-share} of an input's rows were quarantined, or when no purchase is usable. Works on
 * the counts alone: no Spark job.
 */
public record QualityGate(ValidatedInputs inputs) implements Step<QualityGate.Passed> {

  /** The gate passed: the largest quarantined share of any input, and the limit. */
  public record Passed(double worstQuarantinedShare, double limit) implements StepResult {
    @Override
    public String progressDetails() {
      return String.format(Locale.ROOT, "worst_quarantined_share=%.4f limit=%s", worstQuarantinedShare, limit);
    }
  }

  @Override
  public String name() {
    return "quality_gate";
  }

  @Override
  public Passed execute(RunContext run) {
    QualitySettings quality = run.settings().quality();
    double worst = 0;
    for (ValidatedInput.Counts c : inputs.counts()) {
      if (c.read() == 0) {
        throw new DataQualityException("Cannot segment: input " + c.input() + " is empty");
      }
      if (c.quarantinedShare() > quality.maxQuarantinedShare()) {
        throw new DataQualityException(String.format(Locale.ROOT,
            "Cannot segment: %d of %d %s rows (%.2f %%) were quarantined, above the limit of %.2f %% "
                + "(%s); see the reasons with --dry-run or in the input",
            c.quarantined(), c.read(), c.input(), 100 * c.quarantinedShare(), 100 * quality.maxQuarantinedShare(),
            JobSettings.keyPath(QualitySettings.BLOCK, QualitySettings.MAX_QUARANTINED_SHARE)));
      }
      worst = Math.max(worst, c.quarantinedShare());
    }
    ValidatedInput.Counts purchases = inputs.countsOf(inputs.purchases().name());
    if (purchases.accepted() == 0) {
      throw new DataQualityException("Cannot segment: no usable purchase among " + purchases.read() + " rows");
    }
    return new Passed(worst, quality.maxQuarantinedShare());
  }
}
