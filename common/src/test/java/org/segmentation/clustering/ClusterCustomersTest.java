package org.segmentation.clustering;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.LocalDate;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The refit policy of the clustering step: reuse the reusable model until it is refit-every-days old. */
class ClusterCustomersTest {
  static final LocalDate RUN_DATE = LocalDate.of(2026, 11, 21);

  @Test
  void refitsWhenNoModelIsSaved() {
    assertEquals(Optional.of("no_reusable_model"), org.segmentation.io.ModelStore.refitReason(Optional.empty(), RUN_DATE, 7));
  }

  @Test
  void reusesAModelYoungerThanTheRefitAge() {
    assertEquals(Optional.empty(), org.segmentation.io.ModelStore.refitReason(Optional.of(RUN_DATE.minusDays(6)), RUN_DATE, 7));
    assertEquals(Optional.of("model_age"),
        org.segmentation.io.ModelStore.refitReason(Optional.of(RUN_DATE.minusDays(7)), RUN_DATE, 7));
  }

  @Test
  void aRerunOfTheDateReusesItsOwnModelEvenWithRefitEveryRun() {
    assertEquals(Optional.empty(), org.segmentation.io.ModelStore.refitReason(Optional.of(RUN_DATE), RUN_DATE, 0));
    assertEquals(Optional.of("model_age"),
        org.segmentation.io.ModelStore.refitReason(Optional.of(RUN_DATE.minusDays(1)), RUN_DATE, 0));
  }
}
