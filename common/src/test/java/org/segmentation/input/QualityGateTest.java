package org.segmentation.input;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.segmentation.TestSpark.row;

import com.typesafe.config.ConfigFactory;
import java.time.Instant;
import java.time.LocalDate;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.junit.jupiter.api.Test;
import org.segmentation.TestSpark;
import org.segmentation.config.JobSettings;
import org.segmentation.config.SettingsLoader;
import org.segmentation.pipeline.RunContext;
import org.segmentation.run.DataQualityException;
import org.segmentation.schema.Columns;

class QualityGateTest {
  static final Instant STARTED = Instant.parse("2010-12-02T06:00:00Z");

  static RunContext context() {
    JobSettings settings = JobSettings.read(SettingsLoader.layer(ConfigFactory.parseString("""
        segments.inputs.purchases {
          path = "unused"
          columns {
            customer_id = "CustomerID", order_id = "InvoiceNo", amount = "Quantity * UnitPrice"
            order_ts = "to_timestamp(InvoiceDate, 'M/d/yyyy H:mm')"
          }
        }
        segments.inputs.profiles.enabled = false
        """), Map.of()));
    return new RunContext(TestSpark.get(), settings, LocalDate.of(2010, 12, 1), "run", STARTED, "");
  }

  static ValidatedInputs validated(Dataset<Row> raw, RunContext run) {
    ValidatedInput purchases = new ValidatedInput("purchases", Columns.PURCHASES,
        InputValidation.purchases(run.settings().quality(), STARTED, Columns.PURCHASES)
            .apply(new ColumnMapping(run.settings().purchases(), Columns.PURCHASES).apply(raw)));
    return new ValidatedInputs(purchases, Optional.empty(), Optional.empty(), Optional.empty(), Optional.empty(),
        List.of(purchases.countRows()), Map.of(),
        org.segmentation.input.NightPlan.full(org.segmentation.input.PlanNight.INCREMENTAL_OFF, false), Optional.empty(),
        0, Optional.empty());
  }

  /**
   * Five lines: three with ISO dates the mapping's to_timestamp cannot read (it returns NULL: missing_order_ts), one
   * without a customer (missing_customer_id), one good: 4 of 5 quarantined, far above 5 %. The message names the
   * reasons by frequency, each with the original value behind it: the InvoiceDate of the first such row (by its
   * original row, 536365), and NULL for the missing id.
   */
  @Test
  void aFailedGateNamesTheTopReasonsWithAnOriginalValueEach() {
    RunContext run = context();
    ValidatedInputs inputs = validated(TestSpark.rows(MappingAndValidationTest.RETAIL,
        row("536366", "17850", "2010-12-01 08:28", "6", "1.85"),
        row("536365", "17850", "2010-12-01 08:26", "6", "2.55"),
        row("536367", "13047", "2010-12-01 08:34", "1", "4.00"),
        row("536368", null, "12/1/2010 8:40", "1", "4.00"),
        row("536369", "13047", "12/1/2010 8:41", "1", "4.00")), run);

    DataQualityException failed = assertThrows(DataQualityException.class,
        () -> new QualityGate(inputs).execute(run));
    String message = failed.getMessage();
    assertTrue(message.startsWith("Cannot segment: 4 of 5 purchases rows (80.00 %) were quarantined, above the limit "
        + "of 5.00 % (segments.quality.max-quarantined-share)"), message);
    assertTrue(message.endsWith("top reasons: missing_order_ts: 3 rows, e.g. '2010-12-01 08:26'; "
        + "missing_customer_id: 1 rows, e.g. NULL"), message);
  }

  @Test
  void aCleanInputPasses() {
    RunContext run = context();
    ValidatedInputs inputs = validated(TestSpark.rows(MappingAndValidationTest.RETAIL,
        row("536365", "17850", "12/1/2010 8:26", "6", "2.55")), run);
    assertEquals(0.0, new QualityGate(inputs).execute(run).worstQuarantinedShare());
  }
}
