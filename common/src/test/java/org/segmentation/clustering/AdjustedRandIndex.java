package org.segmentation.clustering;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** The adjusted Rand index (Hubert and Arabie 1985) of two labellings, for tests: 1 = identical partitions. */
public final class AdjustedRandIndex {
  private AdjustedRandIndex() {}

  /** @param pairs (true label, predicted label) of each item */
  public static double of(List<int[]> pairs) {
    Map<Long, Long> cells = new HashMap<>();
    Map<Integer, Long> rows = new HashMap<>();
    Map<Integer, Long> columns = new HashMap<>();
    for (int[] p : pairs) {
      cells.merge(((long) p[0] << 32) | (p[1] & 0xffffffffL), 1L, Long::sum);
      rows.merge(p[0], 1L, Long::sum);
      columns.merge(p[1], 1L, Long::sum);
    }
    double index = cells.values().stream().mapToDouble(AdjustedRandIndex::pairs).sum();
    double rowPairs = rows.values().stream().mapToDouble(AdjustedRandIndex::pairs).sum();
    double columnPairs = columns.values().stream().mapToDouble(AdjustedRandIndex::pairs).sum();
    double expected = rowPairs * columnPairs / pairs((long) pairs.size());
    double maximum = (rowPairs + columnPairs) / 2;
    return (index - expected) / (maximum - expected);
  }

  private static double pairs(long n) {
    return n * (n - 1) / 2.0;
  }
}
