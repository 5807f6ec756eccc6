package org.segmentation.audiences;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.lower;
import static org.apache.spark.sql.functions.sha2;
import static org.apache.spark.sql.functions.trim;
import static org.apache.spark.sql.functions.when;

import com.google.i18n.phonenumbers.NumberParseException;
import com.google.i18n.phonenumbers.PhoneNumberUtil;
import com.google.i18n.phonenumbers.Phonenumber;
import java.util.Locale;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.api.java.UDF2;
import org.apache.spark.sql.expressions.UserDefinedFunction;
import org.apache.spark.sql.functions;
import org.apache.spark.sql.types.DataTypes;
import org.segmentation.schema.Columns;

/**
 * The identifiers campaign tools match customers on. E-mail: trimmed and lower-cased, then SHA-256 as hex (Spark's
 * built-in {@code sha2}), the normalisation ad platforms document for customer-match lists. Phone: E.164
 * ({@code +447911123456}) by Google's libphonenumber, read in the profile's country when the number has no country
 * code; a number it cannot read as a valid number of that plan is NULL (a wrong number matches nobody, or somebody
 * else). The phone hash is SHA-256 of the E.164 text, with its plus.
 */
public final class ContactIdentifiers {
  public static final String PHONE_E164 = "phone_e164";

  private ContactIdentifiers() {}

  /** The e-mail as matched: trimmed, lower-cased; NULL when blank. */
  public static Column normalisedEmail(Column email) {
    Column normalised = lower(trim(email));
    return when(normalised.notEqual(""), normalised);
  }

  /** SHA-256 (hex) of the normalised e-mail; NULL without one. */
  public static Column emailSha256(Column email) {
    return sha2(normalisedEmail(email), 256);
  }

  /** SHA-256 (hex) of an E.164 number; NULL without one. */
  public static Column phoneSha256(Column e164) {
    return sha2(e164, 256);
  }

  /** The phone in E.164, read in {@code country} (ISO 3166) or else {@code defaultRegion}; NULL when not valid. */
  public static Column phoneE164(Column phone, Column country, String defaultRegion) {
    return toE164(defaultRegion).apply(phone, country);
  }

  /** The profile columns the exports read, with the normalised identifiers. */
  public static Column[] of(String defaultRegion) {
    return new Column[] {
        col(Columns.CUSTOMER_ID),
        normalisedEmail(col(Columns.EMAIL)).as(Columns.EMAIL),
        col(Columns.FIRST_NAME), col(Columns.LAST_NAME),
        phoneE164(col(Columns.PHONE), col(Columns.COUNTRY), defaultRegion).as(PHONE_E164)};
  }

  private static UserDefinedFunction toE164(String defaultRegion) {
    return functions.udf((UDF2<String, String, String>) (phone, country) -> e164(phone, country, defaultRegion),
        DataTypes.StringType);
  }

  /** The number in E.164, or NULL: a plain function, for the UDF and the tests. */
  public static String e164(String phone, String country, String defaultRegion) {
    if (phone == null || phone.isBlank()) {
      return null;
    }
    PhoneNumberUtil numbers = PhoneNumberUtil.getInstance();
    String region = country != null && numbers.getSupportedRegions().contains(country.trim().toUpperCase(Locale.ROOT))
        ? country.trim().toUpperCase(Locale.ROOT) : defaultRegion;
    try {
      Phonenumber.PhoneNumber number = numbers.parse(phone, region);
      return numbers.isValidNumber(number) ? numbers.format(number, PhoneNumberUtil.PhoneNumberFormat.E164) : null;
    } catch (NumberParseException e) {
      return null;
    }
  }
}
