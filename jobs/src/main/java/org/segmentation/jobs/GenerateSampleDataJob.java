package org.segmentation.jobs;

import java.time.LocalDate;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SaveMode;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.functions;
import org.apache.spark.sql.types.ArrayType;
import org.apache.spark.sql.types.StructField;
import org.segmentation.io.SparkSessions;
import org.segmentation.run.ConfigurationException;
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
    long customers;
    long purchases;
    long seed;
    LocalDate endDate;
    String output;
    String format;
    Optional<String> master;
    try {
      CommandLine line = CommandLine.parse(args, Set.of("--help"), Set.of("--output", "--customers", "--purchases",
          "--seed", "--end-date", "--format", "--master"));
      if (line.flag("--help")) {
        System.out.print(USAGE);
        return ExitCode.SUCCESS.status();
      }
      output = line.value("--output").orElseThrow(() -> new ConfigurationException("--output: required"));
      customers = line.value("--customers", Long::parseLong, "a whole number").orElse(10_000L);
      purchases = line.value("--purchases", Long::parseLong, "a whole number").orElse(100_000L);
      seed = line.value("--seed", Long::parseLong, "a whole number").orElse(42L);
      endDate = line.value("--end-date", LocalDate::parse, "YYYY-MM-DD")
          .orElseGet(() -> LocalDate.now(java.time.ZoneOffset.UTC).minusDays(1));
      format = line.value("--format").orElse("parquet").toLowerCase(Locale.ROOT);
      if (!List.of("parquet", "delta", "csv").contains(format)) {
        throw new ConfigurationException("--format: expected parquet, delta or csv, got \"" + format + "\"");
      }
      master = line.value("--master");
    } catch (ConfigurationException e) {
      System.err.println("ERROR " + e.summary() + "\n" + USAGE);
      return ExitCode.USAGE.status();
    }
    SparkSession.Builder builder = SparkSessions.withDelta(SparkSession.builder().appName("generate-sample-data")
        .config("spark.sql.session.timeZone", "UTC"));
    master.ifPresent(builder::master);
    SparkSession spark = builder.getOrCreate();
    try {
      SampleDataGenerator generator = new SampleDataGenerator(customers, purchases, seed, endDate);
      long start = System.nanoTime();
      write(generator.purchases(spark), output + "/purchases", format);
      write(generator.profiles(spark), output + "/profiles", format);
      System.out.printf(Locale.ROOT, "result=generated customers=%d purchases=%d seed=%d end_date=%s format=%s "
          + "output=%s seconds=%.1f%n", customers, purchases, seed, endDate, format, output,
          (System.nanoTime() - start) / 1e9);
      return ExitCode.SUCCESS.status();
    } finally {
      spark.stop();
    }
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
