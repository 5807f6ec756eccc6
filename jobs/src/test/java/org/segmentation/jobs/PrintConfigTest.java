package org.segmentation.jobs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/**
 * A run's console shows its steps, not its settings: the effective configuration is printed on request
 * ({@code --print-config}, secrets redacted, no Spark started) and logged at DEBUG only.
 */
class PrintConfigTest {
  @Test
  void printConfigPrintsTheMergedSettingsRedactedAndExits() {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    int status = NightlySegmentsJob.run(new String[] {"--config", CdnowReferenceTest.REPO.resolve("conf/local.conf")
        .toString(), "--print-config", "--set", "segments.inputs.purchases.options.password=\"hunter2\"",
        "--set", "segments.run.step-time-limit=\"45m\""},
        new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8));
    String printed = out.toString(StandardCharsets.UTF_8);
    assertEquals(0, status, printed + err);
    assertFalse(printed.contains("hunter2"), printed);
    assertTrue(printed.contains("<redacted>"), printed);
    assertTrue(printed.contains("45m"), "overrides are merged in:\n" + printed);
    assertTrue(printed.contains("lease-expires-after"), "defaults are merged in:\n" + printed);
    assertFalse(printed.contains("result="), "no run: " + printed);
  }

  /** The example of docs/propensity.md reads as valid settings (no Spark: NewCustomersTest runs the features). */
  @Test
  void theNewCustomersExampleIsValid() {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    int status = NightlySegmentsJob.run(new String[] {"--config", CdnowReferenceTest.REPO.resolve(
        "conf/examples/new-customers.conf").toString(), "--print-config"},
        new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8));
    String printed = out.toString(StandardCharsets.UTF_8);
    assertEquals(0, status, printed + err);
    assertTrue(printed.contains("champion_lookalike"), printed);
  }
}
