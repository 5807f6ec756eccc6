package org.segmentation.audiences;

import static org.apache.spark.sql.functions.array;
import static org.apache.spark.sql.functions.coalesce;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.filter;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.map_from_arrays;
import static org.apache.spark.sql.functions.when;

import java.time.LocalDate;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.types.DataTypes;
import org.segmentation.config.AudienceSettings;
import org.segmentation.config.AudienceSettings.Audience;
import org.segmentation.config.AudienceSettings.Destination;
import org.segmentation.config.AudienceSettings.OrderTerm;
import org.segmentation.config.JobSettings;
import org.segmentation.run.ConfigurationException;
import org.segmentation.schema.Columns;
import org.segmentation.schema.SqlCompiler;

/**
 * The night's members of every configured audience, one row per (audience, customer): the audience_members columns
 * plus the contact fields the exports read. Pure.
 *
 * <ul>
 *   <li>Members: the customers of the view whose filter is true (NULL is not true); with a limit, the first
 *       {@code limit} of them in the configured order, customer_id breaking ties (Spark's top-k: no global sort).</li>
 *   <li>Arm: {@link Arms}, from the audience's holdout key.</li>
 *   <li>Destinations: each destination of the audience that the member reaches tonight: treatment arm, the
 *       destination's consent column true (NULL is no consent), and an identifier the destination matches on (an
 *       e-mail for a tool that gets raw contacts; a hashed e-mail or phone for the others).</li>
 *   <li>joined_on: carried from the previous published night when the customer was a member then, else tonight.</li>
 * </ul>
 */
public record AudienceMembers(AudienceSettings settings, LocalDate runDate) {
  private static final String OK = "__reaches_";
  private static final String PREVIOUS = "__previous_";

  /**
   * @param view the {@link AudienceView}
   * @param contacts the profiles' {@link ContactIdentifiers#of} columns, or NULL without a profiles input
   * @param previous audience_members of the previous published night, or NULL
   */
  public Dataset<Row> apply(Dataset<Row> view, Dataset<Row> contacts, Dataset<Row> previous) {
    Dataset<Row> selected = null;
    for (Audience audience : settings.audiences().values()) {
      Dataset<Row> members = selectMembers(view, audience);
      selected = selected == null ? members : selected.unionByName(members);
    }
    Dataset<Row> withContacts;
    if (contacts == null) {
      withContacts = selected
          .withColumn(Columns.EMAIL, lit(null).cast(DataTypes.StringType))
          .withColumn(Columns.FIRST_NAME, lit(null).cast(DataTypes.StringType))
          .withColumn(Columns.LAST_NAME, lit(null).cast(DataTypes.StringType))
          .withColumn(ContactIdentifiers.PHONE_E164, lit(null).cast(DataTypes.StringType));
    } else {
      Dataset<Row> contact = contacts.withColumnRenamed(Columns.CUSTOMER_ID, "__contact_id");
      withContacts = selected.join(contact, selected.col(Columns.CUSTOMER_ID).equalTo(contact.col("__contact_id")),
          "left_outer").drop("__contact_id");
    }
    List<Column> reached = new ArrayList<>();
    for (Destination destination : settings.destinations().values()) {
      Column identified = destination.allowRawEmail() ? col(Columns.EMAIL).isNotNull()
          : col(Columns.EMAIL).isNotNull().or(col(ContactIdentifiers.PHONE_E164).isNotNull());
      reached.add(when(col(OK + destination.name()).and(identified), lit(destination.name())));
    }
    Column destinations = reached.isEmpty() ? array().cast(DataTypes.createArrayType(DataTypes.StringType))
        : filter(array(reached.toArray(Column[]::new)), d -> d.isNotNull());
    Dataset<Row> withDestinations = withContacts.withColumn(Columns.DESTINATIONS, destinations);

    Column joinedOn;
    Dataset<Row> joined;
    if (previous == null) {
      joined = withDestinations;
      joinedOn = lit(java.sql.Date.valueOf(runDate));
    } else {
      Dataset<Row> before = previous.select(col(Columns.AUDIENCE).as(PREVIOUS + Columns.AUDIENCE),
          col(Columns.CUSTOMER_ID).as(PREVIOUS + Columns.CUSTOMER_ID), col(Columns.JOINED_ON).as(PREVIOUS + "joined"));
      joined = withDestinations.join(before, withDestinations.col(Columns.AUDIENCE)
          .equalTo(before.col(PREVIOUS + Columns.AUDIENCE))
          .and(withDestinations.col(Columns.CUSTOMER_ID).equalTo(before.col(PREVIOUS + Columns.CUSTOMER_ID))),
          "left_outer");
      joinedOn = coalesce(col(PREVIOUS + "joined"), lit(java.sql.Date.valueOf(runDate)));
    }
    return joined.select(
        lit(java.sql.Date.valueOf(runDate)).as(Columns.RUN_DATE),
        col(Columns.AUDIENCE), col(Columns.CUSTOMER_ID), col(Columns.ARM), joinedOn.as(Columns.JOINED_ON),
        col(Columns.REASON_FIELDS), col(Columns.DESTINATIONS),
        col(Columns.EMAIL), col(Columns.FIRST_NAME), col(Columns.LAST_NAME), col(ContactIdentifiers.PHONE_E164));
  }

  /** One audience's members: audience, customer_id, arm, reason_fields and one consent flag per destination. */
  private Dataset<Row> selectMembers(Dataset<Row> view, Audience audience) {
    Dataset<Row> members = view.where(SqlCompiler.parse(audience.filter()).cast("boolean"));
    if (audience.limit() > 0) {
      List<Column> order = new ArrayList<>();
      for (OrderTerm term : audience.orderBy()) {
        Column by = SqlCompiler.parse(term.expression());
        order.add(term.descending() ? by.desc_nulls_last() : by.asc_nulls_last());
      }
      order.add(col(Columns.CUSTOMER_ID).asc());
      members = members.orderBy(order.toArray(Column[]::new)).limit((int) Math.min(Integer.MAX_VALUE,
          audience.limit()));
    }
    Column arm = Arms.arm(settings.holdoutSalt(), audience.holdoutKey(), audience.holdoutShare(),
        col(Columns.CUSTOMER_ID));
    List<Column> output = new ArrayList<>(List.of(lit(audience.name()).as(Columns.AUDIENCE),
        col(Columns.CUSTOMER_ID), arm.as(Columns.ARM), reasonFields(view, audience).as(Columns.REASON_FIELDS)));
    for (Destination destination : settings.destinations().values()) {
      Column reaches = audience.destinations().contains(destination.name())
          ? arm.equalTo(Arms.TREATMENT).and(coalesce(col(destination.consentColumn()).cast("boolean"), lit(false)))
          : lit(false);
      output.add(reaches.as(OK + destination.name()));
    }
    return members.select(output.toArray(Column[]::new));
  }

  /**
   * Why a customer is a member, as text by column name: the columns the filter and order-by read, then the export
   * fields.
   */
  static Column reasonFields(Dataset<Row> view, Audience audience) {
    Set<String> names = new LinkedHashSet<>(reasonColumns(view, audience));
    if (names.isEmpty()) {
      return lit(null).cast(DataTypes.createMapType(DataTypes.StringType, DataTypes.StringType));
    }
    Column keys = array(names.stream().map(n -> lit(n)).toArray(Column[]::new));
    Column values = array(names.stream().map(n -> col("`" + n + "`").cast("string")).toArray(Column[]::new));
    return map_from_arrays(keys, values);
  }

  /** The columns the filter and the order read, and the fields, without repeats. */
  static List<String> reasonColumns(Dataset<Row> view, Audience audience) {
    Set<String> names = new LinkedHashSet<>(SqlCompiler.referencedColumns(view, SqlCompiler.parse(audience.filter())));
    for (OrderTerm term : audience.orderBy()) {
      names.addAll(SqlCompiler.referencedColumns(view, SqlCompiler.parse(term.expression())));
    }
    names.addAll(audience.fields());
    return List.copyOf(names);
  }

  /**
   * Compiles every audience against the view's schema (a plan: no data is read): the filter must be a condition, the
   * order terms expressions, the fields and consent columns existing columns (a consent column boolean). Exit 2 naming
   * the audience.
   */
  public static void check(Dataset<Row> view, AudienceSettings settings) {
    List<String> problems = new ArrayList<>();
    Set<String> columns = Set.of(view.columns());
    for (Audience audience : settings.audiences().values()) {
      String at = JobSettings.keyPath(AudienceSettings.BLOCK, "lists", audience.name());
      SqlCompiler.problem(view, SqlCompiler.parse(audience.filter()).cast("boolean")).ifPresent(p ->
          problems.add(at + ".filter = \"" + audience.filter() + "\": not a condition over the customer_segments "
              + "columns and customer features: " + p));
      for (OrderTerm term : audience.orderBy()) {
        SqlCompiler.problem(view, SqlCompiler.parse(term.expression())).ifPresent(p ->
            problems.add(at + ".order-by \"" + term.expression() + "\": " + p));
      }
      for (String field : audience.fields()) {
        if (!columns.contains(field)) {
          problems.add(at + ".fields: no column \"" + field + "\" (columns: " + String.join(", ", view.columns())
              + ")");
        }
      }
    }
    for (Destination destination : settings.destinations().values()) {
      String at = JobSettings.keyPath(AudienceSettings.BLOCK, "destinations", destination.name());
      if (!columns.contains(destination.consentColumn())) {
        problems.add(at + ".consent-column: no column \"" + destination.consentColumn() + "\" (declare it under "
            + "inputs.profiles.attributes with type boolean)");
      } else if (!view.schema().apply(destination.consentColumn()).dataType().equals(DataTypes.BooleanType)) {
        problems.add(at + ".consent-column: \"" + destination.consentColumn() + "\" must be boolean, it is "
            + view.schema().apply(destination.consentColumn()).dataType().simpleString());
      }
    }
    if (!problems.isEmpty()) {
      throw new ConfigurationException(problems);
    }
  }
}
