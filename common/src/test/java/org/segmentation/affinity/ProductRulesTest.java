package org.segmentation.affinity;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.segmentation.TestSpark.row;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.Test;
import org.segmentation.TestSpark;

/** FP-growth's rules against a brute-force enumeration of every itemset and rule of a small basket set. */
class ProductRulesTest {
  static final StructType BASKETS = new StructType()
      .add(ProductRules.ITEMS, DataTypes.createArrayType(DataTypes.StringType));

  /** Twelve baskets over five items: bread and butter go together, milk with either, jam rarely, tea alone. */
  static final List<List<String>> BASKET_ITEMS = List.of(
      List.of("bread", "butter"), List.of("bread", "butter", "milk"), List.of("bread", "butter", "jam"),
      List.of("bread", "milk"), List.of("butter", "milk"), List.of("bread", "butter", "milk"), List.of("tea"),
      List.of("milk"), List.of("bread", "butter"), List.of("jam", "tea"), List.of("bread", "butter", "milk", "jam"),
      List.of("milk", "tea"));

  @Test
  void rulesEqualABruteForceEnumeration() {
    long minBaskets = 2;
    double minConfidence = 0.3;
    Row[] rows = BASKET_ITEMS.stream().map(items -> row(scala.jdk.javaapi.CollectionConverters.asScala(items)
        .toSeq())).toArray(Row[]::new);
    Map<String, Row> found = new HashMap<>();
    for (Row rule : new ProductRules(minBaskets, minConfidence).apply(TestSpark.rows(BASKETS, rows), rows.length)
        .collectAsList()) {
      found.put(new TreeSet<>(rule.<String>getList(0)) + "->" + rule.<String>getList(1), rule);
    }

    // every itemset's baskets, by enumerating the subsets of each basket
    Map<Set<String>, Integer> counts = new HashMap<>();
    for (List<String> basket : BASKET_ITEMS) {
      for (int mask = 1; mask < 1 << basket.size(); mask++) {
        Set<String> subset = new TreeSet<>();
        for (int i = 0; i < basket.size(); i++) {
          if ((mask & 1 << i) != 0) {
            subset.add(basket.get(i));
          }
        }
        counts.merge(subset, 1, Integer::sum);
      }
    }
    double n = BASKET_ITEMS.size();
    List<String> expected = new ArrayList<>();
    counts.forEach((itemset, count) -> {
      if (itemset.size() < 2 || count < minBaskets) {
        return;
      }
      for (String consequent : itemset) { // MLlib's rules have one item as the consequent
        Set<String> antecedent = new TreeSet<>(itemset);
        antecedent.remove(consequent);
        double confidence = count / (double) counts.get(antecedent);
        if (confidence < minConfidence) {
          continue;
        }
        String key = antecedent + "->[" + consequent + "]";
        expected.add(key);
        Row rule = found.get(key);
        assertTrue(rule != null, "missing " + key + " among " + found.keySet());
        double pa = counts.get(antecedent) / n;
        double pb = counts.get(Set.of(consequent)) / n;
        double lift = (count / n) / (pa * pb);
        double upper = 1 / Math.max(pa, pb);
        double lower = Math.max(pa + pb - 1, 1 / n) / (pa * pb);
        assertEquals((long) count, (long) rule.getAs(ProductRules.BASKETS), key);
        assertEquals(count / n, rule.<Double>getAs(ProductRules.SUPPORT), 1e-12, key);
        assertEquals(confidence, rule.<Double>getAs(ProductRules.CONFIDENCE), 1e-12, key);
        assertEquals(lift, rule.<Double>getAs(ProductRules.LIFT), 1e-12, key);
        assertEquals(pa, rule.<Double>getAs(ProductRules.ANTECEDENT_SUPPORT), 1e-12, key);
        assertEquals(pb, rule.<Double>getAs(ProductRules.CONSEQUENT_SUPPORT), 1e-12, key);
        assertEquals((lift - lower) / (upper - lower), rule.<Double>getAs(ProductRules.STANDARDISED_LIFT), 1e-12,
            key);
      }
    });
    assertEquals(new TreeSet<>(expected), new TreeSet<>(found.keySet()), "exactly the rules of the enumeration");
    assertTrue(expected.size() >= 10, "a set with something to find: " + expected);
    // a rule at a minimum of one basket appears (jam -> tea, in one basket) only when the minimum allows it
    assertTrue(!found.containsKey("[jam]->[tea]"));
    assertTrue(new ProductRules(1, 0.3).apply(TestSpark.rows(BASKETS, rows), rows.length).collectAsList().stream()
        .anyMatch(r -> r.getList(0).equals(List.of("jam")) && r.getList(1).equals(List.of("tea"))));
  }
}
