package org.segmentation.audiences;

import static org.apache.spark.sql.functions.lit;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import org.apache.spark.sql.Row;
import org.junit.jupiter.api.Test;
import org.segmentation.TestSpark;

/** Known inputs, known identifiers: the published normalisation and hashes, and E.164 by the numbering plans. */
class ContactIdentifiersTest {

  @Test
  void anEmailIsTrimmedLowerCasedAndHashedWithSha256() {
    // SHA-256("test@example.com"), as `printf 'test@example.com' | sha256sum` prints it
    Row row = TestSpark.get().range(1).select(
        ContactIdentifiers.emailSha256(lit("  Test@Example.COM ")),
        ContactIdentifiers.emailSha256(lit("   ")),
        ContactIdentifiers.emailSha256(lit(null).cast("string")),
        ContactIdentifiers.phoneSha256(lit("+447911123456"))).first();
    assertEquals("973dfe463ec85785f5f95af5ba3906eedb2d931c24e69824a89ea65dba4e813b", row.getString(0));
    assertNull(row.get(1), "a blank e-mail is none");
    assertNull(row.get(2));
    // printf '+447911123456' | sha256sum
    assertEquals("20b18ac9de7b3aad174961827d8e451c410af9aedfd1d699927f4b29b81aa1fa", row.getString(3));
  }

  @Test
  void phonesBecomeE164InTheirCountryOrTheDefaultRegion() {
    assertEquals("+447911123456", ContactIdentifiers.e164("07911 123456", "GB", "US"));
    assertEquals("+33612345678", ContactIdentifiers.e164("06 12 34 56 78", "fr", "US"));
    assertEquals("+4915123456789", ContactIdentifiers.e164("0151 23456789", "DE", "US"));
    // a country code wins over the profile's country
    assertEquals("+447911123456", ContactIdentifiers.e164("+44 (0)7911 123456", "FR", "US"));
    // no usable country: the default region
    assertEquals("+12125550123", ContactIdentifiers.e164("(212) 555-0123", null, "US"));
    assertEquals("+12125550123", ContactIdentifiers.e164("212.555.0123", "Atlantis", "US"));
    // not a number of the plan: none, never a guess
    assertNull(ContactIdentifiers.e164("12", "GB", "US"));
    assertNull(ContactIdentifiers.e164("call me", "GB", "US"));
    assertNull(ContactIdentifiers.e164(" ", "GB", "US"));
    Row row = TestSpark.get().range(1).select(ContactIdentifiers.phoneE164(lit("07911 123456"), lit("GB"), "US"))
        .first();
    assertEquals("+447911123456", row.getString(0));
  }
}
