package org.segmentation.propensity;

import static org.apache.spark.sql.functions.col;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.Test;
import org.segmentation.TestSpark;
import org.segmentation.config.ClusteringSettings.Feature;
import org.segmentation.config.ClusteringSettings.Transform;
import org.segmentation.config.PropensitySettings.LabelKind;
import org.segmentation.config.PropensitySettings.Model;
import org.segmentation.schema.Columns;

/**
 * A lookalike on a planted latent type: one customer in ten is of the type, which shows in the profile (older, more
 * often in the North) and, among buyers, is exactly the seed group. Learned from the buyers' profiles, the model must
 * find the type among the prospects: precision in the top tenth of prospects at least 3× the base rate. The deciles
 * of a known ranking are checked by hand, and a plateau of tied scores is split into tenths.
 */
class LookalikeTest {
  static final StructType CUSTOMERS = new StructType().add(Columns.CUSTOMER_ID, DataTypes.StringType)
      .add(Columns.FREQUENCY, DataTypes.LongType).add(Columns.AGE, DataTypes.DoubleType)
      .add(Columns.REGION, DataTypes.StringType).add("champion", DataTypes.BooleanType)
      .add("latent_type", DataTypes.BooleanType);

  static Dataset<Row> customers(int n, long seed) {
    Random random = new Random(seed);
    List<Row> rows = new ArrayList<>(n);
    String[] otherRegions = {"South", "East", "West"};
    for (int i = 0; i < n; i++) {
      boolean type = random.nextDouble() < 0.1;
      boolean buyer = random.nextBoolean();
      double age = (type ? 48 : 36) + 8 * random.nextGaussian();
      String region = random.nextDouble() < (type ? 0.6 : 0.2) ? "North" : otherRegions[random.nextInt(3)];
      rows.add(RowFactory.create("c" + i, buyer ? 1L + random.nextInt(5) : 0L, age, region,
          buyer ? type : null, type));
    }
    return TestSpark.get().createDataFrame(rows, CUSTOMERS);
  }

  @Test
  void aLookalikeOfTheSeedFindsThePlantedTypeAmongProspects() {
    Dataset<Row> tonight = customers(16_000, 3).cache();
    Model lookalike = new Model("champion_lookalike", LabelKind.LOOKALIKE, 0, "champion",
        List.of(new Feature(Columns.AGE, Transform.STANDARDIZE, false),
            new Feature(Columns.REGION, Transform.ONE_HOT, false)));
    Dataset<Row> training = new TrainingRows(TrainingRowsTest.SETTINGS, LocalDate.of(2026, 6, 30))
        .ofTonight(lookalike, tonight);
    assertEquals(tonight.where(col(Columns.FREQUENCY).gt(0)).count(), training.count(), "buyers only");

    PropensityFit fit = new PropensityFit(lookalike.features(), new PropensityFit.Settings(0.2, 0.2, 2, 0, 3, 7));
    PropensityFit.Fitted fitted = fit.fit(training);
    // the region's categories are named slots of the weights
    assertTrue(fitted.featureWeights(lookalike.features()).containsKey("region=North"),
        fitted.featureWeights(lookalike.features()).toString());

    Dataset<Row> prospects = Deciles.of(fitted.score(tonight.where(col(Columns.FREQUENCY).equalTo(0))),
        PropensityFit.SCORE).cache();
    double baseRate = share(prospects);
    double topTenth = share(prospects.where(col(Deciles.DECILE).equalTo(1)));
    assertTrue(topTenth >= 3 * baseRate, "precision in the top tenth " + topTenth + " against base " + baseRate);
  }

  private static double share(Dataset<Row> rows) {
    return rows.where(col("latent_type")).count() / (double) rows.count();
  }

  @Test
  void decilesSplitAKnownRankingIntoTenthsFromTheTop() {
    List<Row> rows = new ArrayList<>();
    for (int i = 0; i < 1000; i++) {
      rows.add(RowFactory.create("c" + i, (double) i));
    }
    StructType schema = new StructType().add(Columns.CUSTOMER_ID, DataTypes.StringType)
        .add("s", DataTypes.DoubleType);
    Dataset<Row> deciled = Deciles.of(TestSpark.get().createDataFrame(rows, schema), "s");
    for (Row r : deciled.collectAsList()) {
      int score = (int) r.getDouble(1);
      assertEquals(10 - score / 100, r.getInt(2), "score " + score);
    }
    // a plateau: 1,000 customers of one score split into tenths by their ids
    Dataset<Row> tied = Deciles.of(TestSpark.get().createDataFrame(rows, schema).withColumn("s",
        org.apache.spark.sql.functions.lit(0.2)), "s");
    java.util.Map<Integer, Long> sizes = new java.util.TreeMap<>();
    tied.groupBy(Deciles.DECILE).count().collectAsList().forEach(r -> sizes.put(r.getInt(0), r.getLong(1)));
    assertEquals(10, sizes.size(), sizes.toString());
    sizes.values().forEach(n -> assertTrue(Math.abs(n - 100) <= 15, sizes.toString()));
  }
}
