"""Example Airflow DAG: one nightly run of the segmentation job per day, with backfills (catchup).

The run date is Airflow's logical date ({{ ds }}): a backfill of 2026-11-01 recomputes exactly that date and
replaces only its partition. A failed run (any non-zero exit) publishes nothing new, so retries are safe; exit 2
(configuration) and 3 (data-quality gate: see the quarantine table) need a person rather than a retry.
"""
from datetime import datetime, timedelta

from airflow import DAG
from airflow.operators.bash import BashOperator

with DAG(
    dag_id="customer_segments",
    start_date=datetime(2026, 1, 1),
    schedule="0 3 * * *",  # after the order lines of the day have landed
    catchup=True,
    max_active_runs=1,  # runs of different dates may overlap safely, but one at a time keeps transitions in order
    default_args={"retries": 2, "retry_delay": timedelta(minutes=15)},
) as dag:
    BashOperator(
        task_id="nightly_segments",
        bash_command="/opt/segments/scripts/submit.sh --config /opt/segments/conf/cluster.conf --run-date {{ ds }}",
    )
