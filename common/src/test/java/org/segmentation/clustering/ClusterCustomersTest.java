package org.segmentation.clustering;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.LocalDate;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The refit policy of the clustering step: reuse the saved model until it is refit-every-days old. */
class ClusterCustomersTest {
  static final LocalDate RUN_DATE = LocalDate.of(2026, 11, 21);

  @Test
  void refitsWhenNoModelIsSaved() {
    assertTrue(ClusterCustomers.needsRefit(Optional.empty(), RUN_DATE, 7));
  }

  @Test
  void reusesAModelYoungerThanTheRefitAge() {
    assertFalse(ClusterCustomers.needsRefit(Optional.of(RUN_DATE.minusDays(6)), RUN_DATE, 7));
    assertTrue(ClusterCustomers.needsRefit(Optional.of(RUN_DATE.minusDays(7)), RUN_DATE, 7));
  }

  @Test
  void aRerunOfTheDateReusesItsOwnModelEvenWithRefitEveryRun() {
    assertFalse(ClusterCustomers.needsRefit(Optional.of(RUN_DATE), RUN_DATE, 0));
    assertTrue(ClusterCustomers.needsRefit(Optional.of(RUN_DATE.minusDays(1)), RUN_DATE, 0));
  }
}
