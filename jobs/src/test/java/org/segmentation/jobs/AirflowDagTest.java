package org.segmentation.jobs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The Airflow DAG, without Airflow: it compiles, and scripts/airflow/check_dag.py (Python's standard library) finds
 * no problem with it given the job's own options; a DAG with a wrong option, a fixed date or retried exit codes is
 * caught.
 */
class AirflowDagTest {
  static final Path DAG = CdnowReferenceTest.REPO.resolve("scripts/airflow/customer_segments_dag.py");
  static final Path CHECK = CdnowReferenceTest.REPO.resolve("scripts/airflow/check_dag.py");

  @TempDir
  Path dir;

  private static Result python(String... args) throws IOException, InterruptedException {
    List<String> command = new ArrayList<>(List.of("python3", "-B"));
    command.addAll(List.of(args));
    Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
    String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    return new Result(process.waitFor(), output);
  }

  private record Result(int status, String output) {}

  private static String[] check(Path dag) {
    List<String> args = new ArrayList<>(List.of(CHECK.toString(), dag.toString(), "--job-options"));
    TreeSet<String> options = new TreeSet<>(JobArgs.FLAGS);
    options.addAll(JobArgs.VALUED);
    args.addAll(options);
    return args.toArray(String[]::new);
  }

  @Test
  void theDagCompilesAndPassesTheCheck() throws Exception {
    Result compiled = python("-c", "import ast, sys; compile(open(sys.argv[1]).read(), sys.argv[1], 'exec')",
        DAG.toString());
    assertEquals(0, compiled.status(), compiled.output());
    Result checked = python(check(DAG));
    assertEquals(0, checked.status(), checked.output());
    assertTrue(checked.output().contains("problems=0"), checked.output());
  }

  @Test
  void aBrokenDagIsCaught() throws Exception {
    String dag = Files.readString(DAG);
    Path broken = dir.resolve("broken_dag.py");
    Files.writeString(broken, dag
        .replace("JOB_ARGS = [\"--config\", \"cluster.conf\", \"--run-date\", \"{{ ds }}\"]",
            "JOB_ARGS = [\"--config\", \"cluster.conf\", \"--date\", \"{{ ds }}\"]")
        .replace("NO_RETRY_EXIT_CODES = {2, 3}", "NO_RETRY_EXIT_CODES = {3}"));
    Result checked = python(check(broken));
    assertEquals(1, checked.status(), checked.output());
    assertTrue(checked.output().contains("--date is not an option of the job"), checked.output());
    assertTrue(checked.output().contains("NO_RETRY_EXIT_CODES"), checked.output());
  }
}
