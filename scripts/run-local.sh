#!/usr/bin/env bash
# Runs the nightly segmentation job end to end on local Spark (embedded, no cluster, no SPARK_HOME):
# builds the jar if needed, generates sample data under lakehouse/raw when absent, runs the job (conf/local.conf
# unless --config is given) and prints where the tables are. Arguments go to the job, e.g.
#   ./scripts/run-local.sh --run-date 2026-11-21
#   ./scripts/run-local.sh --dry-run
#   ./scripts/run-local.sh --config conf/examples/cdnow.conf --run-date 1998-06-30
# Environment: SAMPLE_CUSTOMERS (default 20000), SAMPLE_PURCHASES (default 200000), DRIVER_MEMORY (default 2g).
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib/common.sh"
cd "$REPO_ROOT"
ensure_built

config=conf/local.conf
args=("$@")
for ((i = 0; i < ${#args[@]}; i++)); do
  if [[ "${args[i]}" == "--config" && $((i + 1)) -lt ${#args[@]} ]]; then config="${args[i + 1]}"; fi
done
has_config=false
for arg in "$@"; do [[ "$arg" == "--config" ]] && has_config=true; done

if [[ "$config" == "conf/local.conf" ]] && [[ ! -d lakehouse/raw/purchases || ! -d lakehouse/raw/profiles ]]; then
  echo "generating sample data in lakehouse/raw ..."
  run_java org.segmentation.jobs.GenerateSampleDataJob --master "local[*]" --output lakehouse/raw \
    --customers "${SAMPLE_CUSTOMERS:-20000}" --purchases "${SAMPLE_PURCHASES:-200000}" --seed 42
fi

status=0
if $has_config; then
  run_java org.segmentation.jobs.NightlySegmentsJob "$@" || status=$?
else
  run_java org.segmentation.jobs.NightlySegmentsJob --config "$config" "$@" || status=$?
fi
if [[ $status -eq 0 ]]; then
  echo
  echo "Delta tables (one partition per run_date) under $REPO_ROOT:"
  lake_root="$(grep -E '^\s*lake\.root\s*=' "$config" | head -1 | sed -E 's/.*=\s*"?([^"]*)"?.*/\1/')"
  lake_root="${lake_root:-lakehouse}"
  for table in customer_segments segment_summary segment_transitions cluster_profiles cluster_models quarantine run_log; do
    [[ -d "$lake_root/$table" ]] && echo "  $lake_root/$table"
  done
fi
exit $status
