#!/usr/bin/env bash
# The spark-submit command an orchestrator (Airflow, cron) runs each night, for one run date:
#   scripts/submit.sh --run-date 2026-11-21 [--config conf/cluster.conf] [more job options]
# Needs spark-submit on the PATH (or SPARK_HOME). Cluster settings come from the environment:
#   SPARK_MASTER (default yarn), DEPLOY_MODE (default cluster), EXECUTOR_INSTANCES, EXECUTOR_CORES, EXECUTOR_MEMORY,
#   DRIVER_MEMORY, JOB_JAR (default jobs/target/segmentation-jobs.jar).
# In cluster deploy mode the config file is shipped with --files and read from the driver's working directory.
# Exit status is the job's: 0 published, 2 configuration, 3 data quality (nothing published), 1 other (retry).
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib/common.sh"

config="$REPO_ROOT/conf/cluster.conf"
args=()
while [[ $# -gt 0 ]]; do
  case "$1" in
    --config) config="$2"; shift 2 ;;
    *) args+=("$1"); shift ;;
  esac
done

spark_submit="spark-submit"
[[ -n "${SPARK_HOME:-}" ]] && spark_submit="$SPARK_HOME/bin/spark-submit"
deploy_mode="${DEPLOY_MODE:-cluster}"
config_arg="$config"
[[ "$deploy_mode" == "cluster" ]] && config_arg="$(basename "$config")"

exec "$spark_submit" \
  --master "${SPARK_MASTER:-yarn}" \
  --deploy-mode "$deploy_mode" \
  --name customer-segments \
  --class org.segmentation.jobs.NightlySegmentsJob \
  --files "$config" \
  --driver-memory "${DRIVER_MEMORY:-2g}" \
  --executor-memory "${EXECUTOR_MEMORY:-4g}" \
  --executor-cores "${EXECUTOR_CORES:-4}" \
  --num-executors "${EXECUTOR_INSTANCES:-4}" \
  --conf "spark.driver.extraJavaOptions=${JVM_OPENS[*]}" \
  --conf "spark.executor.extraJavaOptions=${JVM_OPENS[*]}" \
  "${JOB_JAR:-$JOB_JAR}" \
  --config "$config_arg" "${args[@]}"
