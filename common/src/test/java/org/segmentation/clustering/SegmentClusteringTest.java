package org.segmentation.clustering;

import static org.apache.spark.sql.functions.col;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.segmentation.TestSpark.row;

import org.segmentation.features.RuleSegments;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.segmentation.TestSpark;
import org.segmentation.clv.ClvScoring;
import org.segmentation.config.ClusteringSettings;
import org.segmentation.schema.Columns;
import org.segmentation.config.ClusteringSettings.Feature;
import org.segmentation.config.ClusteringSettings.Transform;

/** Clustering on customers with planted groups: recovery (adjusted Rand index), automatic k, stable ids. */
class SegmentClusteringTest {
  static final StructType FEATURES = new StructType()
      .add("customer_id", DataTypes.StringType)
      .add("planted", DataTypes.IntegerType)
      .add("recency_days", DataTypes.IntegerType)
      .add("frequency", DataTypes.LongType)
      .add("monetary", DataTypes.DoubleType)
      .add("return_rate", DataTypes.DoubleType)
      .add("country", DataTypes.StringType)
      .add("interests", DataTypes.createArrayType(DataTypes.StringType));

  /**
   * Four planted groups (log-normal around distinct centres): recent big spenders, recent small frequent buyers,
   * lapsed one-timers, mid-recency returners. {@code moved} customers get another group's behaviour.
   */
  static List<Row> planted(int perGroup, long seed, int moved) {
    double[][] centres = { // recency days, frequency, monetary, return rate
        {5, 20, 3000, 0.02}, {10, 12, 150, 0.01}, {400, 1, 40, 0.0}, {120, 4, 400, 0.4}};
    String[] countries = {"GB", "FR", "DE", "ES"};
    Random random = new Random(seed);
    List<Row> rows = new ArrayList<>();
    for (int g = 0; g < centres.length; g++) {
      for (int i = 0; i < perGroup; i++) {
        int behaviour = (g * perGroup + i) < moved ? (g + 1) % centres.length : g;
        double[] c = centres[behaviour];
        rows.add(row("c" + g + "_" + i, g,
            (int) Math.round(c[0] * Math.exp(0.25 * random.nextGaussian())),
            Math.max(1, Math.round(c[1] * Math.exp(0.2 * random.nextGaussian()))),
            c[2] * Math.exp(0.25 * random.nextGaussian()),
            Math.max(0, c[3] + 0.03 * random.nextGaussian()),
            random.nextDouble() < 0.8 ? countries[behaviour] : countries[random.nextInt(4)],
            random.nextDouble() < 0.7 ? List.of("tag" + behaviour) : List.of()));
      }
    }
    return rows;
  }

  static ClusteringSettings settings(ClusteringSettings.Algorithm algorithm, int k) {
    return new ClusteringSettings(true, algorithm, k, 2, 7, 5000, 100_000, 7L, 60, 3, 0, List.of(
        new Feature("recency_days", Transform.LOG1P, false),
        new Feature("frequency", Transform.LOG1P, false),
        new Feature("monetary", Transform.LOG1P, false),
        new Feature("return_rate", Transform.STANDARDIZE, true),
        new Feature("country", Transform.ONE_HOT, false),
        new Feature("interests", Transform.MULTI_HOT, false)), Map.of());
  }

  static Dataset<Row> frame(List<Row> rows) {
    return TestSpark.get().createDataFrame(rows, FEATURES);
  }

  static Map<String, Integer> clusters(ClusteringModel model, Dataset<Row> features) {
    Map<String, Integer> byCustomer = new HashMap<>();
    for (Row r : new ClusterAssignment(model).apply(features).select("customer_id", "cluster_id").collectAsList()) {
      byCustomer.put(r.getString(0), r.getInt(1));
    }
    return byCustomer;
  }

  @Test
  void recoversPlantedGroupsAndPicksTheirNumber() {
    recoversPlantedGroups(settings(ClusteringSettings.Algorithm.KMEANS, 0));
  }

  /** The same with MLlib's distributed KMeans (single-task-rows = 0) instead of the single-task fit. */
  @Test
  void recoversPlantedGroupsWithTheDistributedKMeans() {
    ClusteringSettings s = settings(ClusteringSettings.Algorithm.KMEANS, 0);
    recoversPlantedGroups(new ClusteringSettings(s.enabled(), s.algorithm(), s.k(), s.kMin(), s.kMax(),
        s.sampleRows(), s.fitRows(), s.seed(), s.maxIterations(), s.restarts(), s.refitEveryDays(), s.features(),
        s.names(), 0));
  }

  /**
   * With fit-rows and sample-rows (200) far below the customers (1,200), candidates and the final model are fitted on
   * samples; every customer is still assigned, and the planted groups are still found.
   */
  @Test
  void recoversPlantedGroupsFromSamples() {
    ClusteringSettings s = settings(ClusteringSettings.Algorithm.KMEANS, 0);
    ClusteringSettings sampled = new ClusteringSettings(s.enabled(), s.algorithm(), s.k(), s.kMin(), s.kMax(), 200,
        200, s.seed(), s.maxIterations(), s.restarts(), s.refitEveryDays(), s.features(), s.names());
    assertEquals(2, ClusteringFit.Plan.of(1_200, sampled).preparations(), "two samples, each prepared");
    recoversPlantedGroups(sampled);
  }

  private void recoversPlantedGroups(ClusteringSettings settings) {
    Dataset<Row> features = frame(planted(300, 1, 0)).cache();
    ClusteringModel model = ClusteringFit.fit(features, settings, null);
    assertEquals(4, model.k(), "silhouette by k: " + model.silhouetteByK());
    assertEquals(6, model.silhouetteByK().size(), "every candidate k of 2..7 is scored");
    assertTrue(model.silhouetteByK().get(4) > 0.5, model.silhouetteByK().toString());
    assertEquals(model.silhouetteByK().values().stream().max(Double::compare).orElseThrow(),
        model.silhouetteByK().get(model.k()), "the recorded scores show the chosen k as the best");
    Map<String, Integer> assigned = clusters(model, features);
    List<int[]> pairs = new ArrayList<>();
    for (Row r : features.select("customer_id", "planted").collectAsList()) {
      pairs.add(new int[] {r.getInt(1), assigned.get(r.getString(0))});
    }
    double ari = AdjustedRandIndex.of(pairs);
    assertTrue(ari >= 0.9, "adjusted Rand index " + ari);
    Row first = new ClusterAssignment(model).apply(features).first();
    assertNotNull(first.getAs(Columns.CLUSTER_DISTANCE));
  }

  @Test
  void sameSeedAndInputGiveTheSameClusters() {
    Dataset<Row> features = frame(planted(100, 2, 0));
    ClusteringSettings settings = settings(ClusteringSettings.Algorithm.KMEANS, 4);
    assertEquals(clusters(ClusteringFit.fit(features, settings, null), features),
        clusters(ClusteringFit.fit(features, settings, null), features));
  }

  @Test
  void clusterIdsSurviveARefitOnSlightlyChangedData() {
    ClusteringSettings settings = settings(ClusteringSettings.Algorithm.KMEANS, 4);
    Dataset<Row> night1 = frame(planted(250, 3, 0));
    ClusteringModel fitted = ClusteringFit.fit(night1, settings, null);
    // Night 2: 30 customers changed behaviour and everything is re-drawn with new noise, and fitted from another
    // seed; the id matching must give the new clusters the published ids.
    Dataset<Row> night2 = frame(planted(250, 4, 30));
    ClusteringSettings reseeded = new ClusteringSettings(true, settings.algorithm(), 4, 2, 7, 5000, 100_000, 99L, 60, 3, 0,
        settings.features(), Map.of());
    Map<String, Integer> unmatched = clusters(ClusteringFit.fit(night2, reseeded, null), night2);
    // The ids published so far are not the fit's own indices (as after earlier refits): a permutation of them under
    // which no customer's published id is the index the new fit gives it on its own, so that a refit that ignored
    // the published ids would move every customer to another id.
    ClusteringModel first = null;
    Map<String, Integer> before = null;
    for (List<Integer> permutation : permutationsOf(List.of(0, 1, 2, 3))) {
      ClusteringModel candidate = new ClusteringModel(fitted.pipeline(),
          fitted.idOfPrediction().stream().map(permutation::get).toList(), fitted.silhouetteByK());
      Map<String, Integer> published = clusters(candidate, night1);
      long sameIndex = published.keySet().stream().filter(c -> published.get(c).equals(unmatched.get(c))).count();
      if (sameIndex < 0.1 * published.size()) {
        first = candidate;
        before = published;
        break;
      }
    }
    assertTrue(first != null, "some permutation of the ids differs from the refit's own indices");
    ClusteringModel refit = ClusteringFit.fit(night2, reseeded, first);
    Map<String, Integer> after = clusters(refit, night2);
    int unchanged = 0;
    int kept = 0;
    for (Map.Entry<String, Integer> e : before.entrySet()) {
      int group = Integer.parseInt(e.getKey().substring(1, 2));
      int index = Integer.parseInt(e.getKey().substring(3));
      if (group * 250 + index < 30) {
        continue; // moved
      }
      unchanged++;
      if (e.getValue().equals(after.get(e.getKey()))) {
        kept++;
      }
    }
    assertTrue(kept >= 0.95 * unchanged, kept + " of " + unchanged + " kept their cluster id");
  }

  /**
   * GaussianMixture runs on the numeric features: the full set adds dimensions that are constant or nearly so within a
   * component (a missing indicator that is always 0, one-hot and tag columns), whose covariance can turn NaN, and
   * MLlib's Java LAPACK fallback then loops forever in dsyev (seen twice in CI-like runs, the second time with the
   * numeric features only: it depends on the order in which the driver merges the partitions' sums, which is the order
   * the tasks finish). The rows are in one partition, so the sums, and the fit, are the same on every run. The timeout
   * runs the test in a thread of its own, so a hang fails instead of stalling the build.
   */
  @Test
  @Timeout(value = 5, unit = TimeUnit.MINUTES, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
  void otherAlgorithmsRunThroughTheSamePipeline() {
    Dataset<Row> features = frame(planted(80, 5, 0)).coalesce(1).cache();
    ClusteringModel bisecting = ClusteringFit.fit(features,
        settings(ClusteringSettings.Algorithm.BISECTING_KMEANS, 4), null);
    assertEquals(4, bisecting.k());
    assertEquals(0, new ClusterAssignment(bisecting).apply(features)
        .where(col(Columns.CLUSTER_DISTANCE).isNull()).count());
    ClusteringSettings numeric = settings(ClusteringSettings.Algorithm.GAUSSIAN_MIXTURE, 3);
    numeric = new ClusteringSettings(true, numeric.algorithm(), numeric.k(), numeric.kMin(), numeric.kMax(),
        numeric.sampleRows(), numeric.fitRows(), numeric.seed(), numeric.maxIterations(), numeric.restarts(),
        numeric.refitEveryDays(), numeric.features().stream().filter(f -> f.transform().numeric())
            .map(f -> new Feature(f.name(), f.transform(), false)).toList(), numeric.names());
    ClusteringModel mixture = ClusteringFit.fit(features, numeric, null);
    Dataset<Row> assigned = new ClusterAssignment(mixture).apply(features);
    assertEquals(0, assigned.where(col(Columns.CLUSTER_PROBABILITY).isNull()
        .or(col(Columns.CLUSTER_PROBABILITY).gt(1.0))).count());
  }

  @Test
  void bucketizeCutsIntoBandsOfEqualSizeWithOneForMissingValues() {
    StructType schema = new StructType().add("customer_id", DataTypes.StringType).add("age", DataTypes.IntegerType);
    List<Row> rows = new ArrayList<>();
    for (int age = 1; age <= 100; age++) {
      rows.add(row("c" + age, age));
    }
    rows.add(row("unknown", null));
    Dataset<Row> features = TestSpark.get().createDataFrame(rows, schema);
    ClusteringSettings settings = new ClusteringSettings(true, ClusteringSettings.Algorithm.KMEANS, 2, 2, 2, 5000,
        100_000, 7L, 20, 1, 0, List.of(new Feature("age", Transform.BUCKETIZE, false, 4)), Map.of());
    Map<Integer, Integer> customersPerBand = new java.util.TreeMap<>();
    int missingBand = -1;
    for (Row r : FeaturePreparation.pipeline(settings).fit(features).transform(features)
        .select("customer_id", ClusteringModel.FEATURES).collectAsList()) {
      org.apache.spark.ml.linalg.Vector v = r.getAs(1);
      assertEquals(5, v.size(), "four bands and one for a missing age");
      assertEquals(1.0, v.toArray()[v.argmax()], "exactly one band set");
      customersPerBand.merge(v.argmax(), 1, Integer::sum);
      if (r.getString(0).equals("unknown")) {
        missingBand = v.argmax();
      }
    }
    assertEquals(4, missingBand);
    // Cut points are the quartiles of 1..100 (25, 50, 75) and a band includes its lower cut point:
    // [1, 25) has 24 ages, [25, 50) and [50, 75) 25 each, [75, 100] 26.
    assertEquals(Map.of(0, 24, 1, 25, 2, 25, 3, 26, 4, 1), customersPerBand);
  }

  @Test
  void optimalAssignmentMatchesBruteForce() {
    Random random = new Random(3);
    for (int trial = 0; trial < 50; trial++) {
      int n = 1 + random.nextInt(6);
      double[][] cost = new double[n][n];
      for (double[] line : cost) {
        for (int j = 0; j < n; j++) {
          line[j] = random.nextInt(20) - 10;
        }
      }
      int[] assignment = OptimalAssignment.minimumCost(cost);
      double total = 0;
      boolean[] used = new boolean[n];
      for (int i = 0; i < n; i++) {
        assertTrue(!used[assignment[i]], "a column is used once");
        used[assignment[i]] = true;
        total += cost[i][assignment[i]];
      }
      assertEquals(bruteForce(cost, 0, new boolean[n]), total, 1e-9);
    }
  }

  private static double bruteForce(double[][] cost, int row, boolean[] used) {
    if (row == cost.length) {
      return 0;
    }
    double best = Double.POSITIVE_INFINITY;
    for (int j = 0; j < cost.length; j++) {
      if (!used[j]) {
        used[j] = true;
        best = Math.min(best, cost[row][j] + bruteForce(cost, row + 1, used));
        used[j] = false;
      }
    }
    return best;
  }

  @Test
  void namesComeFromTheMostDistinguishingFeatures() {
    assertEquals("High spend · Frequent", ClusterProfiles.generatedName(Map.of(
        "monetary", 1.8, "frequency", 1.1, "recency_days", -0.2)));
    assertEquals("Lapsed · Rarely returns", ClusterProfiles.generatedName(Map.of(
        "recency_days", 1.5, "return_rate", -0.9, "frequency", 0.1)));
    assertEquals("High distinct_categories", ClusterProfiles.generatedName(Map.of(
        "distinct_categories", 0.7, "frequency", 0.1)));
    assertEquals("Typical", ClusterProfiles.generatedName(Map.of("monetary", 0.1)));
  }

  @Test
  void ruleSegmentsListEveryMatchingRule() {
    StructType schema = new StructType().add("customer_id", DataTypes.StringType).add("age", DataTypes.IntegerType)
        .add("city", DataTypes.StringType).add("interests", DataTypes.createArrayType(DataTypes.StringType));
    Map<String, String> rules = new java.util.LinkedHashMap<>();
    rules.put("young_urban", "age < 30 and city in ('London', 'Paris')");
    rules.put("eco", "array_contains(interests, 'sustainability')");
    Dataset<Row> result = new RuleSegments(rules).apply(TestSpark.rows(schema,
        row("a", 25, "Paris", List.of("sustainability")),
        row("b", 45, "Paris", List.of("sustainability")),
        row("c", 25, "Leeds", List.of()),
        row("d", null, "London", null)));
    Map<String, List<String>> byCustomer = new HashMap<>();
    for (Row r : result.collectAsList()) {
      byCustomer.put(r.getAs("customer_id"), r.getList(r.fieldIndex(Columns.RULE_SEGMENTS)));
    }
    assertEquals(Map.of("a", List.of("young_urban", "eco"), "b", List.of("eco"), "c", List.of(), "d", List.of()),
        byCustomer);
    org.segmentation.run.ConfigurationException e = org.junit.jupiter.api.Assertions.assertThrows(
        org.segmentation.run.ConfigurationException.class,
        () -> new RuleSegments(Map.of("rich", "incme > 100000")).check(TestSpark.rows(schema)));
    assertTrue(e.getMessage().contains("segments.rule-segments.rich"), e.getMessage());
  }

  /**
   * No fit is repeated on the same rows (issue 11, point 9). k 2..7, 3 restarts, sample-rows 5,000, fit-rows 100,000:
   * 3,000 customers are both samples, so 6 candidate fits + 2 more restarts (the chosen candidate's fit is the first
   * restart) and one feature preparation; 50,000 customers are sampled for the candidates and all fit the final model:
   * 6 + 3 fits, two preparations; a fixed k fits the restarts only, once prepared.
   */
  @Test
  void aSmallNightFitsEachThingOnce() {
    ClusteringSettings auto = settings(ClusteringSettings.Algorithm.KMEANS, 0);
    ClusteringFit.Plan small = ClusteringFit.Plan.of(3_000, auto);
    assertEquals(List.of(2, 3, 4, 5, 6, 7), small.candidates());
    assertEquals(List.of(8, 1), List.of(small.estimatorFits(), small.preparations()));
    ClusteringFit.Plan large = ClusteringFit.Plan.of(50_000, auto);
    assertEquals(List.of(9, 2), List.of(large.estimatorFits(), large.preparations()));
    ClusteringFit.Plan fixed = ClusteringFit.Plan.of(3_000, settings(ClusteringSettings.Algorithm.KMEANS, 4));
    assertEquals(List.of(3, 1), List.of(fixed.estimatorFits(), fixed.preparations()));
    // fewer customers than k-max + 1: only the k that leave a customer per cluster are tried
    assertEquals(List.of(2, 3, 4), ClusteringFit.Plan.of(5, auto).candidates());
  }
  /**
   * The single-task fit scores candidates without MLlib's ClusteringEvaluator: its silhouette must be the evaluator's
   * on the same predictions. Three blobs of random points scored against hand-placed centres that make one cluster a
   * single row (which scores 0) and leave one centre without rows, and against the task's own fits for k = 2..5.
   */
  @Test
  void singleTaskSilhouetteIsMllibsClusteringEvaluator() {
    Random random = new Random(7);
    List<Row> vectors = new ArrayList<>();
    List<org.apache.commons.math3.ml.clustering.DoublePoint> points = new ArrayList<>();
    double[][] blobs = {{0, 0, 0}, {5, 5, 0}, {0, 6, 6}};
    for (int i = 0; i < 300; i++) {
      double[] b = blobs[i % 3];
      double[] x = {b[0] + random.nextGaussian(), b[1] + random.nextGaussian(), b[2] + random.nextGaussian()};
      vectors.add(row(org.apache.spark.ml.linalg.Vectors.dense(x)));
      points.add(new org.apache.commons.math3.ml.clustering.DoublePoint(x));
    }
    double[] lonely = {40, 40, 40};
    vectors.add(row(org.apache.spark.ml.linalg.Vectors.dense(lonely)));
    points.add(new org.apache.commons.math3.ml.clustering.DoublePoint(lonely));
    Dataset<Row> rows = TestSpark.rows(new StructType().add(ClusteringModel.FEATURES,
        new org.apache.spark.ml.linalg.VectorUDT()), vectors.toArray(new Row[0]));
    org.apache.spark.ml.evaluation.ClusteringEvaluator evaluator = new org.apache.spark.ml.evaluation
        .ClusteringEvaluator().setFeaturesCol(ClusteringModel.FEATURES).setPredictionCol(ClusteringModel.PREDICTION);

    double[][] handPlaced = {{0, 0, 0}, {5, 5, 0}, {0, 6, 6}, {40, 40, 40}, {-90, -90, -90}};
    SingleTaskKMeans.Result byHand = new SingleTaskKMeans.Result(5, 0, handPlaced, 0, Double.NaN);
    assertEquals(evaluator.evaluate(byHand.fitted().model().transform(rows)),
        SingleTaskKMeans.silhouette(points, handPlaced), 1e-9);

    List<SingleTaskKMeans.Request> requests = List.of(2, 3, 4, 5).stream()
        .map(k -> new SingleTaskKMeans.Request(k, 42)).toList();
    List<SingleTaskKMeans.Result> fits = SingleTaskKMeans.fitAll(rows, requests, 40, true);
    assertEquals(List.of(2, 3, 4, 5), fits.stream().map(SingleTaskKMeans.Result::k).toList());
    for (SingleTaskKMeans.Result fit : fits) {
      assertEquals(evaluator.evaluate(fit.fitted().model().transform(rows)), fit.silhouette(), 1e-9, "k=" + fit.k());
    }
  }
  /**
   * Missing values of a standardised feature are imputed with the median and flagged: income 10, 20, 30 and one
   * missing (imputed 20). Standardised with the sample standard deviation: income mean 20, sd sqrt(200 / 3); the
   * indicator 0, 0, 0, 1 has mean 0.25 and sd 0.5. So the missing customer is (0, 1.5) and the one with 10 is
   * (-10 / 8.165, -0.5).
   */
  @Test
  void imputesTheMedianAndFlagsMissingValues() {
    StructType schema = new StructType().add("customer_id", DataTypes.StringType).add("income", DataTypes.DoubleType);
    Dataset<Row> features = TestSpark.rows(schema, row("a", 10.0), row("b", 20.0), row("c", 30.0),
        row("d", null));
    ClusteringSettings settings = new ClusteringSettings(true, ClusteringSettings.Algorithm.KMEANS, 2, 2, 2, 5000,
        100_000, 7L, 20, 1, 0, List.of(new Feature("income", Transform.STANDARDIZE, true)), Map.of());
    Map<String, double[]> vectors = new HashMap<>();
    for (Row r : FeaturePreparation.pipeline(settings).fit(features).transform(features)
        .select("customer_id", ClusteringModel.FEATURES).collectAsList()) {
      vectors.put(r.getString(0), ((org.apache.spark.ml.linalg.Vector) r.get(1)).toArray());
    }
    double sd = Math.sqrt(200.0 / 3);
    assertArrayEquals(new double[] {0.0, 1.5}, vectors.get("d"), 1e-9);
    assertArrayEquals(new double[] {-10 / sd, -0.5}, vectors.get("a"), 1e-9);
    assertArrayEquals(new double[] {10 / sd, -0.5}, vectors.get("c"), 1e-9);
  }

  /**
   * With restarts = 3 the final model is the lowest-cost of the fits from seeds 7, 8 and 9 (k = 6 on four planted
   * groups, so the seeds can end in different local optima).
   */
  @Test
  void restartsKeepTheLowestCostFit() {
    Dataset<Row> features = frame(planted(60, 6, 0));
    ClusteringSettings settings = settings(ClusteringSettings.Algorithm.KMEANS, 6);
    Dataset<Row> prepared = FeaturePreparation.pipeline(settings).fit(features).transform(features)
        .select(ClusteringModel.FEATURES);
    List<SingleTaskKMeans.Result> fits = SingleTaskKMeans.fitAll(prepared, List.of(
        new SingleTaskKMeans.Request(6, 7), new SingleTaskKMeans.Request(6, 8), new SingleTaskKMeans.Request(6, 9)),
        settings.maxIterations(), false);
    SingleTaskKMeans.Result cheapest = fits.stream()
        .min(java.util.Comparator.comparingDouble(SingleTaskKMeans.Result::cost)).orElseThrow();
    org.apache.spark.ml.clustering.KMeansModel chosen = (org.apache.spark.ml.clustering.KMeansModel)
        ClusteringFit.fit(features, settings, null).pipeline().stages()[1];
    for (int c = 0; c < 6; c++) {
      assertArrayEquals(cheapest.centers()[c], chosen.clusterCenters()[c].toArray(), 1e-12);
    }
  }

  /** clustering.names replaces the generated name of the clusters it names, and only those. */
  @Test
  void configuredNamesReplaceGeneratedOnes() {
    Dataset<Row> features = frame(planted(50, 8, 0));
    ClusteringSettings s = settings(ClusteringSettings.Algorithm.KMEANS, 4);
    ClusteringSettings named = new ClusteringSettings(s.enabled(), s.algorithm(), s.k(), s.kMin(), s.kMax(),
        s.sampleRows(), s.fitRows(), s.seed(), s.maxIterations(), s.restarts(), s.refitEveryDays(), s.features(),
        Map.of(2, "VIP"));
    ClusteringModel model = ClusteringFit.fit(features, named, null);
    Dataset<Row> assigned = ClvScoring.unscored(new ClusterAssignment(model).apply(features));
    Map<Integer, String> generated = new ClusterProfiles(s, java.time.LocalDate.of(2026, 1, 1))
        .profile(TestSpark.get(), assigned, model.silhouetteByK()).names();
    Map<Integer, String> names = new ClusterProfiles(named, java.time.LocalDate.of(2026, 1, 1))
        .profile(TestSpark.get(), assigned, model.silhouetteByK()).names();
    Map<Integer, String> expected = new HashMap<>(generated);
    expected.put(2, "VIP");
    assertEquals(expected, names);
    assertTrue(!generated.get(2).equals("VIP"), generated.toString());
  }

  private static List<List<Integer>> permutationsOf(List<Integer> values) {
    if (values.size() <= 1) {
      return List.of(values);
    }
    List<List<Integer>> all = new java.util.ArrayList<>();
    for (Integer first : values) {
      List<Integer> rest = new java.util.ArrayList<>(values);
      rest.remove(first);
      for (List<Integer> tail : permutationsOf(rest)) {
        List<Integer> permutation = new java.util.ArrayList<>(List.of(first));
        permutation.addAll(tail);
        all.add(permutation);
      }
    }
    return all;
  }
}
