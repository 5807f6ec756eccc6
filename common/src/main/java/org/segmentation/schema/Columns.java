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

/** Names of the canonical input columns and of the output columns, and the two input schemas. */
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
  public static final String CHANNEL = "channel";

  public static final List<CanonicalColumn> PURCHASES = List.of(
      new CanonicalColumn(CUSTOMER_ID, StringType, true),
      new CanonicalColumn(ORDER_ID, StringType, true),
      new CanonicalColumn(ORDER_TS, TimestampType, true),
      new CanonicalColumn(AMOUNT, MONEY, true),
      new CanonicalColumn(QUANTITY, LongType, false),
      new CanonicalColumn(PRODUCT_CATEGORY, StringType, false),
      new CanonicalColumn(CHANNEL, StringType, false));

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
      new CanonicalColumn(MARKETING_CONSENT, BooleanType, false));

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
}
