#!/usr/bin/env bash
# Runs the nightly segmentation job end to end on local Spark (embedded, no cluster, no SPARK_HOME):
# builds the jar if needed, generates sample data under lakehouse/raw when absent, runs the job with
# conf/local.conf and prints where the tables are. Extra arguments go to the job, e.g.
#   ./scripts/run-local.sh --run-date 2026-11-21
#   ./scripts/run-local.sh --dry-run
# Environment: SAMPLE_CUSTOMERS (default 20000), SAMPLE_PURCHASES (default 200000), DRIVER_MEMORY (default 2g).
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib/common.sh"
cd "$REPO_ROOT"
ensure_built

if [[ ! -d lakehouse/raw/purchases || ! -d lakehouse/raw/profiles ]]; then
  echo "generating sample data in lakehouse/raw ..."
  run_java org.segmentation.jobs.GenerateSampleDataJob --master "local[*]" --output lakehouse/raw \
    --customers "${SAMPLE_CUSTOMERS:-20000}" --purchases "${SAMPLE_PURCHASES:-200000}" --seed 42
fi

status=0
run_java org.segmentation.jobs.NightlySegmentsJob --config conf/local.conf "$@" || status=$?
if [[ $status -eq 0 ]]; then
  echo
  echo "Delta tables under $REPO_ROOT/lakehouse:"
  for table in customer_segments segment_summary segment_transitions quarantine run_log; do
    [[ -d "lakehouse/$table" ]] && echo "  lakehouse/$table"
  done
fi
exit $status
