package org.segmentation.jobs;

import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import org.apache.spark.ExecutorLostFailure;
import org.apache.spark.Success$;
import org.apache.spark.scheduler.SparkListener;
import org.apache.spark.scheduler.SparkListenerExecutorRemoved;
import org.apache.spark.scheduler.SparkListenerTaskEnd;
import org.apache.spark.scheduler.SparkListenerTaskStart;

/**
 * A driver-side listener ({@code spark.extraListeners}) for the worker-kill test: it prints, to the job's output, when
 * tasks run on two executors at once ({@code recovery_listener busy_executors=2}: the moment to kill a worker), each
 * task lost with its executor, each executor removed with the tasks it lost, and each lost task that then
 * succeeded on another executor. So the test knows that recovery was exercised, not only that the night published.
 */
public class RecoveryListener extends SparkListener {
  private final Map<String, Set<String>> runningByExecutor = new HashMap<>();
  private final Map<String, String> lostOn = new HashMap<>(); // task (stage:partition) -> executor it was lost with
  private final Map<String, Integer> lostByExecutor = new HashMap<>();
  private boolean saidBusy;

  private static String task(int stage, int partition) {
    return stage + ":" + partition;
  }

  private static void say(String line) {
    System.out.println("recovery_listener " + line);
    System.out.flush();
  }

  @Override
  public synchronized void onTaskStart(SparkListenerTaskStart start) {
    runningByExecutor.computeIfAbsent(start.taskInfo().executorId(), e -> new HashSet<>())
        .add(task(start.stageId(), start.taskInfo().partitionId()));
    long busy = runningByExecutor.values().stream().filter(tasks -> !tasks.isEmpty()).count();
    if (busy >= 2 && !saidBusy) {
      saidBusy = true;
      say("busy_executors=" + busy);
    }
  }

  @Override
  public synchronized void onTaskEnd(SparkListenerTaskEnd end) {
    String executor = end.taskInfo().executorId();
    String task = task(end.stageId(), end.taskInfo().partitionId());
    Set<String> running = runningByExecutor.get(executor);
    if (running != null) {
      running.remove(task);
    }
    if (end.reason() instanceof ExecutorLostFailure) {
      lostOn.put(task, executor);
      lostByExecutor.merge(executor, 1, Integer::sum);
      say("task_lost task=" + task + " executor=" + executor);
    } else if (end.reason() == Success$.MODULE$ && lostOn.containsKey(task) && !lostOn.get(task).equals(executor)) {
      say("task_rerun task=" + task + " lost_on=" + lostOn.remove(task) + " succeeded_on=" + executor);
    }
  }

  /** The tasks an executor was running when it died end (ExecutorLostFailure) before its removal is posted. */
  @Override
  public synchronized void onExecutorRemoved(SparkListenerExecutorRemoved removed) {
    Set<String> running = runningByExecutor.getOrDefault(removed.executorId(), Set.of());
    say("executor_removed=" + removed.executorId() + " tasks_lost="
        + (lostByExecutor.getOrDefault(removed.executorId(), 0) + running.size()));
  }
}
