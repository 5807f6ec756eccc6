"""Nightly customer segments, with backfills, acting on the job's outcome.

One run of NightlySegmentsJob per day; the run date is Airflow's logical date ({{ ds }}), so a backfill of
2026-11-01 recomputes exactly that date and replaces only its partition (runs are idempotent, hence catchup=True).

Retries only for what a retry can fix. The job's exit status says which:
  0  published
  1  anything else (a lost executor, a write conflict): retried
  2  configuration or input mapping: fails at once, a person must fix it
  3  data-quality gate (see the quarantine table; nothing was published): fails at once
  75 another run holds the lake (a hand run or a backfill beside this DAG; nothing changed): retried
In cluster deploy mode spark-submit may not pass the driver's exit status on, so a failed submit asks the lake
(CheckPublished reads run_log) for the real one, and the last task checks in the lake that the date is published.

Two variants of the submit task: the provider's SparkSubmitOperator (apache-airflow-providers-apache-spark) when it is
installed, otherwise a plain spark-submit (scripts/submit.sh) from a Python task.
"""
import re
import subprocess
from datetime import datetime, timedelta

from airflow import DAG
from airflow.exceptions import AirflowException, AirflowFailException
from airflow.operators.python import PythonOperator

SEGMENTS_HOME = "/opt/segments"
JOB_JAR = f"{SEGMENTS_HOME}/jobs/target/segmentation-jobs.jar"
CONFIG = f"{SEGMENTS_HOME}/conf/cluster.conf"
# The job's command line (NightlySegmentsJob --help); a test checks every option against the job's own.
JOB_ARGS = ["--config", "cluster.conf", "--run-date", "{{ ds }}"]
CHECK_ARGS = ["--config", CONFIG, "--run-date", "{{ ds }}"]
# Exit statuses a retry cannot fix.
NO_RETRY_EXIT_CODES = {2, 3}


def lake_exit_code(run_date):
    """The exit code of the date's latest run as run_log recorded it (0: published), via CheckPublished."""
    check = subprocess.run(
        ["spark-submit", "--master", "local[1]", "--class", "org.segmentation.jobs.CheckPublished", JOB_JAR]
        + [arg.replace("{{ ds }}", run_date) for arg in CHECK_ARGS],
        capture_output=True, text=True, check=False)
    print(check.stdout)
    return check.returncode


def fail_for_good_or_retry(exit_code, what):
    """Raises the exception that makes Airflow fail the task at once (exit 2 or 3) or retry it (anything else)."""
    if exit_code in NO_RETRY_EXIT_CODES:
        raise AirflowFailException(f"{what} exited {exit_code}: a retry will not help (2: configuration, "
                                   f"3: data quality); see the job's last line and run_log")
    raise AirflowException(f"{what} exited {exit_code}: retrying")


def submit_with_spark_submit(ds, **_):
    """The plain variant: scripts/submit.sh (spark-submit) and its exit status."""
    status = subprocess.run([f"{SEGMENTS_HOME}/scripts/submit.sh", "--config", CONFIG, "--run-date", ds],
                            check=False).returncode
    if status != 0:
        # cluster deploy mode reports any failure as 1: the lake knows the job's own status
        fail_for_good_or_retry(lake_exit_code(ds) if status == 1 else status, "the segments job")


def check_published(ds, **_):
    """The date must be published in the lake, whatever spark-submit said."""
    status = lake_exit_code(ds)
    if status != 0:
        fail_for_good_or_retry(status, "CheckPublished")


try:
    from airflow.providers.apache.spark.operators.spark_submit import SparkSubmitOperator

    class SegmentsSubmitOperator(SparkSubmitOperator):
        """SparkSubmitOperator that does not retry the job's exit 2 or 3 (the lake tells which it was)."""

        def execute(self, context):
            try:
                return super().execute(context)
            except AirflowException as failure:
                reported = re.search(r"Error code is: (\d+)", str(failure))
                status = int(reported.group(1)) if reported else 1
                if status == 1:
                    status = lake_exit_code(context["ds"])
                fail_for_good_or_retry(status, "the segments job")
except ImportError:  # no provider: the plain spark-submit variant below
    SegmentsSubmitOperator = None

with DAG(
    dag_id="customer_segments",
    start_date=datetime(2026, 1, 1),
    schedule="0 3 * * *",  # after the order lines of the day have landed
    catchup=True,  # backfills: each missed day is one run, in order
    max_active_runs=1,  # one run at a time: a run's start repairs the leftovers of killed runs (README)
    default_args={"retries": 2, "retry_delay": timedelta(minutes=15)},
) as dag:
    if SegmentsSubmitOperator is not None:
        segments = SegmentsSubmitOperator(
            task_id="nightly_segments",
            application=JOB_JAR,
            java_class="org.segmentation.jobs.NightlySegmentsJob",
            name="customer-segments",
            conn_id="spark_default",  # the cluster: yarn, k8s://..., spark://...
            deploy_mode="cluster",
            files=CONFIG,  # shipped to the driver's working directory, hence "cluster.conf" in JOB_ARGS
            application_args=JOB_ARGS,
            conf={"spark.yarn.submit.waitAppCompletion": "true"},
        )
    else:
        segments = PythonOperator(task_id="nightly_segments", python_callable=submit_with_spark_submit)

    published = PythonOperator(task_id="check_published", python_callable=check_published, retries=0)

    segments >> published
