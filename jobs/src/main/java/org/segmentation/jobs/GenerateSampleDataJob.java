package org.segmentation.jobs;

import java.time.LocalDate;
import java.util.Locale;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SaveMode;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.functions;
import org.apache.spark.sql.types.ArrayType;
import org.apache.spark.sql.types.StructField;
import org.segmentation.sample.SampleDataGenerator;

/**
 * Writes sample purchases and profiles: {@code GenerateSampleDataJob --output DIR [--customers N] [--purchases N]
 * [--seed S] [--end-date YYYY-MM-DD] [--format parquet|delta|csv]}. The output is the same for the same arguments.
 * In CSV, tag lists are written as "a|b|c".
 */
public final class GenerateSampleDataJob {
  static final String USAGE = """
      Usage: GenerateSampleDataJob --output DIR [--customers N] [--purchases N] [--seed S]
                                   [--end-date YYYY-MM-DD] [--format parquet|delta|csv] [--master URL]

      Writes DIR/purchases and DIR/profiles with planted behaviour groups (champions, loyal, bargain hunters, new,
      lapsed, occasional, prospects without purchases), deterministic for a seed.
      Defaults: --customers 10000 --purchases 100000 --seed 42 --end-date yesterday (UTC) --format parquet.
      """;

  private GenerateSampleDataJob() {}

  public static void main(String[] args) {
    System.exit(run(args));
  }

  static int run(String[] args) {
    String output = null;
    long customers = 10_000;
    long purchases = 100_000;
    long seed = 42;
    String format = "parquet";
    String master = null;
    LocalDate endDate = LocalDate.now(java.time.ZoneOffset.UTC).minusDays(1);
    try {
      for (int i = 0; i < args.length; i++) {
        String value = i + 1 < args.length ? args[i + 1] : null;
        switch (args[i]) {
          case "--help", "-h" -> {
            System.out.print(USAGE);
            return 0;
          }
          case "--output" -> output = require(value, args[i++]);
          case "--customers" -> customers = Long.parseLong(require(value, args[i++]));
          case "--purchases" -> purchases = Long.parseLong(require(value, args[i++]));
          case "--seed" -> seed = Long.parseLong(require(value, args[i++]));
          case "--end-date" -> endDate = LocalDate.parse(require(value, args[i++]));
          case "--format" -> format = require(value, args[i++]).toLowerCase(Locale.ROOT);
          case "--master" -> master = require(value, args[i++]);
          default -> throw new IllegalArgumentException("unknown argument \"" + args[i] + "\"");
        }
      }
      if (output == null) {
        throw new IllegalArgumentException("--output: required");
      }
      if (!format.equals("parquet") && !format.equals("delta") && !format.equals("csv")) {
        throw new IllegalArgumentException("--format: expected parquet, delta or csv, got \"" + format + "\"");
      }
    } catch (RuntimeException e) {
      System.err.println("ERROR " + e.getMessage() + "\n" + USAGE);
      return ExitCode.USAGE.status();
    }
    SparkSession.Builder builder = SparkSession.builder().appName("generate-sample-data")
        .config("spark.sql.session.timeZone", "UTC")
        .config("spark.sql.extensions", "io.delta.sql.DeltaSparkSessionExtension")
        .config("spark.sql.catalog.spark_catalog", "org.apache.spark.sql.delta.catalog.DeltaCatalog");
    if (master != null) {
      builder.master(master);
    }
    SparkSession spark = builder.getOrCreate();
    try {
      SampleDataGenerator generator = new SampleDataGenerator(customers, purchases, seed, endDate);
      long start = System.nanoTime();
      write(generator.purchases(spark), output + "/purchases", format);
      write(generator.profiles(spark), output + "/profiles", format);
      System.out.printf(Locale.ROOT, "result=generated customers=%d purchases=%d seed=%d end_date=%s format=%s "
          + "output=%s seconds=%.1f%n", customers, purchases, seed, endDate, format, output,
          (System.nanoTime() - start) / 1e9);
      return 0;
    } finally {
      spark.stop();
    }
  }

  private static String require(String value, String option) {
    if (value == null) {
      throw new IllegalArgumentException(option + ": missing value");
    }
    return value;
  }

  private static void write(Dataset<Row> rows, String path, String format) {
    Dataset<Row> out = rows;
    if (format.equals("csv")) {
      // CSV has no arrays: tag lists become "a|b|c" (map back with split(interests, '[|]'))
      for (StructField field : rows.schema().fields()) {
        if (field.dataType() instanceof ArrayType) {
          Column joined = functions.concat_ws("|", functions.col(field.name()));
          out = out.withColumn(field.name(), joined);
        }
      }
    }
    var writer = out.write().mode(SaveMode.Overwrite).format(format);
    if (format.equals("csv")) {
      writer = writer.option("header", "true");
    }
    writer.save(path);
  }
}
