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
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.types.DataType;
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
 * Every (audience, customer) pair that is a member tonight or was one the previous published night, with what the
 * tables and the export files need: the audience_members columns, whether the customer is and was a member, the
 * previous night's destinations and reason fields, and the contact fields. Pure. The table, audience_changes and every
 * export file are filters of these rows ({@link #MEMBER}, {@link #WAS_MEMBER}, {@link #PREVIOUS_DESTINATIONS}), so
 * the previous night and the profiles are joined once.
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
  /** Whether the row is a member tonight (a row of audience_members). */
  public static final String MEMBER = "is_member";
  /** Whether the row was a member the previous published night. */
  public static final String WAS_MEMBER = "was_member";
  /** The destinations the customer was exported to the previous night (empty when none). */
  public static final String PREVIOUS_DESTINATIONS = "previous_destinations";
  private static final String OK = "__reaches_";
  private static final String PREVIOUS = "__previous_";
  private static final DataType NAMES = DataTypes.createArrayType(DataTypes.StringType);

  /**
   * @param view the {@link AudienceView}
   * @param contacts the profiles' {@link ContactIdentifiers#of} columns, or NULL without a profiles input
   * @param previous audience_members of the previous published night (tonight's audiences), or NULL
   */
  public Dataset<Row> apply(Dataset<Row> view, Dataset<Row> contacts, Dataset<Row> previous) {
    Dataset<Row> selected = null;
    for (Audience audience : settings.audiences().values()) {
      Dataset<Row> members = selectMembers(view, audience);
      selected = selected == null ? members : selected.unionByName(members);
    }
    Column date = lit(java.sql.Date.valueOf(runDate));
    Dataset<Row> both;
    if (previous == null) {
      both = selected.withColumn(WAS_MEMBER, lit(false))
          .withColumn(PREVIOUS + Columns.JOINED_ON, lit(null).cast(DataTypes.DateType))
          .withColumn(PREVIOUS + Columns.DESTINATIONS, array().cast(NAMES));
    } else {
      Dataset<Row> before = previous.select(col(Columns.AUDIENCE).as(PREVIOUS + Columns.AUDIENCE),
          col(Columns.CUSTOMER_ID).as(PREVIOUS + Columns.CUSTOMER_ID), col(Columns.ARM).as(PREVIOUS + Columns.ARM),
          col(Columns.JOINED_ON).as(PREVIOUS + Columns.JOINED_ON),
          col(Columns.REASON_FIELDS).as(PREVIOUS + Columns.REASON_FIELDS),
          col(Columns.DESTINATIONS).as(PREVIOUS + Columns.DESTINATIONS));
      List<Column> columns = new ArrayList<>(List.of(
          coalesce(col(Columns.AUDIENCE), col(PREVIOUS + Columns.AUDIENCE)).as(Columns.AUDIENCE),
          coalesce(col(Columns.CUSTOMER_ID), col(PREVIOUS + Columns.CUSTOMER_ID)).as(Columns.CUSTOMER_ID),
          coalesce(col(MEMBER), lit(false)).as(MEMBER),
          col(PREVIOUS + Columns.CUSTOMER_ID).isNotNull().as(WAS_MEMBER),
          coalesce(col(Columns.ARM), col(PREVIOUS + Columns.ARM)).as(Columns.ARM),
          coalesce(col(Columns.REASON_FIELDS), col(PREVIOUS + Columns.REASON_FIELDS)).as(Columns.REASON_FIELDS),
          col(PREVIOUS + Columns.JOINED_ON),
          coalesce(col(PREVIOUS + Columns.DESTINATIONS), array().cast(NAMES)).as(PREVIOUS + Columns.DESTINATIONS)));
      for (Destination destination : settings.destinations().values()) {
        columns.add(coalesce(col(OK + destination.name()), lit(false)).as(OK + destination.name()));
      }
      both = selected.join(before, selected.col(Columns.AUDIENCE).equalTo(before.col(PREVIOUS + Columns.AUDIENCE))
          .and(selected.col(Columns.CUSTOMER_ID).equalTo(before.col(PREVIOUS + Columns.CUSTOMER_ID))), "full_outer")
          .select(columns.toArray(Column[]::new));
    }
    Dataset<Row> withContacts;
    if (contacts == null) {
      withContacts = both;
      for (String contact : CONTACT_COLUMNS) {
        withContacts = withContacts.withColumn(contact, lit(null).cast(DataTypes.StringType));
      }
    } else {
      Dataset<Row> contact = contacts.withColumnRenamed(Columns.CUSTOMER_ID, "__contact_id");
      withContacts = both.join(contact, both.col(Columns.CUSTOMER_ID).equalTo(contact.col("__contact_id")),
          "left_outer").drop("__contact_id");
    }
    List<Column> reached = new ArrayList<>();
    for (Destination destination : settings.destinations().values()) {
      Column identified = destination.allowRawEmail() ? col(Columns.EMAIL).isNotNull()
          : col(Columns.EMAIL).isNotNull().or(col(ContactIdentifiers.PHONE_E164).isNotNull());
      reached.add(when(col(OK + destination.name()).and(identified), lit(destination.name())));
    }
    Column destinations = reached.isEmpty() ? array().cast(NAMES)
        : filter(array(reached.toArray(Column[]::new)), d -> d.isNotNull());
    List<Column> output = new ArrayList<>(List.of(
        date.as(Columns.RUN_DATE), col(Columns.AUDIENCE), col(Columns.CUSTOMER_ID), col(Columns.ARM),
        when(col(MEMBER), coalesce(col(PREVIOUS + Columns.JOINED_ON), date)).as(Columns.JOINED_ON),
        col(Columns.REASON_FIELDS),
        when(col(MEMBER), destinations).otherwise(array().cast(NAMES)).as(Columns.DESTINATIONS),
        col(MEMBER), col(WAS_MEMBER), col(PREVIOUS + Columns.DESTINATIONS).as(PREVIOUS_DESTINATIONS)));
    CONTACT_COLUMNS.forEach(c -> output.add(col(c)));
    return withContacts.select(output.toArray(Column[]::new));
  }

  /** The contact fields the rows carry for the exports (never written to a table). */
  static final List<String> CONTACT_COLUMNS = List.of(Columns.EMAIL, Columns.FIRST_NAME, Columns.LAST_NAME,
      ContactIdentifiers.PHONE_E164);

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
        col(Columns.CUSTOMER_ID), lit(true).as(MEMBER), arm.as(Columns.ARM),
        reasonFields(view, audience).as(Columns.REASON_FIELDS)));
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
    Map<String, Column> values = new LinkedHashMap<>();
    for (String name : readColumns(view, audience)) {
      values.put(name, col("`" + name + "`"));
    }
    for (String field : audience.fields()) {
      values.put(fieldName(view, field), SqlCompiler.parse(field));
    }
    if (values.isEmpty()) {
      return lit(null).cast(DataTypes.createMapType(DataTypes.StringType, DataTypes.StringType));
    }
    return map_from_arrays(array(values.keySet().stream().map(n -> lit(n)).toArray(Column[]::new)),
        array(values.values().stream().map(v -> v.cast("string")).toArray(Column[]::new)));
  }

  /** The columns the filter and the order read, without repeats. */
  static List<String> readColumns(Dataset<Row> view, Audience audience) {
    Set<String> names = new LinkedHashSet<>(SqlCompiler.referencedColumns(view, SqlCompiler.parse(audience.filter())));
    for (OrderTerm term : audience.orderBy()) {
      names.addAll(SqlCompiler.referencedColumns(view, SqlCompiler.parse(term.expression())));
    }
    return List.copyOf(names);
  }

  /** An export field's name: its alias ({@code round(predicted_clv, 2) as clv}), or the column it is. */
  public static String fieldName(Dataset<Row> view, String field) {
    return view.select(SqlCompiler.parse(field)).columns()[0];
  }

  /** The export fields' names, in order. */
  public static List<String> fieldNames(Dataset<Row> view, Audience audience) {
    return audience.fields().stream().map(f -> fieldName(view, f)).toList();
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
      Set<String> names = new java.util.HashSet<>();
      for (String field : audience.fields()) {
        Optional<String> problem = SqlCompiler.problem(view, SqlCompiler.parse(field));
        if (problem.isPresent()) {
          problems.add(at + ".fields \"" + field + "\": not a column or expression over the customer_segments "
              + "columns and customer features: " + problem.get());
          continue;
        }
        String name = fieldName(view, field);
        if (!name.matches("[A-Za-z_][A-Za-z0-9_]*")) {
          problems.add(at + ".fields \"" + field + "\": name the expression (\"... as my_field\"): it is a "
              + "column header of the export files");
        } else if (!names.add(name)
            || List.of(Columns.CUSTOMER_ID, Columns.EMAIL, Columns.FIRST_NAME, Columns.LAST_NAME, Columns.PHONE,
                Columns.EMAIL_SHA256, Columns.PHONE_SHA256).contains(name)) {
          problems.add(at + ".fields \"" + field + "\": the name " + name + " is taken (by "
              + "another field or a contact column of the files)");
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
