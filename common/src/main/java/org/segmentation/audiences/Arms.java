package org.segmentation.audiences;

import static org.apache.spark.sql.functions.concat_ws;
import static org.apache.spark.sql.functions.conv;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.sha2;
import static org.apache.spark.sql.functions.substring;
import static org.apache.spark.sql.functions.when;

import org.apache.spark.sql.Column;

/**
 * Holdout arms. A customer's arm in an audience is a pure function of a salted hash of the audience's holdout key and
 * the customer id: the same on every night and every rerun, whoever else is in the audience, and independent between
 * two keys (the hashes of two keys are unrelated). SHA-256 is Spark's built-in {@code sha2}; its first 60 bits, read
 * as a number in [0, 1), are the customer's position, and positions below the holdout share are the control arm.
 */
public final class Arms {
  public static final String TREATMENT = "treatment";
  public static final String CONTROL = "control";
  /** 15 hex digits: 60 bits, exactly representable in a long. */
  private static final int HEX_DIGITS = 15;
  private static final double SCALE = Math.pow(16, HEX_DIGITS);

  private Arms() {}

  /** The text hashed: {@code salt:key:customer_id}. */
  public static Column hashed(String salt, String key, Column customerId) {
    return concat_ws(":", lit(salt), lit(key), customerId);
  }

  /** The customer's position in [0, 1): the first 60 bits of SHA-256(salt:key:customer_id). */
  public static Column position(String salt, String key, Column customerId) {
    Column hex = substring(sha2(hashed(salt, key, customerId), 256), 1, HEX_DIGITS);
    return conv(hex, 16, 10).cast("long").cast("double").divide(SCALE);
  }

  /** control when the position is below {@code holdoutShare}, else treatment. */
  public static Column arm(String salt, String key, double holdoutShare, Column customerId) {
    return when(position(salt, key, customerId).lt(holdoutShare), lit(CONTROL)).otherwise(lit(TREATMENT));
  }
}
