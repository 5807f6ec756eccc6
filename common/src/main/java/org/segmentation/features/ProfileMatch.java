package org.segmentation.features;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.count;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.not;
import static org.apache.spark.sql.functions.when;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.Row;
import org.segmentation.schema.Columns;

/**
 * How the customers of the purchases and of the profiles match: a profile table whose ids never meet the purchases'
 * (another id format, padding, float ids) would otherwise publish a night of customers without attributes and not a
 * word about it.
 *
 * @param buyersWithProfile customers with purchases up to the run date (the RFM window) who have a profile
 * @param buyersWithoutProfile customers with purchases up to the run date who have none
 * @param profilesWithoutPurchases profiles of customers without such purchases
 */
public record ProfileMatch(long buyersWithProfile, long buyersWithoutProfile, long profilesWithoutPurchases) {

  /**
   * The figures of the customer features (has_profile, has_purchases), as aggregate columns: the features step adds
   * them to the aggregation that counts the features, so the match costs no Spark job of its own.
   */
  public static List<Column> aggregates() {
    Column profile = col(Columns.HAS_PROFILE);
    Column bought = col(Columns.HAS_PURCHASES);
    return List.of(count(when(bought.and(profile), lit(1))), count(when(bought.and(not(profile)), lit(1))),
        count(when(not(bought).and(profile), lit(1))));
  }

  /** The figures from a row holding {@link #aggregates()} from position {@code first} on. */
  public static ProfileMatch of(Row row, int first) {
    return new ProfileMatch(row.getLong(first), row.getLong(first + 1), row.getLong(first + 2));
  }

  /** A few ids of buyers without a profile and of profiles without purchases, for a message (two small jobs). */
  public static Map<String, List<String>> examples(Dataset<Row> features, int perSide) {
    Column profile = col(Columns.HAS_PROFILE);
    Column bought = col(Columns.HAS_PURCHASES);
    Map<String, List<String>> examples = new LinkedHashMap<>();
    examples.put("buyers without a profile", ids(features.where(bought.and(not(profile))), perSide));
    examples.put("profiles without purchases", ids(features.where(not(bought).and(profile)), perSide));
    return examples;
  }

  private static List<String> ids(Dataset<Row> customers, int limit) {
    return customers.select(col(Columns.CUSTOMER_ID)).orderBy(Columns.CUSTOMER_ID).limit(limit)
        .as(Encoders.STRING()).collectAsList();
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
