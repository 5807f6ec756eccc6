package org.segmentation.features;

import static org.apache.spark.sql.functions.coalesce;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.datediff;
import static org.apache.spark.sql.functions.floor;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.months_between;
import static org.apache.spark.sql.functions.when;
import static org.segmentation.schema.Columns.AVERAGE_ORDER_VALUE;
import static org.segmentation.schema.Columns.CUSTOMER_ID;
import static org.segmentation.schema.Columns.FIRST_PURCHASE_DATE;
import static org.segmentation.schema.Columns.FREQUENCY;
import static org.segmentation.schema.Columns.HAS_PROFILE;
import static org.segmentation.schema.Columns.LAST_PURCHASE_DATE;
import static org.segmentation.schema.Columns.MEAN_DAYS_BETWEEN_ORDERS;
import static org.segmentation.schema.Columns.MONETARY;
import static org.segmentation.schema.Columns.NET_REVENUE;
import static org.segmentation.schema.Columns.TENURE_DAYS;

import org.segmentation.rfm.PurchaseTotals;
import org.segmentation.rfm.RfmAggregation;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.segmentation.config.FeatureSettings;
import org.segmentation.config.JobSettings;
import org.segmentation.config.SourceSettings;
import org.segmentation.run.ConfigurationException;
import org.segmentation.config.RfmSettings;
import org.segmentation.schema.CanonicalColumn;
import org.segmentation.schema.Columns;

/**
 * The customers of a run, one row each, with the features that scoring, clustering and rule segments use: the RFM
 * values, behaviour from the purchases in the RFM window (average order value, tenure, mean days between orders,
 * distinct categories, return rate, line shares such as {@code channel_web_share}) and the profile's attributes (age
 * from age or birth date, gender, income, education, occupation, country, region, city, interests, lifestyle,
 * marketing consent, and every attribute declared under {@code inputs.profiles.attributes}, under its own name).
 *
 * <p>Every customer with a profile or a purchase is one row: profile-only customers get frequency 0 and NULL purchase
 * features (and, after segmentation, the no-purchase segment); purchase-only customers are kept with
 * {@code has_profile = false}. Missing values stay NULL here; the clustering pipeline imputes them.
 *
 * <p>Cost: the purchases are shuffled once (RFM and behaviour in one {@link RfmAggregation}), the profiles once, and
 * the two meet in one full outer join.
 */
public record CustomerFeatures(FeatureSettings settings, RfmSettings rfm, LocalDate runDate,
    List<CanonicalColumn> profileAttributes) {
  private static final String PROFILE_ID = "__profile_id";
  /** Identifying and bookkeeping profile columns that are not features. */
  private static final List<String> NOT_FEATURES = List.of(CUSTOMER_ID, Columns.BIRTH_DATE, Columns.SIGNUP_TS,
      Columns.EMAIL, Columns.POSTAL_CODE, Columns.FIRST_NAME, Columns.LAST_NAME, Columns.PHONE);

  public CustomerFeatures {
    profileAttributes = List.copyOf(profileAttributes);
  }

  /** Without declared profile attributes. */
  public CustomerFeatures(FeatureSettings settings, RfmSettings rfm, LocalDate runDate) {
    this(settings, rfm, runDate, List.of());
  }

  /** The features of a run as configured (the declared profile attributes become features of their own name). */
  public static CustomerFeatures of(JobSettings settings, LocalDate runDate) {
    return new CustomerFeatures(settings.features(), settings.rfm(), runDate,
        settings.profiles().attributes().stream().map(SourceSettings.Attribute::column).toList());
  }

  /**
   * The features' schema, from empty inputs of the configured schemas: what rule segments and clustering features are
   * checked against before any input is read (an attribute named like a feature is found here too). Runs no Spark job.
   */
  public Dataset<Row> emptyPlan(SparkSession spark, JobSettings settings) {
    return apply(empty(spark, settings.purchases().schema()),
        settings.profiles().enabled() ? empty(spark, settings.profiles().schema()) : null);
  }

  private static Dataset<Row> empty(SparkSession spark, List<CanonicalColumn> columns) {
    return spark.createDataFrame(List.of(), CanonicalColumn.schemaOf(columns));
  }

  /**
   * @param purchases accepted purchases (canonical columns)
   * @param profiles accepted profiles (canonical columns), or NULL without a profiles input
   */
  public Dataset<Row> apply(Dataset<Row> purchases, Dataset<Row> profiles) {
    return withProfiles(aggregation().apply(purchases), profiles);
  }

  /**
   * The same features from the purchase state ({@link org.segmentation.rfm.PurchaseState} of the accepted purchases,
   * with the configured line shares) instead of the lines.
   *
   * @param profiles accepted profiles (canonical columns), or NULL without a profiles input
   */
  public Dataset<Row> fromState(Dataset<Row> state, Dataset<Row> profiles) {
    return withProfiles(aggregation().fromState(state), profiles);
  }

  /**
   * {@link #fromState}, with only the {@code touched} customers computed from the state and every other buyer's
   * figures carried from {@code earlier} totals ({@link PurchaseTotals#carry}).
   *
   * @param profiles accepted profiles (canonical columns), or NULL without a profiles input
   */
  public Dataset<Row> fromState(Dataset<Row> state, Dataset<Row> touched, Dataset<Row> earlier,
      Dataset<Row> profiles) {
    return withProfiles(totals().carry(state, touched, earlier), profiles);
  }

  /** The buyers' figures a night keeps for the next ({@code purchase_totals}), of these features. */
  public PurchaseTotals totals() {
    return new PurchaseTotals(aggregation());
  }

  /** The RFM and behaviour aggregation of these features (the purchase state counts the same line shares). */
  private RfmAggregation aggregation() {
    return new RfmAggregation(rfm, runDate, RfmAggregation.Behaviour.of(settings.shares()));
  }

  /** The customers of the purchases ({@code bought}, RFM and behaviour) joined with their profiles. */
  private Dataset<Row> withProfiles(Dataset<Row> bought, Dataset<Row> profiles) {
    Column asOf = lit(java.sql.Date.valueOf(runDate));

    checkNoClash(bought.columns());
    Dataset<Row> customers;
    if (profiles == null) {
      customers = bought.withColumn(HAS_PROFILE, lit(false)).withColumn(Columns.HAS_PURCHASES, lit(true));
    } else {
      List<Column> profileColumns = new ArrayList<>(List.of(
          col(CUSTOMER_ID).as(PROFILE_ID),
          coalesce(col(Columns.AGE), floor(months_between(asOf, col(Columns.BIRTH_DATE)).divide(12)).cast("int"))
              .as(Columns.AGE),
          col(Columns.GENDER), col(Columns.INCOME), col(Columns.EDUCATION), col(Columns.OCCUPATION),
          col(Columns.COUNTRY), col(Columns.REGION), col(Columns.CITY), col(Columns.INTERESTS),
          col(Columns.LIFESTYLE), col(Columns.MARKETING_CONSENT)));
      profileAttributes.forEach(a -> profileColumns.add(col(a.name())));
      Dataset<Row> profile = profiles.select(profileColumns.toArray(Column[]::new));
      customers = bought.join(profile, bought.col(CUSTOMER_ID).equalTo(profile.col(PROFILE_ID)), "full_outer")
          .withColumn(Columns.HAS_PURCHASES, col(CUSTOMER_ID).isNotNull())
          .withColumn(CUSTOMER_ID, coalesce(col(CUSTOMER_ID), col(PROFILE_ID)))
          .withColumn(HAS_PROFILE, col(PROFILE_ID).isNotNull())
          .withColumn(FREQUENCY, coalesce(col(FREQUENCY), lit(0L)))
          .withColumn(MONETARY, coalesce(col(MONETARY), lit(0).cast(Columns.MONEY)))
          .withColumn(NET_REVENUE, coalesce(col(NET_REVENUE), lit(0).cast(Columns.MONEY)));
    }
    // Without profiles the attribute columns still exist (NULL), so that rules and clustering settings stay valid.
    List<CanonicalColumn> profileFeatures = new ArrayList<>(Columns.PROFILES.stream()
        .filter(c -> !NOT_FEATURES.contains(c.name())).toList());
    profileFeatures.addAll(profileAttributes);
    List<Column> attributes = new ArrayList<>();
    for (CanonicalColumn c : profileFeatures) {
      attributes.add(profiles == null ? lit(null).cast(c.type()).as(c.name()) : col(c.name()));
    }

    List<Column> output = new ArrayList<>();
    for (String column : bought.columns()) {
      output.add(col(column));
    }
    output.add(col(HAS_PROFILE));
    output.add(col(Columns.HAS_PURCHASES));
    output.add(when(col(FREQUENCY).gt(0), col(NET_REVENUE).divide(col(FREQUENCY)).cast("double"))
        .as(AVERAGE_ORDER_VALUE));
    output.add(datediff(asOf, col(FIRST_PURCHASE_DATE)).as(TENURE_DAYS));
    output.add(when(col(FREQUENCY).gt(1),
        datediff(col(LAST_PURCHASE_DATE), col(FIRST_PURCHASE_DATE)).divide(col(FREQUENCY).minus(1)))
        .as(MEAN_DAYS_BETWEEN_ORDERS));
    output.addAll(attributes);
    return customers.select(output.toArray(Column[]::new));
  }

  /** A declared attribute named like a feature would make every reference to that name ambiguous. */
  private void checkNoClash(String[] purchaseFeatures) {
    java.util.Set<String> taken = new java.util.HashSet<>(List.of(purchaseFeatures));
    taken.addAll(List.of(PROFILE_ID, HAS_PROFILE, Columns.HAS_PURCHASES, AVERAGE_ORDER_VALUE, TENURE_DAYS,
        MEAN_DAYS_BETWEEN_ORDERS));
    List<String> problems = profileAttributes.stream().map(CanonicalColumn::name).filter(taken::contains)
        .map(name -> JobSettings.keyPath(JobSettings.INPUTS, SourceSettings.PROFILES, SourceSettings.ATTRIBUTES, name)
            + ": the customer features already have a column \"" + name + "\": give the attribute another name")
        .toList();
    if (!problems.isEmpty()) {
      throw new ConfigurationException(problems);
    }
  }
}
