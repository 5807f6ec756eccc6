package org.segmentation.config;

import java.time.Duration;
import java.util.Map;

/**
 * How a run holds its lake and how long its steps may take.
 *
 * @param leaseExpiresAfter how long the lake lease of a run that stopped renewing it (killed, or its driver lost)
 *     keeps other runs out; a live run renews it every {@code leaseRenewEvery}
 * @param leaseRenewEvery how often a live run renews its lease; well below {@code leaseExpiresAfter}
 * @param stepTimeLimit how long any one step may run before the run cancels it and fails ({@code step_timeout})
 * @param stepTimeLimits per step name, a limit other than {@code stepTimeLimit}
 * @param parallelTableWrites how many of the night's table writes run side by side (1: one by one)
 * @param incremental whether a night may update the purchase state with the input's changes instead of reading the
 *     whole input ({@code org.segmentation.state.PlanNight} says when it can)
 */
public record RunSettings(Duration leaseExpiresAfter, Duration leaseRenewEvery, Duration stepTimeLimit,
    Map<String, Duration> stepTimeLimits, int parallelTableWrites, boolean incremental) {
  public static final String BLOCK = "run";

  public RunSettings {
    stepTimeLimits = Map.copyOf(stepTimeLimits);
  }

  /** The defaults of reference.conf, for code that builds settings by hand (tools and tests). */
  public static final RunSettings DEFAULTS = new RunSettings(Duration.ofMinutes(5), Duration.ofSeconds(30),
      Duration.ofHours(3), Map.of(), 4, true);

  static RunSettings read(ConfigReader in) {
    Duration expiresAfter = in.durationAtLeast("lease-expires-after", Duration.ofSeconds(2));
    Duration renewEvery = in.durationAtLeast("lease-renew-every", Duration.ofMillis(500));
    if (renewEvery.multipliedBy(2).compareTo(expiresAfter) > 0) {
      in.problem("lease-renew-every", "must be at most half of lease-expires-after (" + expiresAfter.toSeconds()
          + " s), so that one missed renewal does not lose the lease; got " + renewEvery.toMillis() / 1000.0 + " s");
    }
    RunSettings settings = new RunSettings(expiresAfter, renewEvery,
        in.durationAtLeast("step-time-limit", Duration.ofSeconds(1)),
        in.durations("step-time-limits", Duration.ofSeconds(1)),
        in.intBetween("parallel-table-writes", 1, 64),
        in.bool("incremental"));
    in.rejectUnknownKeys();
    return settings;
  }

  /** The time limit of the named step. */
  public Duration timeLimitOf(String step) {
    return stepTimeLimits.getOrDefault(step, stepTimeLimit);
  }
}
