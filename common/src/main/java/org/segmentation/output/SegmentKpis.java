package org.segmentation.output;

import static org.apache.spark.sql.functions.array;
import static org.apache.spark.sql.functions.avg;
import static org.apache.spark.sql.functions.coalesce;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.count;
import static org.apache.spark.sql.functions.date_sub;
import static org.apache.spark.sql.functions.explode;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.struct;
import static org.apache.spark.sql.functions.sum;
import static org.apache.spark.sql.functions.to_date;
import static org.apache.spark.sql.functions.when;
import static org.segmentation.schema.Columns.ANSWERED_TS;
import static org.segmentation.schema.Columns.ANSWERS;
import static org.segmentation.schema.Columns.BREAKDOWN;
import static org.segmentation.schema.Columns.CELL;
import static org.segmentation.schema.Columns.CONVERSION;
import static org.segmentation.schema.Columns.CSAT;
import static org.segmentation.schema.Columns.CUSTOMERS;
import static org.segmentation.schema.Columns.CUSTOMER_ID;
import static org.segmentation.schema.Columns.LAST_PURCHASE_DATE;
import static org.segmentation.schema.Columns.NET_REVENUE;
import static org.segmentation.schema.Columns.NPS;
import static org.segmentation.schema.Columns.PREDICTED_CLV;
import static org.segmentation.schema.Columns.REVENUE;
import static org.segmentation.schema.Columns.RUN_DATE;
import static org.segmentation.schema.Columns.SCORE;
import static org.segmentation.schema.Columns.meanOf;

import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.segmentation.config.KpiSettings;
import org.segmentation.config.KpiSettings.SurveyScale;
import org.segmentation.schema.BreakdownCells;
import org.segmentation.schema.Columns;

/**
 * segment_kpis: per cell of each breakdown (and for every customer: {@link BreakdownCells}) the customers,
 * their net revenue, conversion (a counted order in the last {@code conversionDays} days, by the customer's
 * last_purchase_date), mean predicted CLV, and the survey answers of the last {@code surveyDays} days up to the run
 * date, read as CSAT (% of answers of 4 or 5) or NPS (% of 9-10 minus % of 0-6). Answers of customers the night does
 * not know (no purchase, no profile) have no segment and are not counted. One aggregation.
 *
 * @param breakdowns customer_segments columns whose values are the cells
 */
public record SegmentKpis(LocalDate runDate, KpiSettings settings, List<String> breakdowns) {
  /** The RFM segment, the cluster and the CLV tier. */
  public static final List<String> BREAKDOWNS = List.of(Columns.RFM_SEGMENT, Columns.CLUSTER_NAME, Columns.CLV_TIER);

  private static final String CONVERTED = "__converted";
  private static final String GOOD = "__good";
  private static final String BAD = "__bad";
  private static final String CELLS = "__cells";

  /**
   * @param customers tonight's customer_segments rows
   * @param answers the accepted survey answers (customer_id, answered_ts, score), when there is a surveys input
   */
  public Dataset<Row> apply(Dataset<Row> customers, Optional<Dataset<Row>> answers) {
    Column asOf = lit(java.sql.Date.valueOf(runDate));
    SurveyScale scale = settings.surveyScale();
    List<Column> kept = new ArrayList<>(List.of(col(CUSTOMER_ID), col(NET_REVENUE), col(PREDICTED_CLV),
        when(col(LAST_PURCHASE_DATE).gt(date_sub(asOf, settings.conversionDays())), 1.0).otherwise(0.0)
            .as(CONVERTED)));
    breakdowns.forEach(b -> kept.add(col(b)));
    Dataset<Row> rows = customers.select(kept.toArray(Column[]::new));
    if (answers.isPresent()) {
      Column day = to_date(col(ANSWERED_TS));
      // CSAT counts the satisfied (4-5) as good; NPS the promoters (9-10) as good and the detractors (0-6) as bad
      Column good = scale == SurveyScale.CSAT ? col(SCORE).geq(4) : col(SCORE).geq(9);
      Column bad = scale == SurveyScale.CSAT ? lit(false) : col(SCORE).leq(6);
      rows = rows.join(answers.get()
          .where(day.leq(asOf).and(day.gt(date_sub(asOf, settings.surveyDays()))))
          .groupBy(col(CUSTOMER_ID))
          .agg(count(lit(1)).as(ANSWERS), sum(when(good, 1L).otherwise(0L)).as(GOOD),
              sum(when(bad, 1L).otherwise(0L)).as(BAD)), new String[] {CUSTOMER_ID}, "left");
    } else {
      rows = rows.withColumn(ANSWERS, lit(null).cast("long")).withColumn(GOOD, lit(null).cast("long"))
          .withColumn(BAD, lit(null).cast("long"));
    }
    Column answered = coalesce(sum(col(ANSWERS)), lit(0L));
    return rows.withColumn(CELLS, explode(BreakdownCells.of(breakdowns)))
        .groupBy(col(CELLS + "." + BREAKDOWN).as(BREAKDOWN), col(CELLS + "." + CELL).as(CELL))
        .agg(count(lit(1)).as(CUSTOMERS), sum(col(NET_REVENUE)).as(REVENUE), avg(col(CONVERTED)).as(CONVERSION),
            avg(col(PREDICTED_CLV)).cast("double").as(meanOf(PREDICTED_CLV)), answered.as(ANSWERS),
            sum(col(GOOD)).as(GOOD), sum(col(BAD)).as(BAD))
        .select(asOf.as(RUN_DATE), col(BREAKDOWN), col(CELL), col(CUSTOMERS), col(REVENUE), col(CONVERSION),
            col(meanOf(PREDICTED_CLV)), col(ANSWERS),
            percentOfAnswers(col(GOOD), scale == SurveyScale.CSAT).as(CSAT),
            percentOfAnswers(col(GOOD).minus(col(BAD)), scale == SurveyScale.NPS).as(NPS));
  }

  /** 100 × count / answers on its own scale; NULL without answers or on the other scale. */
  private static Column percentOfAnswers(Column count, boolean onThisScale) {
    return onThisScale ? when(col(ANSWERS).gt(0), count.multiply(100.0).divide(col(ANSWERS)))
        .cast("double") : lit(null).cast("double");
  }
}
