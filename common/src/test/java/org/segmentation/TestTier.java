package org.segmentation;

/**
 * Which CI tier runs (CONTRIBUTING.md, "Tests and CI tiers"): {@code mvn verify} runs the fast tier, every unit test
 * and every end-to-end behaviour once; {@code mvn verify -Pfull} the full one. Whole test classes or methods of the
 * full tier only carry {@code @Tag(TestTier.FULL)}; a test that runs in both tiers and only does more in the full one
 * (every kill point rather than two) asks {@link #full()}.
 */
public final class TestTier {
  /** The JUnit tag of tests that run only in the full tier (Maven excludes it unless -Pfull). */
  public static final String FULL = "full";

  private TestTier() {}

  /** True under {@code -Pfull} (the build sets {@code segmentation.testTier}); an IDE run is the fast tier. */
  public static boolean full() {
    return FULL.equals(System.getProperty("segmentation.testTier"));
  }
}
