package org.segmentation.bench;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.lit;

import java.io.File;
import java.time.Instant;
import java.util.Map;
import org.apache.spark.sql.SaveMode;
import org.apache.spark.sql.SparkSession;
import org.segmentation.config.JobSettings;
import org.segmentation.features.BuildFeatures;
import org.segmentation.input.LoadAndValidate;
import org.segmentation.input.QualityGate;
import org.segmentation.input.ValidatedInputs;
import org.segmentation.io.SparkSessions;
import org.segmentation.pipeline.RunContext;
import org.segmentation.pipeline.StepRunner;
import org.segmentation.rfm.KeepPurchaseState;
import org.segmentation.rfm.ScoreRfm;
import org.segmentation.run.Progress;
import org.segmentation.schema.Columns;

/**
 * Benchmark (b), "job path": the job's own steps from reading through column mapping, validation (with its cache and
 * counts), the quality gate, the customer features (RFM aggregate and behaviour) and RFM scoring, with the job's
 * configuration and Spark session, writing each customer's RFM values and scores to a Delta table replaced per run
 * date. Only the profiles are left out ({@code inputs.profiles.enabled = false}), so that every engine answers the
 * same question from the same purchases. {@code --startup-only true} measures Spark's start-up.
 */
public final class JobPathBench {
  private JobPathBench() {}

  public static void main(String[] args) {
    BenchArgs in = BenchArgs.parse(args);
    JobSettings settings = JobSettings.load(new File(in.get("config")),
        Map.of("segments.inputs.profiles.enabled", "false"));
    SparkSession spark = SparkSessions.start(settings);
    try {
      if (Boolean.parseBoolean(in.values().getOrDefault("startup-only", "false"))) {
        spark.range(1).count();
        return;
      }
      RunContext run = new RunContext(spark, settings, in.runDate(), "bench-job-path", Instant.now(), "bench");
      try (Progress progress = new Progress(System.out, 0); StepRunner steps = new StepRunner(run, progress)) {
        ValidatedInputs inputs = steps.run(LoadAndValidate.wholeInputs());
        steps.run(new QualityGate(inputs));
        BuildFeatures.Features features = steps.run(new BuildFeatures(inputs,
            new KeepPurchaseState.Kept(java.util.Optional.empty(), java.util.Optional.empty(), Map.of())));
        ScoreRfm.Scored scored = steps.run(new ScoreRfm(features.rows()));
        progress.begin("write_scores"); // a stage line of its own, for the benchmark's stage table
        scored.rows()
            .select(col(Columns.CUSTOMER_ID), col(Columns.RECENCY_DAYS), col(Columns.FREQUENCY), col(Columns.MONETARY),
                col(Columns.R_SCORE), col(Columns.F_SCORE), col(Columns.M_SCORE))
            .withColumn(Columns.RUN_DATE, lit(java.sql.Date.valueOf(in.runDate())))
            .write().format("delta").mode(SaveMode.Overwrite).partitionBy(Columns.RUN_DATE)
            .option("replaceWhere", Columns.RUN_DATE + " = DATE'" + in.runDate() + "'")
            .save(in.get("output"));
        progress.end("write_scores", "");
      }
    } finally {
      spark.stop();
    }
  }
}
