package org.segmentation.clustering;

import static org.apache.spark.sql.functions.avg;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.count;
import static org.apache.spark.sql.functions.explode;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.percentile_approx;
import static org.apache.spark.sql.functions.row_number;
import static org.apache.spark.sql.functions.stddev_pop;
import static org.apache.spark.sql.functions.sum;
import static org.apache.spark.sql.functions.when;
import static org.segmentation.schema.Columns.CLUSTER_ID;

import org.segmentation.features.CustomerFeatures;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.expressions.Window;
import org.segmentation.config.ClusteringSettings;
import org.segmentation.config.ClusteringSettings.Transform;
import org.segmentation.io.TableCatalog;
import org.segmentation.schema.Columns;

/**
 * Readable profiles of the clusters of a run: size and share, mean and median of every numeric feature, the standardised
 * difference of each cluster's mean from the whole base (z = (cluster mean - base mean) / base standard deviation),
 * the most common value of categorical features (with the standardised difference of its share, so that a cluster
 * where a value is far more common than in the base is told apart) and the top tags of tag lists, and a generated
 * name from the most distinguishing features ("High spend · Frequent", "contract: Month-to-month"), which
 * {@code clustering.names} can override. Declared profile attributes are features like any other.
 *
 * <p>The aggregates run in Spark; only the k profile rows come to the driver, to be named.
 *
 * @param population whose clusters: {@link Columns#BUYERS} or {@link Columns#PROSPECTS} (cluster_profiles.population)
 */
public record ClusterProfiles(ClusteringSettings settings, LocalDate runDate, String population) {

  /** The buyers' clusters. */
  public ClusterProfiles(ClusteringSettings settings, LocalDate runDate) {
    this(settings, runDate, Columns.BUYERS);
  }

  /** Names for the two directions of well-known features; others read "High x" / "Low x". */
  private static final Map<String, String[]> LABELS = Map.of(
      Columns.RECENCY_DAYS, new String[] {"Lapsed", "Recent"},
      Columns.FREQUENCY, new String[] {"Frequent", "Infrequent"},
      Columns.MONETARY, new String[] {"High spend", "Low spend"},
      Columns.AVERAGE_ORDER_VALUE, new String[] {"Big baskets", "Small baskets"},
      Columns.TENURE_DAYS, new String[] {"Long-standing", "Newer"},
      Columns.RETURN_RATE, new String[] {"Returns often", "Rarely returns"},
      Columns.AGE, new String[] {"Older", "Younger"},
      Columns.INCOME, new String[] {"High income", "Lower income"});
  /** Between a categorical feature and its value in the keys of z_score: "contract=Month-to-month". */
  static final String VALUE_SEPARATOR = "=";
  /** A feature names a cluster only when its mean is at least this many base standard deviations away. */
  private static final double NAMING_MIN_Z = 0.3;

  /** The profile rows (k of them) and the cluster id to name map for customer_segments. */
  public record Profiles(Dataset<Row> rows, Map<Integer, String> names) {}

  List<String> numericFeatures() {
    Set<String> numeric = new LinkedHashSet<>(List.of(Columns.RECENCY_DAYS, Columns.FREQUENCY, Columns.MONETARY));
    settings.features().stream()
        .filter(f -> f.transform().numeric())
        .forEach(f -> numeric.add(f.name()));
    return List.copyOf(numeric);
  }

  /**
   * Runs the aggregates over {@code assigned} (features with cluster_id: two Spark jobs, plus one per categorical
   * feature), names the clusters and returns the k rows of cluster_profiles, in the column order of
   * {@link TableCatalog#CLUSTER_PROFILES}.
   */
  public Profiles profile(SparkSession spark, Dataset<Row> assigned, Map<Integer, Double> silhouetteByK) {
    List<String> numeric = numericFeatures();
    List<Column> perCluster = new ArrayList<>();
    List<Column> base = new ArrayList<>();
    for (String f : numeric) {
      Column value = col("`" + f + "`").cast("double");
      perCluster.add(avg(value).as("mean_" + f));
      perCluster.add(percentile_approx(value, lit(0.5), lit(10_000)).as("median_" + f));
      base.add(avg(value).as("base_mean_" + f));
      base.add(stddev_pop(value).as("base_sd_" + f));
    }
    base.add(count(lit(1)).as("base_customers"));
    perCluster.add(avg(col(Columns.PREDICTED_CLV)).as(Columns.meanOf(Columns.PREDICTED_CLV)));
    perCluster.add(avg(col(Columns.P_ALIVE)).as(Columns.meanOf(Columns.P_ALIVE)));
    Dataset<Row> stats = assigned.groupBy(col(CLUSTER_ID)).agg(count(lit(1)).as("customers"),
        perCluster.toArray(Column[]::new)).crossJoin(assigned.agg(base.get(0),
        base.subList(1, base.size()).toArray(Column[]::new)));
    List<Row> perClusterStats = stats.orderBy(CLUSTER_ID).collectAsList();
    Map<Integer, Long> sizes = new LinkedHashMap<>();
    perClusterStats.forEach(r -> sizes.put(r.getInt(r.fieldIndex(CLUSTER_ID)), r.getLong(r.fieldIndex("customers"))));
    long baseCustomers = perClusterStats.isEmpty() ? 0 : perClusterStats.get(0).getLong(
        perClusterStats.get(0).fieldIndex("base_customers"));
    TopValues topValues = topValues(assigned, sizes, baseCustomers);

    List<Row> rows = new ArrayList<>();
    Map<Integer, String> names = new LinkedHashMap<>();
    for (Row r : perClusterStats) {
      int id = r.getInt(r.fieldIndex(CLUSTER_ID));
      long customers = r.getLong(r.fieldIndex("customers"));
      Map<String, Double> mean = new LinkedHashMap<>();
      Map<String, Double> median = new LinkedHashMap<>();
      Map<String, Double> z = new LinkedHashMap<>();
      for (String f : numeric) {
        Double m = (Double) r.get(r.fieldIndex("mean_" + f));
        mean.put(f, m);
        median.put(f, (Double) r.get(r.fieldIndex("median_" + f)));
        Double baseMean = (Double) r.get(r.fieldIndex("base_mean_" + f));
        Double sd = (Double) r.get(r.fieldIndex("base_sd_" + f));
        z.put(f, m == null || baseMean == null || sd == null || sd == 0 ? 0.0 : (m - baseMean) / sd);
      }
      z.putAll(topValues.shareZ().getOrDefault(id, Map.of()));
      List<String> distinguishing = z.entrySet().stream()
          .sorted(Comparator.comparingDouble((Map.Entry<String, Double> e) -> -Math.abs(e.getValue())))
          .limit(3).map(e -> String.format(Locale.ROOT, "%s %+.2f", e.getKey(), e.getValue())).toList();
      String name = settings.names().getOrDefault(id, generatedName(z));
      names.put(id, name);
      rows.add(RowFactory.create(java.sql.Date.valueOf(runDate), id, name, customers,
          (double) customers / r.getLong(r.fieldIndex("base_customers")),
          scala(mean), scala(median), scala(z), scala(topValues.values().getOrDefault(id, Map.of())),
          scala.jdk.javaapi.CollectionConverters.asScala(distinguishing).toSeq(), scala(silhouetteByK),
          r.get(r.fieldIndex(Columns.meanOf(Columns.PREDICTED_CLV))),
          r.get(r.fieldIndex(Columns.meanOf(Columns.P_ALIVE))), population));
    }
    return new Profiles(spark.createDataFrame(rows, TableCatalog.CLUSTER_PROFILES.schema()), names);
  }

  /**
   * "High spend · Frequent": the (at most two) features whose cluster mean is furthest from the base mean. A
   * categorical feature's entry ({@code feature=value}, the cluster's most common value) names the cluster only when
   * the value is more common there than in the base: "contract: Month-to-month".
   */
  static String generatedName(Map<String, Double> z) {
    List<String> parts = z.entrySet().stream()
        .filter(e -> Math.abs(e.getValue()) >= NAMING_MIN_Z)
        .filter(e -> !e.getKey().contains(VALUE_SEPARATOR) || e.getValue() > 0)
        .sorted(Comparator.comparingDouble((Map.Entry<String, Double> e) -> -Math.abs(e.getValue()))
            .thenComparing(Map.Entry::getKey))
        .limit(2)
        .map(e -> {
          if (e.getKey().contains(VALUE_SEPARATOR)) {
            return e.getKey().replaceFirst(VALUE_SEPARATOR, ": ");
          }
          String[] labels = LABELS.get(e.getKey());
          boolean high = e.getValue() > 0;
          return labels != null ? labels[high ? 0 : 1] : (high ? "High " : "Low ") + e.getKey();
        })
        .toList();
    return parts.isEmpty() ? "Typical" : String.join(" · ", parts);
  }

  /**
   * Per cluster: the most common value of each one-hot feature and the three most common tags of each multi-hot
   * feature ({@code values}); and for each one-hot feature's most common value, the standardised difference of its
   * share in the cluster from its share in the base ({@code shareZ}, keyed {@code feature=value}): the z of a 0/1
   * "has the value" variable, (p_cluster - p_base) / sqrt(p_base (1 - p_base)), comparable with numeric features' z.
   */
  record TopValues(Map<Integer, Map<String, String>> values, Map<Integer, Map<String, Double>> shareZ) {}

  private TopValues topValues(Dataset<Row> assigned, Map<Integer, Long> sizes, long baseCustomers) {
    Map<Integer, Map<String, String>> result = new LinkedHashMap<>();
    Map<Integer, Map<String, Double>> shareZ = new LinkedHashMap<>();
    for (ClusteringSettings.Feature f : settings.features()) {
      int keep;
      Dataset<Row> values;
      if (f.transform() == Transform.ONE_HOT) {
        keep = 1;
        values = assigned.select(col(CLUSTER_ID), col("`" + f.name() + "`").cast("string").as("v"));
      } else if (f.transform() == Transform.MULTI_HOT) {
        keep = 3;
        values = assigned.select(col(CLUSTER_ID), explode(col("`" + f.name() + "`")).as("v"));
      } else {
        continue;
      }
      Dataset<Row> ranked = values.where(col("v").isNotNull()).groupBy(CLUSTER_ID, "v").agg(count(lit(1)).as("n"))
          .withColumn("base_n", sum(col("n")).over(Window.partitionBy(col("v"))))
          .withColumn("rank", row_number().over(Window.partitionBy(col(CLUSTER_ID))
              .orderBy(col("n").desc(), col("v"))))
          .where(col("rank").leq(keep));
      for (Row r : ranked.orderBy(CLUSTER_ID, "rank").collectAsList()) {
        int id = r.getInt(0);
        result.computeIfAbsent(id, key -> new LinkedHashMap<>())
            .merge(f.name(), r.getString(1), (a, b) -> a + ", " + b);
        if (f.transform() == Transform.ONE_HOT && baseCustomers > 0) {
          double inCluster = (double) r.getLong(2) / sizes.get(id);
          double inBase = (double) r.getLong(3) / baseCustomers;
          double sd = Math.sqrt(inBase * (1 - inBase));
          shareZ.computeIfAbsent(id, key -> new LinkedHashMap<>())
              .put(f.name() + VALUE_SEPARATOR + r.getString(1), sd == 0 ? 0.0 : (inCluster - inBase) / sd);
        }
      }
    }
    return new TopValues(result, shareZ);
  }

  private static <K, V> scala.collection.Map<K, V> scala(Map<K, V> map) {
    return scala.jdk.javaapi.CollectionConverters.asScala(map);
  }

  /** The cluster name of {@code cluster_id}, as a column, for customer_segments. */
  public static Column nameOf(Map<Integer, String> names) {
    Column name = lit(null).cast("string");
    for (Map.Entry<Integer, String> entry : names.entrySet()) {
      name = when(col(CLUSTER_ID).equalTo(entry.getKey()), lit(entry.getValue())).otherwise(name);
    }
    return name;
  }
}
