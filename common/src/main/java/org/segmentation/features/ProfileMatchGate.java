package org.segmentation.features;

import java.util.Locale;
import org.segmentation.config.JobSettings;
import org.segmentation.config.QualitySettings;
import org.segmentation.pipeline.RunContext;
import org.segmentation.pipeline.Step;
import org.segmentation.pipeline.StepResult;
import org.segmentation.run.DataQualityException;

/**
 * Step {@code profile_match}: with a profiles input, stops the night (exit 3, nothing published) when fewer than
 * {@code quality.min-profile-match-share} of the buyers have a profile, which is what ids that never match look like.
 * The figures come with the features; only a failure runs Spark jobs, to show a few ids of each side.
 */
public record ProfileMatchGate(BuildFeatures.Features features) implements Step<ProfileMatchGate.Passed> {

  /** The gate passed (or there is no profiles input). */
  public record Passed(String progressDetails) implements StepResult {}

  @Override
  public String name() {
    return "profile_match";
  }

  @Override
  public Passed execute(RunContext run) {
    if (features.profileMatch().isEmpty()) {
      return new Passed("profiles=none");
    }
    ProfileMatch match = features.profileMatch().get();
    double limit = run.settings().quality().minProfileMatchShare();
    if (match.share() < limit) {
      StringBuilder examples = new StringBuilder();
      ProfileMatch.examples(features.rows(), 3).forEach((side, ids) -> examples.append("; ").append(side)
          .append(", e.g. ").append(ids.stream().map(id -> "'" + id + "'").toList()));
      throw new DataQualityException(String.format(Locale.ROOT,
          "Cannot segment: %d of %d buyers (%.2f %%) have a profile, below %.2f %% (%s)%s; do the customer ids of "
              + "purchases and profiles have the same form (see README, Ids)?",
          match.buyersWithProfile(), match.buyers(), 100 * match.share(), 100 * limit,
          JobSettings.keyPath(QualitySettings.BLOCK, QualitySettings.MIN_PROFILE_MATCH_SHARE), examples));
    }
    return new Passed(String.format(Locale.ROOT, "profile_match_share=%.4f limit=%s", match.share(), limit));
  }
}
