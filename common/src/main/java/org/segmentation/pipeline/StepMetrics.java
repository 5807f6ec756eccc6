package org.segmentation.pipeline;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.spark.executor.TaskMetrics;
import org.apache.spark.scheduler.SparkListener;
import org.apache.spark.scheduler.SparkListenerJobStart;
import org.apache.spark.scheduler.SparkListenerTaskEnd;

/**
 * Per-step seconds and Spark task metrics of one run, for its one-line JSON summary: a SparkListener that files each
 * finished task under the step whose job group started its job ({@code segments: <step>}), and sums records read and
 * written, shuffle bytes and spill. Listener events arrive asynchronously: {@link #json} is called at the end of a step
 * boundary, when the tasks of earlier steps have long been reported; the figures of the step still running may lag.
 */
public final class StepMetrics extends SparkListener {
  private static final ObjectMapper JSON = new ObjectMapper();

  /** What the tasks of one step did. */
  static final class Totals {
    long tasks;
    long recordsRead;
    long recordsWritten;
    long shuffleReadBytes;
    long shuffleWriteBytes;
    long spillBytes;
  }

  private final Map<Integer, String> stepOfStage = new ConcurrentHashMap<>();
  private final Map<String, Totals> totals = new ConcurrentHashMap<>();
  private final Map<String, Double> seconds = new LinkedHashMap<>();
  /** Jobs of the run's steps running now, when the latest of them started, and the time any ran (ms). */
  private int activeJobs;
  private long busySince;
  private long busyMillis;
  private final java.util.Set<Integer> ourJobs = ConcurrentHashMap.newKeySet();

  @Override
  public void onJobStart(SparkListenerJobStart job) {
    String group = job.properties() == null ? null : job.properties().getProperty("spark.jobGroup.id");
    if (group != null && group.startsWith(StepRunner.JOB_GROUP_PREFIX)) {
      String step = group.substring(StepRunner.JOB_GROUP_PREFIX.length());
      scala.jdk.javaapi.CollectionConverters.asJava(job.stageIds())
          .forEach(stage -> stepOfStage.put((Integer) stage, step));
      synchronized (this) {
        ourJobs.add(job.jobId());
        if (activeJobs++ == 0) {
          busySince = job.time();
        }
      }
    }
  }

  @Override
  public synchronized void onJobEnd(org.apache.spark.scheduler.SparkListenerJobEnd job) {
    if (ourJobs.remove(job.jobId()) && --activeJobs == 0) {
      busyMillis += Math.max(0, job.time() - busySince);
    }
  }

  /**
   * The seconds during which at least one Spark job of the run's steps ran: the rest of a run is its fixed cost
   * outside Spark jobs (planning, Delta's commit protocol, driver-side work, waiting).
   */
  public synchronized double sparkJobSeconds() {
    return busyMillis / 1000.0;
  }

  @Override
  public void onTaskEnd(SparkListenerTaskEnd task) {
    String step = stepOfStage.get(task.stageId());
    TaskMetrics metrics = task.taskMetrics();
    if (step == null || metrics == null) {
      return;
    }
    Totals t = totals.computeIfAbsent(step, s -> new Totals());
    synchronized (t) {
      t.tasks++;
      t.recordsRead += metrics.inputMetrics().recordsRead();
      t.recordsWritten += metrics.outputMetrics().recordsWritten();
      t.shuffleReadBytes += metrics.shuffleReadMetrics().totalBytesRead();
      t.shuffleWriteBytes += metrics.shuffleWriteMetrics().bytesWritten();
      t.spillBytes += metrics.memoryBytesSpilled() + metrics.diskBytesSpilled();
    }
  }

  /** Records a finished step's wall time (the runner calls it). */
  synchronized void stepEnded(String step, double stepSeconds) {
    seconds.merge(step, stepSeconds, Double::sum);
  }

  /**
   * The run as one line of JSON: {@code fields} (run id, date, status ...), then one object per step in the order
   * they ran, with its seconds and the totals of its tasks.
   */
  public synchronized String json(Map<String, Object> fields) {
    ObjectNode root = JSON.createObjectNode();
    fields.forEach((key, value) -> root.set(key, JSON.valueToTree(value)));
    ArrayNode steps = root.putArray("steps");
    for (Map.Entry<String, Double> step : seconds.entrySet()) {
      ObjectNode node = steps.addObject();
      node.put("step", step.getKey());
      node.put("seconds", Math.round(step.getValue() * 10) / 10.0);
      Totals t = totals.getOrDefault(step.getKey(), new Totals());
      synchronized (t) {
        node.put("tasks", t.tasks);
        node.put("records_read", t.recordsRead);
        node.put("records_written", t.recordsWritten);
        node.put("shuffle_read_bytes", t.shuffleReadBytes);
        node.put("shuffle_write_bytes", t.shuffleWriteBytes);
        node.put("spill_bytes", t.spillBytes);
      }
    }
    return root.toString();
  }

  /** For a field map in insertion order. */
  public static Map<String, Object> fields() {
    return new LinkedHashMap<>();
  }
}
