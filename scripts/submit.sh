#!/usr/bin/env bash
# The spark-submit command an orchestrator (Airflow, cron) runs each night, for one run date, on YARN, Kubernetes or a
# Spark standalone cluster:
#   scripts/submit.sh --run-date 2026-11-21 [--config conf/cluster.conf] [--conf spark.key=value ...] [job options]
#   scripts/submit.sh --print-command ...      # print the command instead of running it
# Needs spark-submit on the PATH (or SPARK_HOME). The cluster comes from the environment:
#   SPARK_MASTER        yarn (default) | k8s://https://<api-server>:443 | spark://<master>:7077
#   DEPLOY_MODE         cluster (default; the driver runs in the cluster) | client (the driver runs here)
#   DRIVER_MEMORY (2g), EXECUTOR_MEMORY (4g), EXECUTOR_CORES (4), EXECUTOR_INSTANCES (4)
#   K8S_IMAGE           Kubernetes: an image with Spark 4.1 and Java 17 (spark.kubernetes.container.image)
#   K8S_NAMESPACE       Kubernetes namespace (default: default)
#   JOB_JAR             the shaded job jar (default jobs/target/segmentation-jobs.jar); on Kubernetes a path inside
#                       the image (local:///opt/segments/segmentation-jobs.jar) or a URL the driver can fetch
# --conf options go to spark-submit (they win over the configuration file's segments.spark.conf); every other option
# goes to the job. The configuration file is shipped with --files; in cluster deploy mode the job reads it from the
# driver's working directory. Exit status is the job's in client mode: 0 published, 2 configuration, 3 data quality
# (nothing published), 1 other (retry). In cluster mode spark-submit may only say 0 or 1: ask the lake
# (org.segmentation.jobs.CheckPublished, see the Airflow DAG).
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib/common.sh"

config="$REPO_ROOT/conf/cluster.conf"
print_only=false
job_args=()
spark_confs=()
while [[ $# -gt 0 ]]; do
  case "$1" in
    --config) config="$2"; shift 2 ;;
    --conf) spark_confs+=(--conf "$2"); shift 2 ;;
    --print-command) print_only=true; shift ;;
    *) job_args+=("$1"); shift ;;
  esac
done

spark_submit="spark-submit"
[[ -n "${SPARK_HOME:-}" ]] && spark_submit="$SPARK_HOME/bin/spark-submit"
master="${SPARK_MASTER:-yarn}"
deploy_mode="${DEPLOY_MODE:-cluster}"
config_arg="$config"
[[ "$deploy_mode" == "cluster" ]] && config_arg="$(basename "$config")"

command=("$spark_submit"
  --master "$master"
  --deploy-mode "$deploy_mode"
  --name customer-segments
  --class org.segmentation.jobs.NightlySegmentsJob
  --files "$config"
  --driver-memory "${DRIVER_MEMORY:-2g}"
  --executor-memory "${EXECUTOR_MEMORY:-4g}"
  --executor-cores "${EXECUTOR_CORES:-4}")
case "$master" in
  yarn) command+=(--num-executors "${EXECUTOR_INSTANCES:-4}") ;;
  k8s://*)
    command+=(--conf "spark.executor.instances=${EXECUTOR_INSTANCES:-4}"
      --conf "spark.kubernetes.container.image=${K8S_IMAGE:?set K8S_IMAGE to an image with Spark 4.1 and Java 17}"
      --conf "spark.kubernetes.namespace=${K8S_NAMESPACE:-default}") ;;
  spark://*) command+=(--total-executor-cores "$(( ${EXECUTOR_CORES:-4} * ${EXECUTOR_INSTANCES:-4} ))") ;;
esac
command+=(--conf "spark.driver.extraJavaOptions=${JVM_OPENS[*]}"
  --conf "spark.executor.extraJavaOptions=${JVM_OPENS[*]}"
  "${spark_confs[@]}"
  "${JOB_JAR:-$JOB_JAR}"
  --config "$config_arg" "${job_args[@]}")

if $print_only; then
  printf '%q ' "${command[@]}" | sed 's/ $//'
  echo
  exit 0
fi
exec "${command[@]}"
