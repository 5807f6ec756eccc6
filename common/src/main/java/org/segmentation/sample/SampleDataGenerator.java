package org.segmentation.sample;

import static org.apache.spark.sql.functions.abs;
import static org.apache.spark.sql.functions.array;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.concat;
import static org.apache.spark.sql.functions.cos;
import static org.apache.spark.sql.functions.element_at;
import static org.apache.spark.sql.functions.exp;
import static org.apache.spark.sql.functions.initcap;
import static org.apache.spark.sql.functions.filter;
import static org.apache.spark.sql.functions.floor;
import static org.apache.spark.sql.functions.least;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.log;
import static org.apache.spark.sql.functions.lpad;
import static org.apache.spark.sql.functions.not;
import static org.apache.spark.sql.functions.pmod;
import static org.apache.spark.sql.functions.pow;
import static org.apache.spark.sql.functions.round;
import static org.apache.spark.sql.functions.sqrt;
import static org.apache.spark.sql.functions.timestamp_seconds;
import static org.apache.spark.sql.functions.when;
import static org.apache.spark.sql.functions.xxhash64;

import java.time.LocalDate;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.segmentation.audiences.Arms;

/**
 * Realistic purchases and customer profiles of any size, with planted behaviour groups, deterministic for a seed.
 *
 * <p>Every random draw is a hash of (seed, row id, draw number), never {@code rand()}: the output is the same whatever
 * the number of partitions or executors. Customers are numbered 0..customers-1 and split into contiguous planted
 * groups ({@link PlantedGroup}); the last {@code PROSPECT_SHARE} of them have a profile but never buy. A purchase line
 * picks its group in proportion to (group share x purchase rate), then a customer of that group with a power-law skew
 * (a few customers buy far more than the rest), a day inside the group's activity window, and an amount from the
 * group's log-normal spend. About 30 % of lines join the previous line's order, 3 % are returns (negative amount,
 * their own order id, a few days later), and 1 % of buying customers have no profile.
 */
public final class SampleDataGenerator {
  /** Customers at the end of the id range who have a profile but no purchase. */
  static final double PROSPECT_SHARE = 0.05;
  static final double MISSING_PROFILE_SHARE = 0.01;
  static final double RETURN_SHARE = 0.03;
  static final double SAME_ORDER_SHARE = 0.30;

  /** A behaviour group planted in the sample: its share of buying customers and how its members buy. */
  public enum PlantedGroup {
    CHAMPIONS(0.08, 14.0, 4.8, 0, 365, "app", "electronics"),
    LOYAL(0.17, 5.0, 4.1, 0, 540, "web", "home"),
    BARGAIN_HUNTERS(0.20, 6.0, 2.6, 0, 540, "web", "garden"),
    NEW_CUSTOMERS(0.15, 1.4, 3.9, 0, 45, "app", "fashion"),
    LAPSED(0.25, 2.5, 3.8, 300, 730, "store", "music"),
    OCCASIONAL(0.15, 1.0, 3.5, 0, 730, "store", "beauty");

    final double share;
    final double purchaseRate;
    final double logMeanAmount;
    final int newestDaysAgo;
    final int oldestDaysAgo;
    final String favouriteChannel;
    /**
     * The category the group buys more than the others (ground truth of segment_affinity): a quarter of its lines,
     * drawn before the general skew towards the first categories (bargain hunters: towards the last ones instead).
     */
    public final String favouriteCategory;

    PlantedGroup(double share, double purchaseRate, double logMeanAmount, int newestDaysAgo, int oldestDaysAgo,
        String favouriteChannel, String favouriteCategory) {
      this.share = share;
      this.purchaseRate = purchaseRate;
      this.logMeanAmount = logMeanAmount;
      this.newestDaysAgo = newestDaysAgo;
      this.oldestDaysAgo = oldestDaysAgo;
      this.favouriteChannel = favouriteChannel;
      this.favouriteCategory = favouriteCategory;
    }

    public String label() {
      return name().toLowerCase(java.util.Locale.ROOT);
    }
  }

  /** The share of a planted group's lines in its favourite category. */
  private static final double FAVOURITE_CATEGORY_SHARE = 0.25;
  /** Customers' tastes, and each taste's products in every category: 4 x 3 = 12 products per category. */
  static final int TASTES = 4;
  static final int PRODUCTS_PER_TASTE = 3;
  private static final List<String> CATEGORIES = List.of(
      "books", "music", "electronics", "home", "fashion", "beauty", "toys", "garden");
  private static final List<String> COUNTRIES = List.of("GB", "FR", "DE", "ES", "IT", "NL");
  /** Mobile numbers as people type them, in each country's national format (8 random digits follow). */
  private static final List<String> PHONE_PREFIXES = List.of("0791", "06 ", "0151 ", "6", "34", "06 ");
  private static final List<String> FIRST_NAMES = List.of("Alex", "Sam", "Maria", "Jean", "Anna", "Luca", "Emma",
      "Noah", "Lea", "Hugo", "Mia", "Jan", "Sofia", "Tom", "Eva", "Marco");
  private static final List<String> LAST_NAMES = List.of("Smith", "Martin", "Müller", "García", "Rossi", "de Vries",
      "Dubois", "Schmidt", "López", "Bianchi", "Jansen", "O'Brien", "Bernard", "Fischer", "Romero", "Ricci");
  private static final List<List<String>> CITIES = List.of(
      List.of("London", "Manchester", "Leeds"), List.of("Paris", "Lyon", "Lille"),
      List.of("Berlin", "Hamburg", "Munich"), List.of("Madrid", "Barcelona", "Seville"),
      List.of("Rome", "Milan", "Naples"), List.of("Amsterdam", "Rotterdam", "Utrecht"));
  private static final List<String> INTERESTS = List.of(
      "sustainability", "technology", "travel", "fitness", "cooking", "gaming", "fashion", "reading");
  private static final List<String> LIFESTYLES = List.of(
      "urban", "family", "student", "outdoor", "luxury", "budget");

  private final long customers;
  private final long purchases;
  private final long seed;
  private final LocalDate endDate;

  /**
   * @param customers number of customers with a profile or a purchase
   * @param purchases number of purchase lines
   * @param seed the random seed
   * @param endDate the last day with purchases (the sample's "yesterday")
   */
  public SampleDataGenerator(long customers, long purchases, long seed, LocalDate endDate) {
    if (customers < 1 || purchases < 0) {
      throw new IllegalArgumentException("Cannot generate sample data: need customers >= 1 and purchases >= 0, got "
          + customers + " and " + purchases);
    }
    this.customers = customers;
    this.purchases = purchases;
    this.seed = seed;
    this.endDate = endDate;
  }

  private long buyingCustomers() {
    return Math.max(1, Math.round(customers * (1 - PROSPECT_SHARE)));
  }

  /** A uniform draw in [0, 1) from a hash of the seed, the row key and the draw number. */
  private Column uniform(Column key, int draw) {
    long scale = 1L << 52;
    return pmod(xxhash64(lit(seed), lit(draw), key), lit(scale)).divide(lit((double) scale));
  }

  /** A standard normal draw (Box-Muller over two uniform draws). */
  private Column normal(Column key, int draw) {
    Column u1 = lit(1.0).minus(uniform(key, draw));
    return sqrt(log(u1).multiply(-2.0)).multiply(cos(uniform(key, draw + 1).multiply(2 * Math.PI)));
  }

  private static Column pick(List<String> values, Column u) {
    Column[] literals = values.stream().map(v -> lit(v)).toArray(Column[]::new);
    return element_at(array(literals), floor(u.multiply(values.size())).cast("int").plus(1));
  }

  /** The group of a purchase: group i with probability share_i x rate_i / sum(share x rate). */
  private Column groupOfPurchase(Column u) {
    PlantedGroup[] groups = PlantedGroup.values();
    double total = 0;
    for (PlantedGroup g : groups) {
      total += g.share * g.purchaseRate;
    }
    double[] upperBound = new double[groups.length];
    double cumulative = 0;
    for (int i = 0; i < groups.length; i++) {
      cumulative += groups[i].share * groups[i].purchaseRate / total;
      upperBound[i] = cumulative;
    }
    Column group = lit(groups.length - 1);
    for (int i = groups.length - 2; i >= 0; i--) {
      group = when(u.lt(upperBound[i]), lit(i)).otherwise(group);
    }
    return group;
  }

  private long groupStart(int index) {
    double share = 0;
    for (int i = 0; i < index; i++) {
      share += PlantedGroup.values()[i].share;
    }
    return Math.round(share * buyingCustomers());
  }

  private Column byGroup(Column groupIndex, java.util.function.ToDoubleFunction<PlantedGroup> value) {
    Column result = lit(value.applyAsDouble(PlantedGroup.values()[0]));
    for (int i = 1; i < PlantedGroup.values().length; i++) {
      result = when(groupIndex.equalTo(i), lit(value.applyAsDouble(PlantedGroup.values()[i]))).otherwise(result);
    }
    return result;
  }

  private Column groupOfCustomer(Column customerIndex) {
    Column group = lit(0);
    for (int i = 1; i < PlantedGroup.values().length; i++) {
      group = when(customerIndex.geq(groupStart(i)), lit(i)).otherwise(group);
    }
    return when(customerIndex.geq(buyingCustomers()), lit(-1)).otherwise(group);
  }

  private static Column customerId(Column index) {
    return concat(lit("C"), lpad(index.cast("string"), 9, "0"));
  }

  /**
   * Purchase lines: customer_id, order_id, order_ts, amount, quantity, product_category, channel, product_id,
   * product_name, in the canonical schema.
   */
  public Dataset<Row> purchases(SparkSession spark) {
    int partitions = (int) Math.max(2, Math.min(400, purchases / 500_000));
    Column line = col("id");
    Column order = when(line.gt(0).and(uniform(line, 1).lt(SAME_ORDER_SHARE)), line.minus(1)).otherwise(line);
    Column group = groupOfPurchase(uniform(order, 2));
    Column groupStartCol = lit(0L);
    Column groupSize = lit(0L);
    for (int i = 0; i < PlantedGroup.values().length; i++) {
      long start = groupStart(i);
      long end = i + 1 < PlantedGroup.values().length ? groupStart(i + 1) : buyingCustomers();
      groupStartCol = when(group.equalTo(i), lit(start)).otherwise(groupStartCol);
      groupSize = when(group.equalTo(i), lit(Math.max(1, end - start))).otherwise(groupSize);
    }
    // power-law skew inside the group: u^1.8 crowds draws near the group's first customers
    Column customerIndex = groupStartCol.plus(floor(pow(uniform(order, 3), 1.8).multiply(groupSize)).cast("long"));
    Column newest = byGroup(group, g -> g.newestDaysAgo);
    Column oldest = byGroup(group, g -> g.oldestDaysAgo);
    Column daysAgo = floor(newest.plus(uniform(order, 4).multiply(oldest.minus(newest).plus(1)))).cast("long");
    long endEpochSecond = endDate.plusDays(1).toEpochDay() * 86_400L - 1;
    Column orderSecond = lit(endDate.toEpochDay() * 86_400L).minus(daysAgo.multiply(86_400L))
        .plus(floor(uniform(order, 5).multiply(86_400)).cast("long"));
    Column isReturn = uniform(line, 6).lt(RETURN_SHARE);
    Column returnSecond = least(orderSecond.plus(floor(uniform(line, 7).multiply(14 * 86_400)).cast("long")),
        lit(endEpochSecond));
    Column quantity = floor(pow(uniform(line, 8), 2).multiply(3)).cast("long").plus(1);
    Column unitPrice = exp(byGroup(group, g -> g.logMeanAmount).plus(normal(line, 9).multiply(0.45)))
        .divide(quantity.cast("double").multiply(0.7).plus(0.3));
    Column amount = round(unitPrice.multiply(quantity), 2);
    Column favourite = lit(PlantedGroup.CHAMPIONS.favouriteChannel);
    for (int i = 1; i < PlantedGroup.values().length; i++) {
      favourite = when(group.equalTo(i), lit(PlantedGroup.values()[i].favouriteChannel)).otherwise(favourite);
    }
    Column channel = when(uniform(order, 11).lt(0.6), favourite).otherwise(pick(List.of("web", "app", "store"),
        uniform(order, 12)));
    // bargain hunters lean to the cheap categories at the end of the list, champions to the first ones
    Column categoryDraw = when(group.equalTo(PlantedGroup.BARGAIN_HUNTERS.ordinal()), lit(1.0).minus(
        pow(uniform(line, 13), 2))).otherwise(pow(uniform(line, 13), 1.5));
    Column favouriteCategory = lit(PlantedGroup.CHAMPIONS.favouriteCategory);
    for (int i = 1; i < PlantedGroup.values().length; i++) {
      favouriteCategory = when(group.equalTo(i), lit(PlantedGroup.values()[i].favouriteCategory))
          .otherwise(favouriteCategory);
    }
    Column category = when(uniform(line, 14).lt(FAVOURITE_CATEGORY_SHARE), favouriteCategory)
        .otherwise(pick(CATEGORIES, categoryDraw));
    // the co-purchase structure: each customer has one of TASTES tastes, and buys within a category only the
    // PRODUCTS_PER_TASTE products of that taste; what customers of one taste bought predicts what the others will
    Column taste = pmod(xxhash64(lit(seed), lit(15), customerIndex), lit(TASTES));
    Column product = taste.multiply(PRODUCTS_PER_TASTE)
        .plus(floor(uniform(line, 16).multiply(PRODUCTS_PER_TASTE)).cast("long"));
    return spark.range(0, purchases, 1, partitions).select(
        customerId(customerIndex).as("customer_id"),
        when(isReturn, concat(lit("R"), order.cast("string"))).otherwise(concat(lit("O"), order.cast("string")))
            .as("order_id"),
        timestamp_seconds(when(isReturn, returnSecond).otherwise(orderSecond)).as("order_ts"),
        when(isReturn, amount.multiply(-1)).otherwise(amount).cast("decimal(12,2)").as("amount"),
        when(isReturn, quantity.multiply(-1)).otherwise(quantity).as("quantity"),
        category.as("product_category"),
        channel.as("channel"),
        concat(category, lit("-"), lpad(product.cast("string"), 2, "0")).as("product_id"),
        concat(initcap(category), lit(" no. "), product.plus(1).cast("string")).as("product_name"));
  }

  /**
   * One profile per customer (but 1 % of buying customers have none), with the planted group as
   * {@code planted_group} (ground truth for tests; not a canonical column, so the job ignores it).
   */
  public Dataset<Row> profiles(SparkSession spark) {
    Column index = col("id");
    Column group = groupOfCustomer(index);
    Column isProspect = group.equalTo(-1);
    Column groupLabel = lit("prospects");
    for (int i = 0; i < PlantedGroup.values().length; i++) {
      groupLabel = when(group.equalTo(i), lit(PlantedGroup.values()[i].label())).otherwise(groupLabel);
    }
    Column baseAge = when(group.equalTo(PlantedGroup.NEW_CUSTOMERS.ordinal()), lit(27))
        .when(group.equalTo(PlantedGroup.CHAMPIONS.ordinal()), lit(44))
        .when(group.equalTo(PlantedGroup.LAPSED.ordinal()), lit(52))
        .when(group.equalTo(PlantedGroup.BARGAIN_HUNTERS.ordinal()), lit(35))
        .otherwise(lit(40));
    Column age = least(lit(90), floor(baseAge.plus(normal(index, 21).multiply(7))).cast("int"));
    Column ageClamped = when(age.lt(18), lit(18)).otherwise(age);
    long endDay = endDate.toEpochDay();
    Column birthDay = lit(endDay).minus(ageClamped.multiply(365)).minus(floor(uniform(index, 23).multiply(365)))
        .cast("int");
    Column income = round(exp(lit(10.3).plus(when(group.equalTo(PlantedGroup.CHAMPIONS.ordinal()), 0.6)
        .when(group.equalTo(PlantedGroup.BARGAIN_HUNTERS.ordinal()), -0.3).otherwise(0.0))
        .plus(normal(index, 24).multiply(0.35))), -2);
    Column countryIndex = countryIndex(index);
    Column cityDraw = floor(pow(uniform(index, 27), 1.5).multiply(3)).cast("int");
    Column city = lit(null).cast("string");
    for (int c = COUNTRIES.size() - 1; c >= 0; c--) {
      city = when(countryIndex.equalTo(c), pickIndexed(CITIES.get(c), cityDraw)).otherwise(city);
    }
    Column ecoBoost = when(group.equalTo(PlantedGroup.CHAMPIONS.ordinal()), 0.3)
        .when(group.equalTo(PlantedGroup.NEW_CUSTOMERS.ordinal()), 0.25).otherwise(0.0);
    Column[] interestArray = INTERESTS.stream().map(i -> lit(i)).toArray(Column[]::new);
    Column interests = filter(array(interestArray), tag -> uniform(concat(index.cast("string"), tag), 28)
        .lt(when(tag.equalTo("sustainability"), ecoBoost.plus(0.15)).otherwise(lit(0.2))));
    Column[] lifestyleArray = LIFESTYLES.stream().map(i -> lit(i)).toArray(Column[]::new);
    Column lifestyle = filter(array(lifestyleArray), tag -> uniform(concat(index.cast("string"), tag), 29)
        .lt(when(tag.equalTo("budget").and(group.equalTo(PlantedGroup.BARGAIN_HUNTERS.ordinal())), 0.7)
            .otherwise(lit(0.18))));
    Column oldest = byGroup(when(isProspect, lit(0)).otherwise(group), g -> g.oldestDaysAgo);
    Column signupSecond = lit(endDay * 86_400L).minus(oldest.plus(floor(uniform(index, 30).multiply(120)))
        .multiply(86_400).cast("long"));
    return spark.range(0, customers, 1, (int) Math.max(2, Math.min(200, customers / 200_000)))
        .where(hasProfile(index))
        .select(
            customerId(index).as("customer_id"),
            org.apache.spark.sql.functions.date_from_unix_date(birthDay).as("birth_date"),
            pick(List.of("female", "male", "female", "male", "non-binary"), uniform(index, 22)).as("gender"),
            income.as("income"),
            pick(List.of("secondary", "bachelor", "master", "doctorate", "vocational"),
                pow(uniform(index, 25), 1.4)).as("education"),
            pick(List.of("employee", "manager", "student", "self-employed", "retired", "other"), uniform(index, 32))
                .as("occupation"),
            element_at(array(COUNTRIES.stream().map(c -> lit(c)).toArray(Column[]::new)), countryIndex.plus(1))
                .as("country"),
            concat(element_at(array(COUNTRIES.stream().map(c -> lit(c)).toArray(Column[]::new)),
                countryIndex.plus(1)), lit("-"), cityDraw.plus(1).cast("string")).as("region"),
            city.as("city"),
            lpad(floor(uniform(index, 33).multiply(99_999)).cast("string"), 5, "0").as("postal_code"),
            interests.as("interests"),
            lifestyle.as("lifestyle"),
            timestamp_seconds(signupSecond).as("signup_ts"),
            concat(lit("customer"), index.cast("string"), lit("@example.com")).as("email"),
            uniform(index, 34).lt(0.7).as("marketing_consent"),
            pick(FIRST_NAMES, uniform(index, 35)).as("first_name"),
            pick(LAST_NAMES, uniform(index, 36)).as("last_name"),
            when(uniform(index, 37).lt(0.6), concat(pickIndexed(PHONE_PREFIXES, countryIndex),
                lpad(floor(uniform(index, 38).multiply(1e8)).cast("long").cast("string"), 8, "0"))).as("phone"),
            groupLabel.as("planted_group"));
  }

  /** The customer's country, as an index into COUNTRIES (the profile's {@code country}). */
  private Column countryIndex(Column customerIndex) {
    return floor(pow(uniform(customerIndex, 26), 1.3).multiply(COUNTRIES.size())).cast("int");
  }

  /** Whether the customer has a profile: every prospect, and all but 1 % of the buying customers. */
  private Column hasProfile(Column customerIndex) {
    return groupOfCustomer(customerIndex).equalTo(-1).or(uniform(customerIndex, 31).geq(MISSING_PROFILE_SHARE));
  }

  /**
   * A campaign planted in the sample, for tests to find: an audience of every customer (filter {@code "true"}) whose
   * arms are the job's own ({@link Arms}: the same salt, key and holdout share), first sent on {@code sendDate}. In
   * the days (send, send + windowDays], a customer with a profile in a country with a positive lift places one extra
   * order of {@code orderAmount} with that probability when in the treatment arm; with a negative lift, a control
   * member does so with its size as probability (the campaign suppressed those orders). So the true effect of being
   * in the treatment arm, in that country, is exactly the lift in orders per member and lift × amount in revenue.
   */
  public record PlantedCampaign(String salt, String holdoutKey, double holdoutShare, LocalDate sendDate,
      int windowDays, Map<String, Double> orderLiftByCountry, java.math.BigDecimal orderAmount) {}

  /** The planted campaign's extra order lines (order ids K...), in the schema of {@link #purchases}. */
  public Dataset<Row> campaignPurchases(SparkSession spark, PlantedCampaign campaign) {
    Column index = col("id");
    Column id = customerId(index);
    Column country = countryIndex(index);
    Column lift = lit(0.0);
    for (Map.Entry<String, Double> planted : campaign.orderLiftByCountry().entrySet()) {
      int c = COUNTRIES.indexOf(planted.getKey());
      if (c < 0) {
        throw new IllegalArgumentException("no country " + planted.getKey() + " in the sample: " + COUNTRIES);
      }
      lift = when(country.equalTo(c), lit(planted.getValue())).otherwise(lift);
    }
    Column treated = Arms.arm(campaign.salt(), campaign.holdoutKey(), campaign.holdoutShare(), id)
        .equalTo(Arms.TREATMENT);
    Column moved = hasProfile(index).and(uniform(index, 40).lt(abs(lift)))
        .and(when(lift.gt(0), treated).otherwise(not(treated)));
    Column day = lit(campaign.sendDate().toEpochDay() + 1)
        .plus(floor(uniform(index, 41).multiply(campaign.windowDays())).cast("long"));
    return spark.range(0, customers, 1, 2).where(moved).select(
        id.as("customer_id"),
        concat(lit("K"), index.cast("string")).as("order_id"),
        timestamp_seconds(day.multiply(86_400L).plus(12 * 3_600L)).as("order_ts"),
        lit(campaign.orderAmount()).cast("decimal(12,2)").as("amount"),
        lit(1L).as("quantity"),
        lit("books").as("product_category"),
        lit("web").as("channel"),
        lit("books-00").as("product_id"),
        lit("Books no. 1").as("product_name"));
  }

  private static Column pickIndexed(List<String> values, Column zeroBasedIndex) {
    Column[] literals = values.stream().map(v -> lit(v)).toArray(Column[]::new);
    return element_at(array(literals), zeroBasedIndex.plus(1));
  }
}
