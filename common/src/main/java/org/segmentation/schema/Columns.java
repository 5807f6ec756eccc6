package org.segmentation.schema;

import static org.apache.spark.sql.types.DataTypes.BooleanType;
import static org.apache.spark.sql.types.DataTypes.DateType;
import static org.apache.spark.sql.types.DataTypes.DoubleType;
import static org.apache.spark.sql.types.DataTypes.IntegerType;
import static org.apache.spark.sql.types.DataTypes.LongType;
import static org.apache.spark.sql.types.DataTypes.StringType;
import static org.apache.spark.sql.types.DataTypes.TimestampType;
import static org.apache.spark.sql.types.DataTypes.createArrayType;
import static org.apache.spark.sql.types.DataTypes.createDecimalType;

import java.util.List;
import org.apache.spark.sql.types.DecimalType;

/**
 * Names of the canonical input columns and of the output columns, and the two input schemas. Every stage and the table
 * catalog ({@link org.segmentation.io.TableCatalog}, which adds each output column's type and meaning) use these
 * constants; a column name is spelled once, here.
 */
public final class Columns {
  private Columns() {}

  /** Money: exact decimals, never doubles, so sums are reproducible to the cent. */
  public static final DecimalType MONEY = createDecimalType(20, 4);

  public static final String CUSTOMER_ID = "customer_id";
  public static final String ORDER_ID = "order_id";
  public static final String ORDER_TS = "order_ts";
  public static final String AMOUNT = "amount";
  public static final String QUANTITY = "quantity";
  public static final String PRODUCT_CATEGORY = "product_category";
  /** The product of a line (a SKU, a stock code): what recommendations and association rules may name. */
  public static final String PRODUCT_ID = "product_id";
  public static final String PRODUCT_NAME = "product_name";
  public static final String CHANNEL = "channel";

  /**
   * Identifiers: trimmed after mapping, so that " C1" and "C1" are one customer (and a profile joins its purchases);
   * an id that is blank after trimming is missing.
   */
  public static final java.util.Set<String> IDENTIFIERS = java.util.Set.of(CUSTOMER_ID, ORDER_ID, PRODUCT_ID, Columns.EXPERIMENT,
      Columns.VARIANT); // (qualified: declared below)

  public static final List<CanonicalColumn> PURCHASES = List.of(
      new CanonicalColumn(CUSTOMER_ID, StringType, true),
      new CanonicalColumn(ORDER_ID, StringType, true),
      new CanonicalColumn(ORDER_TS, TimestampType, true),
      new CanonicalColumn(AMOUNT, MONEY, true),
      new CanonicalColumn(QUANTITY, LongType, false),
      new CanonicalColumn(PRODUCT_CATEGORY, StringType, false),
      new CanonicalColumn(CHANNEL, StringType, false),
      new CanonicalColumn(PRODUCT_ID, StringType, false),
      new CanonicalColumn(PRODUCT_NAME, StringType, false));

  /** A product's catalogue price (optional). */
  public static final String PRICE = "price";

  /**
   * The products input (optional): a line's name and category come from it when the line has a product_id and no
   * name or category of its own.
   */
  public static final List<CanonicalColumn> PRODUCTS = List.of(
      new CanonicalColumn(PRODUCT_ID, StringType, true),
      new CanonicalColumn(PRODUCT_NAME, StringType, false),
      new CanonicalColumn(PRODUCT_CATEGORY, StringType, false),
      new CanonicalColumn(PRICE, MONEY, false));

  public static final String BIRTH_DATE = "birth_date";
  public static final String AGE = "age";
  public static final String GENDER = "gender";
  public static final String INCOME = "income";
  public static final String EDUCATION = "education";
  public static final String OCCUPATION = "occupation";
  public static final String COUNTRY = "country";
  public static final String REGION = "region";
  public static final String CITY = "city";
  public static final String POSTAL_CODE = "postal_code";
  public static final String INTERESTS = "interests";
  public static final String LIFESTYLE = "lifestyle";
  public static final String SIGNUP_TS = "signup_ts";
  public static final String EMAIL = "email";
  public static final String MARKETING_CONSENT = "marketing_consent";
  /** Contact fields: exported to the destinations allowed to receive them, never features. */
  public static final String FIRST_NAME = "first_name";
  public static final String LAST_NAME = "last_name";
  public static final String PHONE = "phone";

  public static final List<CanonicalColumn> PROFILES = List.of(
      new CanonicalColumn(CUSTOMER_ID, StringType, true),
      new CanonicalColumn(BIRTH_DATE, DateType, false),
      new CanonicalColumn(AGE, IntegerType, false),
      new CanonicalColumn(GENDER, StringType, false),
      new CanonicalColumn(INCOME, DoubleType, false),
      new CanonicalColumn(EDUCATION, StringType, false),
      new CanonicalColumn(OCCUPATION, StringType, false),
      new CanonicalColumn(COUNTRY, StringType, false),
      new CanonicalColumn(REGION, StringType, false),
      new CanonicalColumn(CITY, StringType, false),
      new CanonicalColumn(POSTAL_CODE, StringType, false),
      new CanonicalColumn(INTERESTS, createArrayType(StringType), false),
      new CanonicalColumn(LIFESTYLE, createArrayType(StringType), false),
      new CanonicalColumn(SIGNUP_TS, TimestampType, false),
      new CanonicalColumn(EMAIL, StringType, false),
      new CanonicalColumn(MARKETING_CONSENT, BooleanType, false),
      new CanonicalColumn(FIRST_NAME, StringType, false),
      new CanonicalColumn(LAST_NAME, StringType, false),
      new CanonicalColumn(PHONE, StringType, false));

  // Validation bookkeeping, carried next to the canonical columns until rows are split into accepted / quarantined.
  public static final String QUARANTINE_REASONS = "quarantine_reasons";
  public static final String SOURCE_ROW = "source_row";

  // RFM outputs
  public static final String RUN_DATE = "run_date";
  public static final String RUN_ID = "run_id";
  public static final String FIRST_PURCHASE_DATE = "first_purchase_date";
  public static final String LAST_PURCHASE_DATE = "last_purchase_date";
  public static final String RECENCY_DAYS = "recency_days";
  public static final String FREQUENCY = "frequency";
  public static final String MONETARY = "monetary";
  public static final String NET_REVENUE = "net_revenue";
  public static final String R_SCORE = "r_score";
  public static final String F_SCORE = "f_score";
  public static final String M_SCORE = "m_score";
  public static final String RFM_SCORE = "rfm_score";
  public static final String RFM_SEGMENT = "rfm_segment";
  public static final String PREVIOUS_RFM_SEGMENT = "previous_rfm_segment";
  public static final String HAS_PROFILE = "has_profile";
  /** In the customer features: the customer has purchase lines up to the run date (returns included). */
  public static final String HAS_PURCHASES = "has_purchases";

  // Behaviour features (customer features table; see CustomerFeatures)
  public static final String AVERAGE_ORDER_VALUE = "average_order_value";
  public static final String TENURE_DAYS = "tenure_days";
  public static final String MEAN_DAYS_BETWEEN_ORDERS = "mean_days_between_orders";
  public static final String DISTINCT_CATEGORIES = "distinct_categories";
  public static final String RETURN_RATE = "return_rate";

  /** Days with a counted order in the window; minus one, the lifetime-value models' x (repeat purchases). */
  public static final String PURCHASE_DAYS = "purchase_days";
  /** The purchase state's grain and sums (org.segmentation.rfm.PurchaseState, table purchase_state). */
  public static final String PURCHASE_DAY = "purchase_day";
  public static final String LINES = "lines";
  public static final String RETURN_LINES = "return_lines";
  public static final String SHARE_LINES = "share_lines";
  /** Retired from purchase_state (its rows were per customer, order and day until 2026-12): kept in older tables. */
  public static final String CATEGORY_LINES = "category_lines";
  /** In purchase_totals: each configured line share's feature name to its value (features.shares). */
  public static final String LINE_SHARES = "line_shares";
  /** Mean value of the purchase days after the first (NULL without one): the Gamma-Gamma model's m. */
  public static final String REPEAT_PURCHASE_VALUE = "repeat_purchase_value";

  // Lifetime value (customer features after clv_scoring, customer_segments; see org.segmentation.clv)
  public static final String P_ALIVE = "p_alive";
  public static final String EXPECTED_PURCHASES = "expected_purchases";
  public static final String EXPECTED_ORDER_VALUE = "expected_order_value";
  public static final String PREDICTED_CLV = "predicted_clv";
  public static final String CLV_DECILE = "clv_decile";
  public static final String CLV_TIER = "clv_tier";

  // Product affinity (segment_affinity, product_rules, next_best_products, recommendation_metrics; see
  // org.segmentation.affinity)
  /** The purchase column whose values a row's items are: product_category or product_id. */
  public static final String ITEM_COLUMN = "item_column";
  /** What one basket of the association rules holds: order or customer. */
  public static final String BASKET = "basket";
  /** The recommender of a list: als, segment_popularity or popularity. */
  public static final String RECOMMENDER = "recommender";
  /** A customer's ranked items not yet bought (customer_segments' neighbour table; an audience export field). */
  public static final String NEXT_BEST_PRODUCTS = "next_best_products";
  /** segment_affinity's columns (see org.segmentation.affinity.SegmentAffinity). */
  public static final String DIMENSION = "dimension";
  public static final String SEGMENT = "segment";
  public static final String ITEM = "item";
  public static final String SEGMENT_BUYERS = "segment_buyers";
  public static final String BUYER_SHARE = "buyer_share";
  public static final String BASE_BUYER_SHARE = "base_buyer_share";
  public static final String BUYER_INDEX = "buyer_index";
  public static final String REVENUE_SHARE = "revenue_share";
  public static final String BASE_REVENUE_SHARE = "base_revenue_share";
  public static final String REVENUE_INDEX = "revenue_index";
  public static final String EXPECTED_BUYERS = "expected_buyers";
  public static final String PEARSON_RESIDUAL = "pearson_residual";
  public static final String SUPPORTED = "supported";
  public static final String OVER_INDEXED = "over_indexed";
  public static final String UNDER_INDEXED = "under_indexed";
  public static final String INDEX_RANK = "index_rank";
  /** product_rules' columns (see org.segmentation.affinity.ProductRules). */
  public static final String ANTECEDENT = "antecedent";
  public static final String CONSEQUENT = "consequent";
  public static final String BASKETS = "baskets";
  public static final String SUPPORT = "support";
  public static final String LIFT = "lift";
  public static final String STANDARDISED_LIFT = "standardised_lift";
  public static final String ANTECEDENT_SUPPORT = "antecedent_support";
  public static final String CONSEQUENT_SUPPORT = "consequent_support";
  /** recommendation_metrics' measures (see org.segmentation.affinity.RankingQuality). */
  public static final String PRECISION_AT_K = "precision_at_k";
  public static final String RECALL_AT_K = "recall_at_k";
  public static final String HIT_RATE_AT_K = "hit_rate_at_k";
  public static final String MAP_AT_K = "map_at_k";
  /** Customers an offline measure averages over. */
  public static final String EVALUATION_CUSTOMERS = "evaluation_customers";

  /** The share of a customer's order lines whose {@code column} has the value named {@code value}. */
  public static String lineShare(String column, String value) {
    return column + "_" + value + "_share";
  }

  // Audiences (audience_members, audience_changes and the export files; see org.segmentation.audiences)
  public static final String AUDIENCE = "audience";
  public static final String ARM = "arm";
  public static final String JOINED_ON = "joined_on";
  public static final String REASON_FIELDS = "reason_fields";
  public static final String DESTINATIONS = "destinations";
  public static final String CHANGE = "change";
  public static final String EMAIL_SHA256 = "email_sha256";
  public static final String PHONE_SHA256 = "phone_sha256";

  // Experiments (experiment_results; see org.segmentation.experiments)
  public static final String EXPERIMENT = "experiment";
  public static final String VARIANT = "variant";
  public static final String CONTROL_VARIANT = "control_variant";
  public static final String ASSIGNED_TS = "assigned_ts";
  public static final String METRIC = "metric";

  /**
   * The experiments input (experiments run in another tool, read out by ReadOutExperiments): one row per customer
   * and experiment with the variant they were assigned; metrics, covariates and breakdown columns are declared
   * attributes.
   */
  public static final List<CanonicalColumn> EXPERIMENTS = List.of(
      new CanonicalColumn(CUSTOMER_ID, StringType, true),
      new CanonicalColumn(EXPERIMENT, StringType, true),
      new CanonicalColumn(VARIANT, StringType, true),
      new CanonicalColumn(ASSIGNED_TS, TimestampType, true));
  public static final String BREAKDOWN = "breakdown";
  public static final String CELL = "cell";
  public static final String CONTROL_N = "control_n";
  public static final String CONTROL_MEAN = "control_mean";
  public static final String VARIANT_N = "variant_n";
  public static final String VARIANT_MEAN = "variant_mean";
  public static final String ABSOLUTE_LIFT = "absolute_lift";
  public static final String RELATIVE_LIFT = "relative_lift";
  public static final String P_VALUE = "p_value";
  public static final String Q_VALUE = "q_value";
  public static final String CUPED_ABSOLUTE_LIFT = "cuped_absolute_lift";
  public static final String CUPED_P_VALUE = "cuped_p_value";
  public static final String VARIANCE_REDUCTION = "variance_reduction";
  public static final String CONFIDENCE = "confidence";
  public static final String WINDOW_COMPLETE = "window_complete";
  public static final String SRM_P_VALUE = "srm_p_value";
  public static final String SRM_FLAG = "srm_flag";
  public static final String INCREMENTAL_REVENUE = "incremental_revenue";
  public static final String CAMPAIGN_COST = "campaign_cost";
  public static final String ROI = "roi";

  /** The lower bound of a figure's interval ({@code absolute_lift_low}). */
  public static String lowOf(String figure) {
    return figure + "_low";
  }

  /** The upper bound of a figure's interval ({@code absolute_lift_high}). */
  public static String highOf(String figure) {
    return figure + "_high";
  }

  // Clusters and rule segments
  public static final String CLUSTER_ID = "cluster_id";
  public static final String CLUSTER_NAME = "cluster_name";
  /** The prospects' clusters (customers with a profile and no counted purchase), a model of their own. */
  public static final String PROSPECT_CLUSTER_ID = "prospect_cluster_id";
  public static final String PROSPECT_CLUSTER_NAME = "prospect_cluster_name";
  /** Which customers a cluster groups, in cluster_profiles: {@value #BUYERS} or {@value #PROSPECTS}. */
  public static final String POPULATION = "population";
  public static final String BUYERS = "buyers";
  public static final String PROSPECTS = "prospects";
  public static final String CLUSTER_DISTANCE = "cluster_distance";
  public static final String CLUSTER_PROBABILITY = "cluster_probability";
  public static final String RULE_SEGMENTS = "rule_segments";
  /** In customer_segments: the declared profile attributes, as one struct. */
  public static final String PROFILE_ATTRIBUTES = "profile_attributes";

  // Aggregates of segment_summary, segment_transitions and cluster_profiles
  public static final String CUSTOMERS = "customers";
  public static final String SHARE_OF_CUSTOMERS = "share_of_customers";
  public static final String REVENUE = "revenue";
  public static final String SHARE_OF_REVENUE = "share_of_revenue";

  // The surveys input (satisfaction answers) and segment_kpis
  public static final String ANSWERED_TS = "answered_ts";
  public static final String SCORE = "score";
  public static final List<CanonicalColumn> SURVEYS = List.of(
      new CanonicalColumn(CUSTOMER_ID, StringType, true),
      new CanonicalColumn(ANSWERED_TS, TimestampType, true),
      new CanonicalColumn(SCORE, DoubleType, true));
  public static final String CONVERSION = "conversion";
  public static final String ANSWERS = "answers";
  public static final String CSAT = "csat";
  public static final String NPS = "nps";
  public static final String PREVIOUS_RUN_DATE = "previous_run_date";
  public static final String FROM_SEGMENT = "from_segment";
  public static final String TO_SEGMENT = "to_segment";
  public static final String SILHOUETTE_BY_K = "silhouette_by_k";

  // customer_propensity and propensity_model_metrics
  public static final String MODEL = "model";
  public static final String PROPENSITY = "propensity";
  public static final String PROPENSITY_DECILE = "propensity_decile";
  public static final String LEARNER = "learner";
  public static final String AUC = "auc";
  public static final String DECILES = "deciles";
  public static final String FEATURE_WEIGHTS = "feature_weights";

  /** A model's score as audiences see it, one column per model ({@code propensity_buy_30d}). */
  public static String propensityOf(String model) {
    return PROPENSITY + "_" + model;
  }

  /** A model's decile as audiences see it ({@code propensity_decile_buy_30d}). */
  public static String propensityDecileOf(String model) {
    return PROPENSITY_DECILE + "_" + model;
  }

  // customer_uplift and uplift_model_metrics
  public static final String UPLIFT_SCORE = "uplift_score";
  public static final String UPLIFT_BY_VARIANT = "uplift_by_variant";
  public static final String BEST_VARIANT = "best_variant";
  public static final String UPLIFT_DECILE = "uplift_decile";
  public static final String TARGETED = "targeted";
  public static final String QINI_COEFFICIENT = "qini_coefficient";

  /** A model's uplift score as audiences see it ({@code uplift_win_back}). */
  public static String upliftOf(String model) {
    return "uplift_" + model;
  }

  /** A model's uplift decile as audiences see it ({@code uplift_decile_win_back}). */
  public static String upliftDecileOf(String model) {
    return UPLIFT_DECILE + "_" + model;
  }

  /** Whether the model's budgeted targeting contacts the customer, as audiences see it. */
  public static String upliftTargetedOf(String model) {
    return "uplift_targeted_" + model;
  }

  // quarantine
  public static final String SOURCE = "source";
  public static final String REASON_CODES = "reason_codes";

  // run_log and the model registries
  public static final String STATUS = "status";
  public static final String ENDED_AT = "ended_at";
  public static final String TABLE_VERSIONS = "table_versions";
  public static final String MODEL_PATH = "model_path";
  public static final String ID_OF_PREDICTION = "id_of_prediction";
  public static final String SAVED_AT = "saved_at";
  public static final String SETTINGS_FINGERPRINT = "settings_fingerprint";
  public static final String TABLES_RESTORED = "tables_restored";

  /** {@code mean_<measure>} of segment_summary. */
  public static String meanOf(String measure) {
    return "mean_" + measure;
  }

  /** {@code median_<measure>} of segment_summary. */
  public static String medianOf(String measure) {
    return "median_" + measure;
  }
}
