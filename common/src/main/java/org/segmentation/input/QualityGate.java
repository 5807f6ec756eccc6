package org.segmentation.input;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Pattern;
import org.segmentation.config.JobSettings;
import org.segmentation.config.QualitySettings;
import org.segmentation.config.SourceSettings;
import org.segmentation.pipeline.RunContext;
import org.segmentation.pipeline.Step;
import org.segmentation.pipeline.StepResult;
import org.segmentation.run.DataQualityException;

/**
 * Step {@code quality_gate}: stops the night (exit 3, nothing published) when an input is empty, when more than
 * {@code quality.max-quarantined-share} of an input's rows were quarantined, or when no purchase is usable. Works on
 * the counts (no Spark job) until it fails; then one small job finds the top reasons, so the one-line message says
 * what to look at. (The profile match is gated after the features: {@code ProfileMatchGate}.)
 */
public record QualityGate(ValidatedInputs inputs) implements Step<QualityGate.Passed> {

  /** The gate passed: the largest quarantined share of any input, and the limit. */
  public record Passed(double worstQuarantinedShare, double limit) implements StepResult {
    @Override
    public String progressDetails() {
      return String.format(Locale.ROOT, "worst_quarantined_share=%.4f limit=%s", worstQuarantinedShare, limit);
    }
  }

  @Override
  public String name() {
    return "quality_gate";
  }

  @Override
  public Passed execute(RunContext run) {
    QualitySettings quality = run.settings().quality();
    double worst = 0;
    // An incremental night reads the purchase lines added since the last night: none is a quiet day, not an empty
    // input (the state holds the lines the gate passed before).
    boolean incremental = inputs.plan().incremental();
    for (ValidatedInput.Counts c : inputs.counts()) {
      if (incremental && c.input().equals(inputs.purchases().name()) && c.read() == 0) {
        continue;
      }
      SourceSettings source = java.util.stream.Stream.of(run.settings().purchases(), run.settings().profiles(),
          run.settings().surveys(), run.settings().experimentsInput(), run.settings().products()).filter(s -> s.name().equals(c.input()))
          .findFirst().orElseThrow();
      check("segment", c, inputs.named(c.input()), source, quality);
      worst = Math.max(worst, c.quarantinedShare());
    }
    ValidatedInput.Counts purchases = inputs.countsOf(inputs.purchases().name());
    if (purchases.accepted() == 0 && !incremental) {
      throw new DataQualityException("Cannot segment: no usable purchase among " + purchases.read() + " rows");
    }
    return new Passed(worst, quality.maxQuarantinedShare());
  }

  /**
   * One input's gate, for every command that reads one: stops with a data error (exit 3) when it is empty or when more
   * than quality.max-quarantined-share of its rows were quarantined, naming the three most frequent reasons.
   *
   * @param action what the command cannot do then ("segment", "read out"), the start of the message
   */
  public static void check(String action, ValidatedInput.Counts counts, ValidatedInput input, SourceSettings source,
      QualitySettings quality) {
    if (counts.read() == 0) {
      throw new DataQualityException("Cannot " + action + ": input " + counts.input() + " is empty");
    }
    if (counts.quarantinedShare() > quality.maxQuarantinedShare()) {
      throw new DataQualityException(String.format(Locale.ROOT,
          "Cannot %s: %d of %d %s rows (%.2f %%) were quarantined, above the limit of %.2f %% (%s); top reasons: %s",
          action, counts.quarantined(), counts.read(), counts.input(), 100 * counts.quarantinedShare(),
          100 * quality.maxQuarantinedShare(),
          JobSettings.keyPath(QualitySettings.BLOCK, QualitySettings.MAX_QUARANTINED_SHARE),
          topReasons(input, source)));
    }
  }

  /**
   * The three most frequent reasons of an input's quarantined rows, each with its count and one example:
   * {@code missing_order_ts: 21739 rows, e.g. '2010-12-01 08:26'}. For a reason about one column whose mapping reads
   * one input column, the example is that column's original value; otherwise the original row. One Spark job.
   */
  private static String topReasons(ValidatedInput validated, SourceSettings source) {
    List<String> reasons = new ArrayList<>();
    for (ValidatedInput.Reason reason : validated.topReasons(3)) {
      reasons.add(reason.code() + ": " + reason.rows() + " rows, e.g. " + example(reason, source));
    }
    return String.join("; ", reasons);
  }

  /**
   * The original value behind a reason: the value of the input column its mapping reads ({@code name='value'} pairs
   * when it reads several), NULL for a missing value (JSON rows leave NULL fields out), else the original row (at most
   * 200 characters).
   */
  private static String example(ValidatedInput.Reason reason, SourceSettings source) {
    String column = reason.code().replaceFirst("^(" + InputValidation.MISSING + "|" + InputValidation.UNPARSEABLE
        + ")", "");
    JsonNode row = parse(reason.exampleRow());
    if (row != null && !column.equals(reason.code())) {
      String expression = source.columns().getOrDefault(column, column);
      List<String> read = new ArrayList<>();
      row.fieldNames().forEachRemaining(field -> {
        if (Pattern.compile("(?<![A-Za-z0-9_])" + Pattern.quote(field) + "(?![A-Za-z0-9_])").matcher(expression)
            .find()) {
          read.add(field);
        }
      });
      if (read.size() == 1) {
        return "'" + row.get(read.get(0)).asText() + "'";
      }
      if (!read.isEmpty()) {
        return String.join(", ", read.stream().map(f -> f + "='" + row.get(f).asText() + "'").toList());
      }
      if (reason.code().startsWith(InputValidation.MISSING)) {
        return "NULL";
      }
    }
    String text = String.valueOf(reason.exampleRow());
    return text.length() <= 200 ? text : text.substring(0, 197) + "...";
  }

  private static JsonNode parse(String json) {
    try {
      return json == null ? null : new ObjectMapper().readTree(json);
    } catch (JsonProcessingException e) {
      return null;
    }
  }
}
