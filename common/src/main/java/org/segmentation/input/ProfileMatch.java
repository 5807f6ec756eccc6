package org.segmentation.input;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.count;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.when;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.Row;
import org.segmentation.schema.Columns;

/**
 * How the customers of the purchases and of the profiles match: a profile table whose ids never meet the purchases'
 * (another id format, padding, float ids) would otherwise publish a night of customers without attributes and not a
 * word about it.
 *
 * @param buyersWithProfile customers of the accepted purchases who have an accepted profile
 * @param buyersWithoutProfile customers of the accepted purchases who have none
 * @param profilesWithoutPurchases accepted profiles of customers without an accepted purchase
 */
public record ProfileMatch(long buyersWithProfile, long buyersWithoutProfile, long profilesWithoutPurchases) {
  private static final String BUYER = "__buyer";
  private static final String PROFILED = "__profiled";

  /** Counts the three groups: one Spark job over the (persisted) accepted rows, only their distinct ids shuffled. */
  public static ProfileMatch measure(Dataset<Row> acceptedPurchases, Dataset<Row> acceptedProfiles) {
    Row counts = ids(acceptedPurchases, acceptedProfiles).agg(
        count(when(col(BUYER).isNotNull().and(col(PROFILED).isNotNull()), lit(1))),
        count(when(col(PROFILED).isNull(), lit(1))),
        count(when(col(BUYER).isNull(), lit(1)))).first();
    return new ProfileMatch(counts.getLong(0), counts.getLong(1), counts.getLong(2));
  }

  /** A few ids of buyers without a profile and of profiles without a purchase, for a message (two small jobs). */
  public static Map<String, List<String>> examples(Dataset<Row> acceptedPurchases, Dataset<Row> acceptedProfiles,
      int perSide) {
    Dataset<Row> both = ids(acceptedPurchases, acceptedProfiles);
    Map<String, List<String>> examples = new LinkedHashMap<>();
    examples.put("buyers without a profile", both.where(col(PROFILED).isNull()).select(col(BUYER))
        .orderBy(BUYER).limit(perSide).as(Encoders.STRING()).collectAsList());
    examples.put("profiles without purchases", both.where(col(BUYER).isNull()).select(col(PROFILED))
        .orderBy(PROFILED).limit(perSide).as(Encoders.STRING()).collectAsList());
    return examples;
  }

  private static Dataset<Row> ids(Dataset<Row> acceptedPurchases, Dataset<Row> acceptedProfiles) {
    Dataset<Row> buyers = acceptedPurchases.select(col(Columns.CUSTOMER_ID).as(BUYER)).distinct();
    Dataset<Row> profiled = acceptedProfiles.select(col(Columns.CUSTOMER_ID).as(PROFILED)).distinct();
    return buyers.join(profiled, buyers.col(BUYER).equalTo(profiled.col(PROFILED)), "full_outer");
  }

  public long buyers() {
    return buyersWithProfile + buyersWithoutProfile;
  }

  /** The share of buyers with a profile; 1 when there is no buyer (nothing to match). */
  public double share() {
    return buyers() == 0 ? 1.0 : (double) buyersWithProfile / buyers();
  }

  /** The figures by name, for run_log's {@code profile_match} and the progress line. */
  public Map<String, Long> figures() {
    Map<String, Long> figures = new LinkedHashMap<>();
    figures.put("buyers_with_profile", buyersWithProfile);
    figures.put("buyers_without_profile", buyersWithoutProfile);
    figures.put("profiles_without_purchases", profilesWithoutPurchases);
    return figures;
  }

  public String progressDetails() {
    StringBuilder details = new StringBuilder();
    figures().forEach((name, value) -> details.append(name).append('=').append(value).append(' '));
    return details.append(String.format(Locale.ROOT, "profile_match_share=%.4f", share())).toString();
  }
}
