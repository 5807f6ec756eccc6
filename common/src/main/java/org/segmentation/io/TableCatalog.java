package org.segmentation.io;

import static org.apache.spark.sql.types.DataTypes.BooleanType;
import static org.apache.spark.sql.types.DataTypes.DateType;
import static org.apache.spark.sql.types.DataTypes.DoubleType;
import static org.apache.spark.sql.types.DataTypes.IntegerType;
import static org.apache.spark.sql.types.DataTypes.LongType;
import static org.apache.spark.sql.types.DataTypes.StringType;
import static org.apache.spark.sql.types.DataTypes.TimestampType;
import static org.apache.spark.sql.types.DataTypes.createArrayType;
import static org.apache.spark.sql.types.DataTypes.createDecimalType;
import static org.apache.spark.sql.types.DataTypes.createMapType;
import static org.apache.spark.sql.types.DataTypes.createStructType;
import static org.segmentation.schema.Columns.AVERAGE_ORDER_VALUE;
import static org.segmentation.schema.Columns.CLUSTER_DISTANCE;
import static org.segmentation.schema.Columns.CLV_DECILE;
import static org.segmentation.schema.Columns.CLV_TIER;
import static org.segmentation.schema.Columns.EXPECTED_ORDER_VALUE;
import static org.segmentation.schema.Columns.EXPECTED_PURCHASES;
import static org.segmentation.schema.Columns.PREDICTED_CLV;
import static org.segmentation.schema.Columns.PURCHASE_DAYS;
import static org.segmentation.schema.Columns.REPEAT_PURCHASE_VALUE;
import static org.segmentation.schema.Columns.P_ALIVE;
import static org.segmentation.schema.Columns.CLUSTER_ID;
import static org.segmentation.schema.Columns.CLUSTER_NAME;
import static org.segmentation.schema.Columns.CLUSTER_PROBABILITY;
import static org.segmentation.schema.Columns.CUSTOMERS;
import static org.segmentation.schema.Columns.CUSTOMER_ID;
import static org.segmentation.schema.Columns.ENDED_AT;
import static org.segmentation.schema.Columns.FIRST_PURCHASE_DATE;
import static org.segmentation.schema.Columns.FREQUENCY;
import static org.segmentation.schema.Columns.FROM_SEGMENT;
import static org.segmentation.schema.Columns.F_SCORE;
import static org.segmentation.schema.Columns.HAS_PROFILE;
import static org.segmentation.schema.Columns.ID_OF_PREDICTION;
import static org.segmentation.schema.Columns.LAST_PURCHASE_DATE;
import static org.segmentation.schema.Columns.MODEL_PATH;
import static org.segmentation.schema.Columns.MONETARY;
import static org.segmentation.schema.Columns.MONEY;
import static org.segmentation.schema.Columns.M_SCORE;
import static org.segmentation.schema.Columns.NET_REVENUE;
import static org.segmentation.schema.Columns.PREVIOUS_RFM_SEGMENT;
import static org.segmentation.schema.Columns.PROFILE_ATTRIBUTES;
import static org.segmentation.schema.Columns.PREVIOUS_RUN_DATE;
import static org.segmentation.schema.Columns.REASON_CODES;
import static org.segmentation.schema.Columns.RECENCY_DAYS;
import static org.segmentation.schema.Columns.REVENUE;
import static org.segmentation.schema.Columns.RFM_SCORE;
import static org.segmentation.schema.Columns.RFM_SEGMENT;
import static org.segmentation.schema.Columns.RULE_SEGMENTS;
import static org.segmentation.schema.Columns.RUN_DATE;
import static org.segmentation.schema.Columns.RUN_ID;
import static org.segmentation.schema.Columns.R_SCORE;
import static org.segmentation.schema.Columns.SAVED_AT;
import static org.segmentation.schema.Columns.SETTINGS_FINGERPRINT;
import static org.segmentation.schema.Columns.SHARE_OF_CUSTOMERS;
import static org.segmentation.schema.Columns.SHARE_OF_REVENUE;
import static org.segmentation.schema.Columns.SILHOUETTE_BY_K;
import static org.segmentation.schema.Columns.SOURCE;
import static org.segmentation.schema.Columns.SOURCE_ROW;
import static org.segmentation.schema.Columns.STATUS;
import static org.segmentation.schema.Columns.TABLES_RESTORED;
import static org.segmentation.schema.Columns.TABLE_VERSIONS;
import static org.segmentation.schema.Columns.TO_SEGMENT;
import static org.segmentation.schema.Columns.meanOf;
import static org.segmentation.schema.Columns.medianOf;

import java.util.List;
import java.util.stream.Collectors;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;
import org.segmentation.io.TableSpec.Column;
import org.segmentation.schema.Columns;

/**
 * Every output table of the job, declared once: name, grain, partitioning and each column's type and meaning. The
 * writers check what they write against these declarations ({@link LakeTables}), the tests and {@code run-local.sh}
 * take the table list from here ({@code NightlySegmentsJob --list-tables}), and the data dictionary
 * {@code docs/tables.md} is generated from it (a test keeps it and the README's table list in step).
 */
public final class TableCatalog {
  private TableCatalog() {}

  /** Sums of money: a sum of decimal(20,4) is decimal(30,4), exact to the cent. */
  private static final DataType MONEY_SUM = createDecimalType(30, 4);
  private static final DataType NAMES = createArrayType(StringType);
  private static final DataType DOUBLE_BY_NAME = createMapType(StringType, DoubleType);
  private static final DataType DOUBLE_BY_K = createMapType(IntegerType, DoubleType);
  private static final DataType LONG_BY_NAME = createMapType(StringType, LongType);

  private static Column runDate() {
    return new Column(RUN_DATE, DateType, "the business day the run computed (partition column)");
  }

  /** The lifetime-value means of a group of customers (segment_summary, cluster_profiles). */
  private static Column meanPredictedClv() {
    return new Column(meanOf(PREDICTED_CLV), DoubleType, "mean predicted_clv; NULL without a lifetime-value model");
  }

  private static Column meanPAlive() {
    return new Column(meanOf(P_ALIVE), DoubleType, "mean p_alive; NULL without a lifetime-value model");
  }

  /** A buyer's figures over the RFM window (customer_segments, purchase_totals): each declared once. */
  private static Column firstPurchaseDate() {
    return new Column(FIRST_PURCHASE_DATE, DateType, "day of the first counted order in the window");
  }

  private static Column lastPurchaseDate() {
    return new Column(LAST_PURCHASE_DATE, DateType, "day of the last counted order in the window");
  }

  private static Column frequency() {
    return new Column(FREQUENCY, LongType, "counted orders (net amount above zero) in the window");
  }

  private static Column monetary() {
    return new Column(MONETARY, MONEY, "net revenue, or net revenue per counted order (rfm.monetary)");
  }

  private static Column netRevenue() {
    return new Column(NET_REVENUE, MONEY, "sum of all line amounts in the window, returns included");
  }

  private static Column purchaseDays() {
    return new Column(PURCHASE_DAYS, LongType, "days with a counted order in the window (minus one: the repeat "
        + "purchases x of the lifetime-value model)");
  }

  private static Column repeatPurchaseValue() {
    return new Column(REPEAT_PURCHASE_VALUE, DoubleType, "mean value of the purchase days after the first; NULL "
        + "without a repeat purchase");
  }

  public static final TableSpec CUSTOMER_SEGMENTS = new TableSpec("customer_segments", "customer and run date", true,
      List.of(
          runDate(),
          new Column(CUSTOMER_ID, StringType, "the customer's id as mapped from the inputs"),
          new Column(HAS_PROFILE, BooleanType, "whether the profiles input has the customer"),
          firstPurchaseDate(),
          lastPurchaseDate(),
          new Column(RECENCY_DAYS, IntegerType, "run date minus last_purchase_date; NULL without a counted order"),
          frequency(),
          monetary(),
          netRevenue(),
          purchaseDays(),
          repeatPurchaseValue(),
          new Column(R_SCORE, IntegerType, "recency score 1..score-bins (higher is more recent); NULL if unscored"),
          new Column(F_SCORE, IntegerType, "frequency score 1..score-bins; NULL if unscored"),
          new Column(M_SCORE, IntegerType, "monetary score 1..score-bins; NULL if unscored"),
          new Column(RFM_SCORE, StringType, "the three scores as one string, e.g. \"545\""),
          new Column(RFM_SEGMENT, StringType, "the first rfm.segments rule that matches, or rfm.no-purchase-segment"),
          new Column(PREVIOUS_RFM_SEGMENT, StringType, "rfm_segment in the previous published run; NULL if absent"),
          new Column(CLUSTER_ID, IntegerType, "cluster id, stable across refits; NULL without a counted order"),
          new Column(CLUSTER_NAME, StringType, "generated (or clustering.names) name of the cluster"),
          new Column(CLUSTER_DISTANCE, DoubleType, "KMeans / bisecting: distance to the centroid, scaled space"),
          new Column(CLUSTER_PROBABILITY, DoubleType, "GaussianMixture: probability of the assigned cluster"),
          new Column(P_ALIVE, DoubleType, "BG/NBD probability that the customer still buys (0.35: about one chance "
              + "in three that they will buy again); NULL without a purchase or lifetime-value model"),
          new Column(EXPECTED_PURCHASES, createMapType(IntegerType, DoubleType), "expected repeat purchase days in "
              + "the next N days, for each N of clv.horizons-days (expected_purchases[90])"),
          new Column(EXPECTED_ORDER_VALUE, DoubleType, "Gamma-Gamma expected value of a future purchase day"),
          new Column(PREDICTED_CLV, DoubleType, "margin x expected value x expected purchases over clv.clv-months "
              + "months, discounted monthly"),
          new Column(CLV_DECILE, IntegerType, "1..10 by predicted_clv among the night's customers (10 = top tenth)"),
          new Column(CLV_TIER, StringType, "the clv.tiers name of clv_decile"),
          new Column(RULE_SEGMENTS, NAMES, "names of the rule-segments whose condition holds"),
          new Column(Columns.PROSPECT_CLUSTER_ID, IntegerType, "a prospect's (a profile, no counted order) cluster on "
              + "profile features (prospect-clustering), stable across refits; NULL for buyers"),
          new Column(Columns.PROSPECT_CLUSTER_NAME, StringType, "generated (or prospect-clustering.names) name of the "
              + "prospect's cluster")),
      List.of(new Column(PROFILE_ATTRIBUTES, createStructType(new StructField[0]),
          "the attributes declared under inputs.profiles.attributes, one typed field each (the column exists once "
              + "attributes are declared; a field added later reads NULL in older rows)")));

  /**
   * customer_segments as this run writes it: with a {@code profile_attributes} struct of the declared attributes when
   * there are any.
   */
  public static TableSpec customerSegments(StructType profileAttributes) {
    return profileAttributes.isEmpty() ? CUSTOMER_SEGMENTS
        : CUSTOMER_SEGMENTS.withOptional(PROFILE_ATTRIBUTES, profileAttributes);
  }

  public static final TableSpec SEGMENT_SUMMARY = new TableSpec("segment_summary", "RFM segment and run date", true,
      List.of(
          runDate(),
          new Column(RFM_SEGMENT, StringType, "the segment"),
          new Column(CUSTOMERS, LongType, "customers in the segment"),
          new Column(SHARE_OF_CUSTOMERS, DoubleType, "customers / all customers of the run"),
          new Column(REVENUE, MONEY_SUM, "net revenue of the segment's customers"),
          new Column(SHARE_OF_REVENUE, DoubleType, "revenue / all revenue; NULL when all revenue is 0"),
          new Column(meanOf(RECENCY_DAYS), DoubleType, "mean recency_days"),
          new Column(medianOf(RECENCY_DAYS), DoubleType, "median recency_days (percentile_approx, accuracy 10,000)"),
          new Column(meanOf(FREQUENCY), DoubleType, "mean frequency"),
          new Column(medianOf(FREQUENCY), DoubleType, "median frequency"),
          new Column(meanOf(MONETARY), DoubleType, "mean monetary"),
          new Column(medianOf(MONETARY), DoubleType, "median monetary"),
          new Column(AVERAGE_ORDER_VALUE, DoubleType, "revenue / counted orders of the segment"),
          meanPredictedClv(), meanPAlive()));

  public static final TableSpec SEGMENT_TRANSITIONS = new TableSpec("segment_transitions",
      "(from, to) segment pair and run date", true,
      List.of(
          runDate(),
          new Column(PREVIOUS_RUN_DATE, DateType, "the previous published run date; NULL on the first run"),
          new Column(FROM_SEGMENT, StringType, "segment in the previous run, \"new\" if the customer was absent"),
          new Column(TO_SEGMENT, StringType, "segment in this run, \"gone\" if the customer is absent now"),
          new Column(CUSTOMERS, LongType, "customers who moved so"),
          new Column(REVENUE, MONEY_SUM, "their net revenue in this run (in the previous run for \"gone\")")));

  public static final TableSpec QUARANTINE = new TableSpec("quarantine", "rejected input row", true,
      List.of(
          runDate(),
          new Column(RUN_ID, StringType, "the run that rejected the row"),
          new Column(SOURCE, StringType, "the input: purchases, profiles, surveys, experiments or products"),
          new Column(REASON_CODES, NAMES, "why: missing_<col>, unparseable_<col>, amount_out_of_range, ..."),
          new Column(SOURCE_ROW, StringType, "the original row as JSON")));

  public static final TableSpec CLUSTER_PROFILES = new TableSpec("cluster_profiles",
      "population, cluster and run date", true,
      List.of(
          runDate(),
          new Column(CLUSTER_ID, IntegerType, "the cluster"),
          new Column(CLUSTER_NAME, StringType, "its name (generated from distinguishing features, or configured)"),
          new Column(CUSTOMERS, LongType, "customers in the cluster"),
          new Column(SHARE_OF_CUSTOMERS, DoubleType, "customers / clustered customers"),
          new Column("mean", DOUBLE_BY_NAME, "mean of each numeric feature"),
          new Column("median", DOUBLE_BY_NAME, "median of each numeric feature (percentile_approx)"),
          new Column("z_score", DOUBLE_BY_NAME, "(cluster mean - base mean) / base standard deviation; for a one-hot "
              + "feature, key feature=value: the same for the share of the cluster's most common value"),
          new Column("top_values", createMapType(StringType, StringType),
              "most common value of one-hot features, top 3 tags of multi-hot features"),
          new Column("distinguishing_features", NAMES, "the three features with the largest |z_score|"),
          new Column(SILHOUETTE_BY_K, DOUBLE_BY_K, "silhouette of each candidate k when the model was fitted"),
          meanPredictedClv(), meanPAlive(),
          new Column(Columns.POPULATION, StringType, "buyers (customer_segments.cluster_id) or prospects "
              + "(prospect_cluster_id, profile features only); NULL in rows written before prospects were clustered: "
              + "buyers")));

  public static final TableSpec CLV_MODEL = new TableSpec("clv_model", "run date",
      true,
      List.of(
          runDate(),
          new Column(RUN_ID, StringType, "the run"),
          new Column(STATUS, StringType, "fitted | reused (parameters of an earlier fit, under clv.refit-every-days) "
              + "| kept_last_good (the fit failed; the latest good parameters scored) | skipped (columns NULL)"),
          new Column("message", StringType, "why the fit failed or was skipped; NULL when fitted or reused"),
          new Column("parameters_from", DateType, "run date of the fit whose parameters scored the night"),
          new Column("time_unit", StringType, "days or weeks: the unit of t_x, T and alpha"),
          new Column("r", DoubleType, "BG/NBD: shape of the purchase-rate Gamma"),
          new Column("alpha", DoubleType, "BG/NBD: scale of the purchase-rate Gamma, in time_unit"),
          new Column("a", DoubleType, "BG/NBD: first shape of the drop-out Beta"),
          new Column("b", DoubleType, "BG/NBD: second shape of the drop-out Beta"),
          new Column("bgnbd_log_likelihood", DoubleType, "BG/NBD log-likelihood of the fitted customers"),
          new Column("bgnbd_converged", BooleanType, "whether the BG/NBD fit converged to an interior maximum"),
          new Column("bgnbd_evaluations", IntegerType, "likelihood evaluations of the BG/NBD fit"),
          new Column("p", DoubleType, "Gamma-Gamma: shape of the per-purchase value Gamma"),
          new Column("q", DoubleType, "Gamma-Gamma: shape of the customers' scale Gamma"),
          new Column("gamma", DoubleType, "Gamma-Gamma: scale of the customers' scale Gamma (currency)"),
          new Column("gamma_gamma_log_likelihood", DoubleType, "Gamma-Gamma log-likelihood of the repeat buyers"),
          new Column("gamma_gamma_converged", BooleanType, "whether the Gamma-Gamma fit converged"),
          new Column("gamma_gamma_evaluations", IntegerType, "likelihood evaluations of the Gamma-Gamma fit"),
          new Column(CUSTOMERS, LongType, "customers with a purchase the BG/NBD fit read"),
          new Column("repeat_customers", LongType, "customers with a repeat purchase the Gamma-Gamma fit read"),
          new Column("histories", LongType, "distinct (x, t_x, T) histories the BG/NBD likelihood summed over"),
          new Column("sampled", BooleanType, "whether the fit read a sample of the customers (clv.max-fit-points)"),
          new Column("fit_seconds", DoubleType, "seconds of the fit: aggregation and optimisation"),
          new Column(SETTINGS_FINGERPRINT, StringType, "SHA-256 prefix of the clv settings the parameters depend on"),
          new Column(SAVED_AT, TimestampType, "when the row was made")));

  public static final TableSpec AUDIENCE_MEMBERS = new TableSpec("audience_members", "audience, customer and run date",
      true,
      List.of(
          runDate(),
          new Column(Columns.AUDIENCE, StringType, "the audience (audiences.lists)"),
          new Column(CUSTOMER_ID, StringType, "a member"),
          new Column(Columns.ARM, StringType, "treatment (exported) or control (the holdout, never exported): a "
              + "function of SHA-256(holdout-salt:holdout-key:customer_id), stable across nights and reruns"),
          new Column(Columns.JOINED_ON, DateType, "first run date of the member's current unbroken membership "
              + "(carried from the previous published night)"),
          new Column(Columns.REASON_FIELDS, createMapType(StringType, StringType), "values, as text, of the columns "
              + "the filter and order-by read and of the audience's export fields"),
          new Column(Columns.DESTINATIONS, NAMES, "destinations the member is exported to tonight: the treatment "
              + "arm, where the destination's consent column is true; empty for the control arm")));

  public static final TableSpec AUDIENCE_CHANGES = new TableSpec("audience_changes",
      "audience, customer and run date (members who joined or left)", true,
      List.of(
          runDate(),
          new Column(PREVIOUS_RUN_DATE, DateType, "the published night compared with; NULL on an audience's first"),
          new Column(Columns.AUDIENCE, StringType, "the audience"),
          new Column(CUSTOMER_ID, StringType, "the customer"),
          new Column(Columns.CHANGE, StringType, "added (a member tonight, not the night before) or removed"),
          new Column(Columns.ARM, StringType, "the customer's arm in the audience")));

  public static final TableSpec EXPERIMENT_RESULTS = new TableSpec("experiment_results",
      "run date, experiment, variant against control, metric and cell of a breakdown", true,
      List.of(
          runDate(),
          new Column(Columns.EXPERIMENT, StringType, "the experiment"),
          new Column(Columns.VARIANT, StringType, "the variant compared with control"),
          new Column(Columns.CONTROL_VARIANT, StringType, "the control variant (the holdout of an audience)"),
          new Column(Columns.METRIC, StringType, "the metric; a binary one is the share of members with 1"),
          new Column(Columns.BREAKDOWN, StringType, "the column whose value is the cell, as it stood at assignment; "
              + "'all' for the whole experiment"),
          new Column(Columns.CELL, StringType, "the breakdown's value; '(unknown)' where it was NULL"),
          new Column(Columns.CONTROL_N, LongType, "control members with a value of the metric"),
          new Column(Columns.CONTROL_MEAN, DoubleType, "the metric's mean in control; NULL when control is empty"),
          new Column(Columns.VARIANT_N, LongType, "variant members with a value of the metric"),
          new Column(Columns.VARIANT_MEAN, DoubleType, "the metric's mean in the variant; NULL when it is empty"),
          new Column(Columns.ABSOLUTE_LIFT, DoubleType, "variant mean − control mean; NULL without a statistic "
              + "(an arm with fewer than two members, or no variation in either)"),
          new Column(Columns.lowOf(Columns.ABSOLUTE_LIFT), DoubleType, "lower bound of Welch's interval at the "
              + "confidence (Welch–Satterthwaite degrees of freedom)"),
          new Column(Columns.highOf(Columns.ABSOLUTE_LIFT), DoubleType, "upper bound of Welch's interval"),
          new Column(Columns.RELATIVE_LIFT, DoubleType, "absolute lift / control mean; NULL when that mean is 0"),
          new Column(Columns.lowOf(Columns.RELATIVE_LIFT), DoubleType, "lower bound (delta method, same degrees of "
              + "freedom)"),
          new Column(Columns.highOf(Columns.RELATIVE_LIFT), DoubleType, "upper bound (delta method)"),
          new Column(Columns.P_VALUE, DoubleType, "two-sided p-value of Welch's t for the absolute lift"),
          new Column(Columns.Q_VALUE, DoubleType, "Benjamini–Hochberg q-value across the breakdown's cells (for "
              + "this experiment, variant and metric); a cell is significant when it is below 1 − confidence"),
          new Column(Columns.CUPED_ABSOLUTE_LIFT, DoubleType, "the absolute lift after CUPED with the metric's "
              + "pre-period covariate; NULL without one"),
          new Column(Columns.lowOf(Columns.CUPED_ABSOLUTE_LIFT), DoubleType, "lower bound of its Welch interval"),
          new Column(Columns.highOf(Columns.CUPED_ABSOLUTE_LIFT), DoubleType, "upper bound of its Welch interval"),
          new Column(Columns.CUPED_P_VALUE, DoubleType, "two-sided p-value of the CUPED-adjusted lift"),
          new Column(Columns.VARIANCE_REDUCTION, DoubleType, "1 − Var(CUPED lift) / Var(lift): the share of the "
              + "variance the covariate removed"),
          new Column(Columns.CONFIDENCE, DoubleType, "the intervals' confidence level"),
          new Column(Columns.WINDOW_COMPLETE, BooleanType, "whether every member's outcome window had ended by the "
              + "run date (figures of an open window still move)"),
          new Column(Columns.SRM_P_VALUE, DoubleType, "the experiment's sample-ratio check: χ² p-value of the "
              + "members per variant against the configured shares (the same on every row of the experiment)"),
          new Column(Columns.SRM_FLAG, BooleanType, "true when that p-value is below 0.001: the split is not the "
              + "configured one, and every figure of the experiment is suspect"),
          new Column(Columns.INCREMENTAL_REVENUE, DoubleType, "revenue rows: absolute lift x the variant's members, "
              + "the revenue the campaign added in the cell; NULL on other metrics or without a statistic"),
          new Column(Columns.lowOf(Columns.INCREMENTAL_REVENUE), DoubleType, "from the lift's lower bound"),
          new Column(Columns.highOf(Columns.INCREMENTAL_REVENUE), DoubleType, "from the lift's upper bound"),
          new Column(Columns.CAMPAIGN_COST, DoubleType, "revenue rows, with experiments.costs: the contacts' cost "
              + "of the variant's members in the cell plus their share of the campaign's fixed cost"),
          new Column(Columns.ROI, DoubleType, "(incremental revenue x clv.margin − cost) / cost; NULL without a "
              + "cost"),
          new Column(Columns.lowOf(Columns.ROI), DoubleType, "from the incremental revenue's lower bound"),
          new Column(Columns.highOf(Columns.ROI), DoubleType, "from the incremental revenue's upper bound")));

  public static final TableSpec CLUSTER_MODELS = new TableSpec("cluster_models", "saved clustering model (buyers' or prospects')", false,
      List.of(
          new Column(RUN_DATE, DateType, "the run date the model was fitted for"),
          new Column(MODEL_PATH, StringType, "the MLlib PipelineModel: models/clustering/<run_date>/<run_id> "
              + "(buyers) or models/prospect_clustering/... (prospects)"),
          new Column(ID_OF_PREDICTION, createArrayType(IntegerType), "published cluster id of each prediction"),
          new Column(SILHOUETTE_BY_K, DOUBLE_BY_K, "silhouette of each candidate k"),
          new Column(RUN_ID, StringType, "the run that fitted it"),
          new Column(SAVED_AT, TimestampType, "when it was saved"),
          new Column(SETTINGS_FINGERPRINT, StringType, "SHA-256 prefix of the clustering settings it was fitted "
              + "with; a model is reused only by runs with the same (and only when its run was published)")));

  public static final TableSpec PROPENSITY_MODELS = new TableSpec("propensity_models", "saved propensity model",
      false,
      List.of(
          new Column(RUN_DATE, DateType, "the run date the model was fitted for"),
          new Column(MODEL_PATH, StringType, "the MLlib PipelineModel (preparation, learner, calibration): "
              + "models/propensity/<run_date>/<run_id>_<model>"),
          new Column(Columns.MODEL, StringType, "the model (propensity.models[].name)"),
          new Column(Columns.LEARNER, StringType, "the learner chosen"),
          new Column(RUN_ID, StringType, "the run that fitted it"),
          new Column(SAVED_AT, TimestampType, "when it was saved"),
          new Column(SETTINGS_FINGERPRINT, StringType, "SHA-256 prefix of the model's settings; reused only by runs "
              + "with the same (and only when its run was published)")));

  public static final TableSpec RUN_LOG = new TableSpec("run_log", "run", false,
      List.of(
          new Column(RUN_ID, StringType, "the run's id (also the userMetadata of its Delta commits)"),
          new Column(RUN_DATE, DateType, "the business day computed"),
          new Column(STATUS, StringType, "published or failed; a published row marks the date published"),
          new Column("exit_code", IntegerType, "the process exit status: 0, 1, 2 or 3"),
          new Column("started_at", TimestampType, "when the job started"),
          new Column(ENDED_AT, TimestampType, "when the row was written"),
          new Column("reason", StringType, "failure reason code (configuration, data_quality, ...)"),
          new Column("message", StringType, "first line of the failure message"),
          new Column("rows_read", LONG_BY_NAME, "rows read per input"),
          new Column("rows_accepted", LONG_BY_NAME, "rows accepted per input"),
          new Column("rows_quarantined", LONG_BY_NAME, "rows quarantined per input (read = accepted + quarantined)"),
          new Column("rows_written", LONG_BY_NAME, "rows written per output table"),
          new Column("input_versions", createMapType(StringType, StringType), "Delta version read per Delta "
              + "input; for a Parquet folder the mark of its files read (files:<count>:<bytes>:<newest ms>:<sha256>, "
              + "docs/incremental.md)"),
          new Column(TABLE_VERSIONS, LONG_BY_NAME, "Delta version of each table holding this run's rows"),
          new Column("config_fingerprint", StringType,
              "SHA-256 prefix of the effective configuration but for the settings no figure depends on (the lake's "
                  + "root, the run block, spark.master, the Spark properties that size the work): a night updates the "
                  + "purchase state, and a backfill skips a published date, only under the same"),
          new Column("profile_match", LONG_BY_NAME,
              "buyers_with_profile, buyers_without_profile, profiles_without_purchases (with a profiles input)"),
          new Column("rows_skipped", LONG_BY_NAME,
              "rows skipped per input: purchases without a customer, with quality.purchases-without-customer = skip "
                  + "(read = accepted + quarantined + skipped)"),
          new Column(TABLES_RESTORED, LONG_BY_NAME, "table@run_date put back by this run, with the Delta version "
              + "of the restore (the date's rows as its last published run recorded them): a killed run's leftovers "
              + "repaired at the start, and a failed run's own writes"),
          new Column("summary_json", StringType, "the run in one line of JSON: status, seconds, and per step its "
              + "seconds and Spark task totals (records read and written, shuffle bytes, spill)"),
          new Column("report_path", StringType, "the night's HTML report (report.root/<run_date>.html); NULL when "
              + "report.enabled is false or the run failed")));

  /** Every table, in the order a run publishes them (run_log last). */
  public static final TableSpec SEGMENT_KPIS = new TableSpec("segment_kpis",
      "run date and cell of a breakdown (RFM segment, cluster, CLV tier)", true,
      List.of(
          runDate(),
          new Column(Columns.BREAKDOWN, StringType, "the customer_segments column whose value is the cell; 'all' for "
              + "every customer"),
          new Column(Columns.CELL, StringType, "the breakdown's value; '(unknown)' where it is NULL"),
          new Column(CUSTOMERS, LongType, "customers in the cell"),
          new Column(REVENUE, MONEY_SUM, "net revenue of the cell's customers (customer_segments.net_revenue)"),
          new Column(Columns.CONVERSION, DoubleType, "share of the cell's customers with a counted order in the "
              + "last kpis.conversion-days days"),
          meanPredictedClv(),
          new Column(Columns.ANSWERS, LongType, "survey answers of the cell's customers in the last "
              + "kpis.survey-days days (0 without a surveys input)"),
          new Column(Columns.CSAT, DoubleType, "% of those answers that are satisfied (4 or 5 of 5); NULL without "
              + "answers or on the NPS scale"),
          new Column(Columns.NPS, DoubleType, "% promoters (9-10) - % detractors (0-6) of those answers; NULL "
              + "without answers or on the CSAT scale")));

  public static final TableSpec CUSTOMER_PROPENSITY = new TableSpec("customer_propensity",
      "run date, model and customer", true,
      List.of(
          runDate(),
          new Column(Columns.MODEL, StringType, "the model (propensity.models[].name)"),
          new Column(CUSTOMER_ID, StringType, "the customer"),
          new Column(Columns.PROPENSITY, DoubleType, "the calibrated probability of the model's label: 0.2 is a "
              + "one-in-five chance (propensity_model_metrics says how well it ranks and keeps its word)"),
          new Column(Columns.PROPENSITY_DECILE, IntegerType, "1 = the tenth of tonight's customers with the highest "
              + "propensity, 10 = the lowest"),
          new Column(RUN_ID, StringType, "the run that fitted the model (the model's version)")));

  public static final TableSpec PROPENSITY_MODEL_METRICS = new TableSpec("propensity_model_metrics",
      "run date and model", true,
      List.of(
          runDate(),
          new Column(Columns.MODEL, StringType, "the model"),
          new Column("label", StringType, "what the model predicts, in words"),
          new Column(STATUS, StringType, "fitted | reused (a saved model under propensity.refit-every-days) | "
              + "kept_last_good (the refit failed; the latest good model scored) | skipped (no model: no scores)"),
          new Column("message", StringType, "why the fit failed or was skipped; NULL when fitted or reused"),
          new Column("fitted_for", DateType, "run date of the fit whose model scored the night"),
          new Column(Columns.LEARNER, StringType, "logistic_regression | gradient_boosted_trees: the better "
              + "cross-validated AUC"),
          new Column("cross_validated_auc", DOUBLE_BY_NAME, "each learner's mean AUC over the folds of the training "
              + "customers; empty with one learner (propensity.trees = 0), which is not cross-validated"),
          new Column("training_customers", LongType, "customers the learner and the calibration were fitted on"),
          new Column("training_positives", LongType, "of which with the label"),
          new Column("evaluation_customers", LongType, "held-out customers (a seeded hash of the id): every figure "
              + "below is theirs"),
          new Column("evaluation_positives", LongType, "of which with the label"),
          new Column(Columns.AUC, DoubleType, "area under the ROC curve: the chance that a customer with the label "
              + "scores above one without (0.5 is a coin)"),
          new Column(Columns.lowOf(Columns.AUC), DoubleType, "lower bound of the AUC's bootstrap interval "
              + "(propensity.confidence)"),
          new Column(Columns.highOf(Columns.AUC), DoubleType, "upper bound of the AUC's bootstrap interval"),
          new Column("expected_calibration_error", DoubleType, "customer-weighted mean |predicted - observed| over "
              + "the deciles: how far a score is from the rate it promises"),
          // nullable struct fields: Delta refuses NOT NULL inside an array
          new Column(Columns.DECILES, createArrayType(createStructType(List.of(
              DataTypes.createStructField("decile", IntegerType, true),
              DataTypes.createStructField(CUSTOMERS, LongType, true),
              DataTypes.createStructField("positives", LongType, true),
              DataTypes.createStructField("mean_propensity", DoubleType, true),
              DataTypes.createStructField("observed_rate", DoubleType, true),
              DataTypes.createStructField("lift", DoubleType, true),
              DataTypes.createStructField("cumulative_gain", DoubleType, true)))),
              "per tenth of the held-out customers by score (1 = highest): predicted against observed rate "
              + "(calibration), lift over the base rate and the share of all positives found down to it (gain)"),
          new Column(Columns.FEATURE_WEIGHTS, DOUBLE_BY_NAME, "logistic regression: log-odds per standard deviation "
              + "of a numeric feature, or of a category's value; trees: importance shares summing to 1"),
          new Column(RUN_ID, StringType, "the run that fitted the model")));

  public static final TableSpec CUSTOMER_UPLIFT = new TableSpec("customer_uplift", "run date, model and customer",
      true,
      List.of(
          runDate(),
          new Column(Columns.MODEL, StringType, "the model (uplift.models[].name)"),
          new Column(CUSTOMER_ID, StringType, "the customer"),
          new Column(Columns.UPLIFT_SCORE, DoubleType, "what contacting the customer is predicted to change in the "
              + "model's outcome (a conversion probability, or revenue), the best variant's: above 0 persuadable, "
              + "about 0 buys anyway or never, below 0 put off"),
          new Column(Columns.UPLIFT_BY_VARIANT, DOUBLE_BY_NAME, "the score of each variant against the control"),
          new Column(Columns.BEST_VARIANT, StringType, "the variant with the highest score; the control when no "
              + "variant's score is above 0 (leave the customer alone)"),
          new Column(Columns.UPLIFT_DECILE, IntegerType, "1 = the tenth of tonight's customers with the highest "
              + "score, 10 = the lowest"),
          new Column(Columns.TARGETED, BooleanType, "among the customers the budgeted targeting contacts (the "
              + "highest scores, up to uplift_model_metrics.contact_share); NULL without contact-cost and value"),
          new Column(RUN_ID, StringType, "the run that fitted the model (the model's version)")));

  public static final TableSpec UPLIFT_MODEL_METRICS = new TableSpec("uplift_model_metrics",
      "run date, model and variant", true,
      List.of(
          runDate(),
          new Column(Columns.MODEL, StringType, "the model"),
          new Column(Columns.VARIANT, StringType, "the variant measured against the control"),
          new Column(Columns.AUDIENCE, StringType, "the audience whose experiment the model learns from; NULL for an "
              + "experiment of inputs.experiments"),
          new Column(Columns.EXPERIMENT, StringType, "the experiment of inputs.experiments (run in another tool) the "
              + "model learns from; NULL for an audience's"),
          new Column("outcome", StringType, "converted | revenue (an audience's experiment), or the metric of "
              + "experiments.external.metrics"),
          new Column(STATUS, StringType, "fitted | reused (a saved model under uplift.refit-every-days) | "
              + "kept_last_good (the refit failed; the latest good model scored) | skipped (no model: no scores)"),
          new Column("message", StringType, "why the fit failed or was skipped; NULL when fitted or reused"),
          new Column("fitted_for", DateType, "run date of the fit whose model scored the night"),
          new Column(Columns.LEARNER, StringType, "two_models_<base> (one model per arm) or class_transformation_"
              + "<base>, base logistic_regression, linear_regression or gradient_boosted_trees: the best Qini "
              + "coefficient on the validation members"),
          new Column("validation_qini", DOUBLE_BY_NAME, "each learner's Qini coefficient on the validation members; "
              + "empty when the model was reused"),
          new Column("experiment_members", LongType, "members of the experiment with features at its start (an "
              + "audience's: with a closed attribution window): what the model learns from and is measured on"),
          new Column("evaluation_members", LongType, "held out (a seeded hash of the id, stratified by arm): every "
              + "figure below is theirs"),
          new Column("average_effect", DoubleType, "the lift over all held-out members (variant mean - control mean)"),
          new Column(Columns.QINI_COEFFICIENT, DoubleType, "the area between the Qini curve and the random ranking's "
              + "line: 0 = no better than random; in outcome units per treated member"),
          new Column(Columns.lowOf(Columns.QINI_COEFFICIENT), DoubleType, "lower bound of its bootstrap interval "
              + "(uplift.confidence)"),
          new Column(Columns.highOf(Columns.QINI_COEFFICIENT), DoubleType, "upper bound"),
          new Column("normalised_qini", DoubleType, "the coefficient as a share of the best possible ranking's "
              + "(conversions only)"),
          new Column("auuc", DoubleType, "the area under the Qini curve"),
          new Column(Columns.lowOf("auuc"), DoubleType, "lower bound of its bootstrap interval"),
          new Column(Columns.highOf("auuc"), DoubleType, "upper bound"),
          new Column("random_auuc", DoubleType, "the area under the random ranking's line: the baseline"),
          new Column(Columns.lowOf("random_auuc"), DoubleType, "lower bound of its bootstrap interval"),
          new Column(Columns.highOf("random_auuc"), DoubleType, "upper bound"),
          new Column("uplift_at", createArrayType(createStructType(List.of(
              DataTypes.createStructField("percent", IntegerType, true),
              DataTypes.createStructField("share", DoubleType, true),
              DataTypes.createStructField("members", LongType, true),
              DataTypes.createStructField("top", DoubleType, true),
              DataTypes.createStructField("top_low", DoubleType, true),
              DataTypes.createStructField("top_high", DoubleType, true),
              DataTypes.createStructField("rest", DoubleType, true),
              DataTypes.createStructField("rest_low", DoubleType, true),
              DataTypes.createStructField("rest_high", DoubleType, true)))),
              "uplift at k = 10, 20 ... 100 %: the lift measured among the top k % of held-out members by score, "
              + "and among the rest, with intervals"),
          new Column("qini_curve", createArrayType(createStructType(List.of(
              DataTypes.createStructField("share", DoubleType, true),
              DataTypes.createStructField("qini", DoubleType, true),
              DataTypes.createStructField("lift", DoubleType, true)))),
              "the Qini curve at each score group (about a hundredth of the members): incremental outcomes per "
              + "treated member found in the top share, and the lift there"),
          new Column("perfect_curve", createArrayType(createStructType(List.of(
              DataTypes.createStructField("share", DoubleType, true),
              DataTypes.createStructField("qini", DoubleType, true)))),
              "the best possible ranking's Qini curve (conversions only)"),
          new Column("contact_share", DoubleType, "budgeted targeting: the share of customers, highest scores "
              + "first, whose contact maximises the expected incremental profit; NULL without contact-cost and value"),
          new Column("contact_customers", LongType, "how many of tonight's customers that is"),
          new Column("expected_profit", DoubleType, "the expected incremental profit of contacting them: "
              + "customers x (value x measured lift - contact-cost)"),
          new Column("profit_curve", createArrayType(createStructType(List.of(
              DataTypes.createStructField("share", DoubleType, true),
              DataTypes.createStructField(CUSTOMERS, LongType, true),
              DataTypes.createStructField("profit", DoubleType, true)))),
              "the expected profit at each share contacted"),
          new Column(RUN_ID, StringType, "the run that fitted the model")));

  public static final TableSpec UPLIFT_MODELS = new TableSpec("uplift_models", "saved uplift model", false,
      List.of(
          new Column(RUN_DATE, DateType, "the run date the model was fitted for"),
          new Column(MODEL_PATH, StringType, "the MLlib PipelineModel (preparation and the arms' models): "
              + "models/uplift/<run_date>/<run_id>_<model>"),
          new Column(Columns.MODEL, StringType, "the model (uplift.models[].name)"),
          new Column(Columns.LEARNER, StringType, "the learner chosen"),
          new Column("control", StringType, "the control arm"),
          new Column("variants", createArrayType(StringType), "the variants scored against it"),
          new Column("outcome", StringType, "converted | revenue"),
          new Column(RUN_ID, StringType, "the run that fitted it"),
          new Column(SAVED_AT, TimestampType, "when it was saved"),
          new Column(SETTINGS_FINGERPRINT, StringType, "SHA-256 prefix of the model's settings; reused only by runs "
              + "with the same (and only when its run was published)")));

  public static final TableSpec SEGMENT_AFFINITY = new TableSpec("segment_affinity",
      "run date, dimension, segment, item column and item", true,
      List.of(
          runDate(),
          new Column(Columns.DIMENSION, StringType, "the customer_segments column whose values are the "
              + "segments (affinity.dimensions): rfm_segment, cluster_name, clv_tier ..."),
          new Column(Columns.SEGMENT, StringType, "the segment (the column's value, as text)"),
          new Column(Columns.ITEM_COLUMN, StringType, "product_category or product_id (affinity.segment-items)"),
          new Column(Columns.ITEM, StringType, "the category or product"),
          new Column(Columns.SEGMENT_BUYERS, LongType, "the segment's customers with at least one line of "
              + "an item (of any)"),
          new Column(Columns.BUYERS, LongType, "of whom bought this item (0: nobody did)"),
          new Column(Columns.BUYER_SHARE, DoubleType, "buyers / segment_buyers"),
          new Column(Columns.BASE_BUYER_SHARE, DoubleType, "the same share over every buyer of the "
              + "dimension: the whole base"),
          new Column(Columns.BUYER_INDEX, DoubleType, "buyer_share / base_buyer_share: 1 = like everyone, "
              + "2 = twice as often"),
          new Column(REVENUE, MONEY, "the segment's sales of the item (returns and affinity.exclude left out)"),
          new Column(Columns.REVENUE_SHARE, DoubleType, "the item's share of the segment's sales"),
          new Column(Columns.BASE_REVENUE_SHARE, DoubleType, "the item's share of the whole base's sales"),
          new Column(Columns.REVENUE_INDEX, DoubleType, "revenue_share / base_revenue_share"),
          new Column(Columns.EXPECTED_BUYERS, DoubleType, "buyers expected if the segment bought like "
              + "everyone: row total x column total / table total of the segment x item table of buyers"),
          new Column(Columns.PEARSON_RESIDUAL, DoubleType, "(buyers - expected) / sqrt(expected): beyond "
              + "+/-2 the difference is unlikely to be chance"),
          new Column(Columns.SUPPORTED, BooleanType, "at least affinity.min-customers buyers: tiny cells "
              + "are kept but neither ranked nor flagged over-indexed"),
          new Column(Columns.OVER_INDEXED, BooleanType, "supported and pearson_residual > 2: what the "
              + "segment buys more than everyone, beyond chance"),
          new Column(Columns.UNDER_INDEXED, BooleanType, "at least affinity.min-customers buyers expected "
              + "and pearson_residual < -2"),
          new Column(Columns.INDEX_RANK, IntegerType, "1 = the segment's supported item with the highest "
              + "buyer_index; NULL when not supported"),
          new Column(RUN_ID, StringType, "the run that wrote the row")));

  public static final TableSpec PRODUCT_RULES = new TableSpec("product_rules",
      "run date and rule (antecedent => consequent)", true,
      List.of(
          runDate(),
          new Column(Columns.ITEM_COLUMN, StringType, "product_category or product_id (affinity.item)"),
          new Column(Columns.BASKET, StringType, "order (bought together) or customer (bought by the same "
              + "customers): affinity.rules.basket"),
          new Column(Columns.ANTECEDENT, NAMES, "the items of the rule's left side, sorted"),
          new Column(Columns.CONSEQUENT, StringType, "the item its buyers also buy"),
          new Column(Columns.BASKETS, LongType, "baskets holding every item of the rule (at least "
              + "affinity.rules.min-baskets)"),
          new Column(Columns.SUPPORT, DoubleType, "baskets / all baskets"),
          new Column(Columns.CONFIDENCE, DoubleType, "P(consequent | antecedent): of the baskets with the "
              + "antecedent, the share that also hold the consequent"),
          new Column(Columns.LIFT, DoubleType, "confidence / P(consequent): 1 = independent, above 1 bought "
              + "together more than by chance"),
          new Column(Columns.STANDARDISED_LIFT, DoubleType, "the lift rescaled between the least and the most "
              + "the two sides' supports allow (McNicholas et al. 2008): 1 = as strong as possible; NULL where the "
              + "supports leave no room"),
          new Column(Columns.ANTECEDENT_SUPPORT, DoubleType, "P(antecedent)"),
          new Column(Columns.CONSEQUENT_SUPPORT, DoubleType, "P(consequent)"),
          new Column(RUN_ID, StringType, "the run that wrote the row")));

  public static final TableSpec NEXT_BEST_PRODUCTS = new TableSpec("next_best_products", "run date and customer",
      true,
      List.of(
          runDate(),
          new Column(CUSTOMER_ID, StringType, "the customer (every customer with a segment of "
              + "affinity.recommendations.segment)"),
          new Column(Columns.NEXT_BEST_PRODUCTS, NAMES, "up to affinity.recommendations.count items the customer "
              + "has not bought, best first (an audience may export it: array_join(next_best_products, '|'))"),
          new Column(Columns.RECOMMENDER, StringType, "als | segment_popularity: the recommender of this list "
              + "(customers with too little history get their segment's, whatever was exported)"),
          new Column(Columns.ITEM_COLUMN, StringType, "product_category or product_id (affinity.item)"),
          new Column(RUN_ID, StringType, "the run that wrote the row")));

  public static final TableSpec PURCHASE_STATE = new TableSpec("purchase_state",
      "run date, customer, order, day and product category of its lines", true,
      List.of(
          runDate(),
          new Column(CUSTOMER_ID, StringType, "the customer"),
          new Column(Columns.ORDER_ID, StringType, "the order"),
          new Column(Columns.PURCHASE_DAY, DateType, "the day of its lines (order_ts in segments.time-zone): an order "
              + "with lines on two days (a later return) has a row per day"),
          new Column(Columns.PRODUCT_CATEGORY, StringType, "the product category of its lines (NULL: lines "
              + "without one)"),
          new Column(Columns.AMOUNT, MONEY_SUM, "the sum of those lines' amounts"),
          new Column(Columns.LINES, LongType, "how many lines (every row has at least one)"),
          new Column(Columns.RETURN_LINES, LongType, "of them, lines with a negative amount"),
          new Column(Columns.SHARE_LINES, LONG_BY_NAME, "of them, per features.shares feature, the lines with its "
              + "value (a feature without such a line has no key)")),
      List.of(),
      List.of(new Column(Columns.CATEGORY_LINES, LONG_BY_NAME, "until 2026-12: per product category, the lines of "
          + "it, in a row per customer, order and day; a night after such a state recomputes in full")));

  public static final TableSpec PURCHASE_TOTALS = new TableSpec("purchase_totals", "run date and customer", true,
      List.of(
          runDate(),
          new Column(CUSTOMER_ID, StringType, "a customer with purchase lines in the window"),
          firstPurchaseDate(),
          lastPurchaseDate(),
          frequency(),
          monetary(),
          netRevenue(),
          purchaseDays(),
          repeatPurchaseValue(),
          new Column(Columns.DISTINCT_CATEGORIES, LongType, "distinct product categories of the window's lines"),
          new Column(Columns.RETURN_RATE, DoubleType, "share of the window's lines with a negative amount"),
          new Column(Columns.LINE_SHARES, DOUBLE_BY_NAME, "per features.shares feature, the share of the window's "
              + "lines with its value")));

  public static final TableSpec RECOMMENDATION_METRICS = new TableSpec("recommendation_metrics",
      "run date and recommender", true,
      List.of(
          runDate(),
          new Column(Columns.RECOMMENDER, StringType, "als (with cold customers on their segment's list, as "
              + "exported) | segment_popularity | popularity: the two baselines a merchandiser would use"),
          new Column(Columns.ITEM_COLUMN, StringType, "product_category or product_id (affinity.item)"),
          new Column("k", IntegerType, "the length of the lists measured (affinity.recommendations.count)"),
          new Column("fitted_through", DateType, "the test's cut-off: fitted on the lines up to this day"),
          new Column("evaluation_days", IntegerType, "measured on the days after it, up to the run date"),
          new Column(Columns.EVALUATION_CUSTOMERS, LongType, "customers who bought an item for the first time in "
              + "those days: every figure below averages over them"),
          new Column(Columns.MAP_AT_K, DoubleType, "mean average precision at k: hits, and how high they rank"),
          new Column(Columns.lowOf(Columns.MAP_AT_K), DoubleType, "lower bound of its bootstrap interval "
              + "(affinity.recommendations.confidence)"),
          new Column(Columns.highOf(Columns.MAP_AT_K), DoubleType, "upper bound"),
          new Column(Columns.PRECISION_AT_K, DoubleType, "the share of the k items that were bought"),
          new Column(Columns.lowOf(Columns.PRECISION_AT_K), DoubleType, "lower bound"),
          new Column(Columns.highOf(Columns.PRECISION_AT_K), DoubleType, "upper bound"),
          new Column(Columns.RECALL_AT_K, DoubleType, "the share of the items bought that were among the k"),
          new Column(Columns.lowOf(Columns.RECALL_AT_K), DoubleType, "lower bound"),
          new Column(Columns.highOf(Columns.RECALL_AT_K), DoubleType, "upper bound"),
          new Column(Columns.HIT_RATE_AT_K, DoubleType, "the share of customers who bought at least one of the k"),
          new Column(Columns.lowOf(Columns.HIT_RATE_AT_K), DoubleType, "lower bound"),
          new Column(Columns.highOf(Columns.HIT_RATE_AT_K), DoubleType, "upper bound"),
          new Column("exported", BooleanType, "this recommender's lists are tonight's next_best_products: als when "
              + "its map_at_k beats segment_popularity's (or affinity.recommendations.export-baseline-unless-better "
              + "is off), otherwise segment_popularity"),
          new Column(RUN_ID, StringType, "the run that wrote the row")));

  public static final List<TableSpec> ALL = List.of(CUSTOMER_SEGMENTS, SEGMENT_SUMMARY, SEGMENT_TRANSITIONS,
      QUARANTINE, CLUSTER_PROFILES, CLV_MODEL, AUDIENCE_MEMBERS, AUDIENCE_CHANGES, EXPERIMENT_RESULTS, SEGMENT_KPIS,
      CUSTOMER_PROPENSITY, PROPENSITY_MODEL_METRICS, CUSTOMER_UPLIFT, UPLIFT_MODEL_METRICS, SEGMENT_AFFINITY,
      PRODUCT_RULES, NEXT_BEST_PRODUCTS, RECOMMENDATION_METRICS, PURCHASE_STATE, PURCHASE_TOTALS, CLUSTER_MODELS,
      PROPENSITY_MODELS, UPLIFT_MODELS, RUN_LOG);

  /** The tables written only by a lake that has (or had) audiences configured. */
  public static final List<TableSpec> AUDIENCE_TABLES = List.of(AUDIENCE_MEMBERS, AUDIENCE_CHANGES);

  /** The tables written only by a lake that measures (or measured) audiences as experiments. */
  public static final List<TableSpec> EXPERIMENT_TABLES = List.of(EXPERIMENT_RESULTS);

  /** The tables written only by a lake that scores (or scored) propensity models. */
  public static final List<TableSpec> PROPENSITY_TABLES = List.of(CUSTOMER_PROPENSITY, PROPENSITY_MODEL_METRICS);

  /** The tables written only by a lake that scores (or scored) uplift models. */
  public static final List<TableSpec> UPLIFT_TABLES = List.of(CUSTOMER_UPLIFT, UPLIFT_MODEL_METRICS);

  /** The tables written only by a lake that recommends (or recommended) products. */
  public static final List<TableSpec> RECOMMENDATION_TABLES = List.of(NEXT_BEST_PRODUCTS, RECOMMENDATION_METRICS);

  /**
   * The tables a lake has only when audiences, models or affinity are (or were) configured, or its nights keep (or
   * kept) a purchase state: the audience, experiment, propensity, uplift and affinity tables, purchase_state and
   * purchase_totals.
   */
  public static final List<TableSpec> OPTIONAL_TABLES = List.of(AUDIENCE_MEMBERS, AUDIENCE_CHANGES,
      EXPERIMENT_RESULTS, CUSTOMER_PROPENSITY, PROPENSITY_MODEL_METRICS, PROPENSITY_MODELS, CUSTOMER_UPLIFT,
      UPLIFT_MODEL_METRICS, UPLIFT_MODELS, SEGMENT_AFFINITY, PRODUCT_RULES, NEXT_BEST_PRODUCTS,
      RECOMMENDATION_METRICS, PURCHASE_STATE, PURCHASE_TOTALS);

  /** The data dictionary, docs/tables.md. */
  public static String markdown() {
    return "# Output tables\n\n"
        + "Generated from `common/src/main/java/org/segmentation/io/TableCatalog.java` (`NightlySegmentsJob "
        + "--describe-tables`); a test fails when this file and the catalog differ.\n\n"
        + ALL.stream().map(TableSpec::markdown).collect(Collectors.joining("\n"));
  }
}
