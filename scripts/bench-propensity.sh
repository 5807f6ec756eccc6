#!/usr/bin/env bash
# What propensity models cost a night, side by side: the full nightly job on the benchmark's data without models and
# with two (a purchase label over 30 days and a lookalike of the Champions on profile features, learners and folds as
# reference.conf sets them), each from an empty lake, alternately, as whole processes (2 GiB driver heap, local[2]).
#   scripts/bench-propensity.sh [--runs N] [purchases]      (default: --runs 1  10000000, about 1,000,000 customers)
# Prints each run's wall time, the propensity step's seconds and details and the two tables' writes; the medians and
# their difference at the end. Data: $BENCH_DIR/data (default target/bench/data), shared with scripts/bench.sh.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib/common.sh"

runs=1
while [[ "${1:-}" == --* ]]; do
  case "$1" in
    --runs) runs="$2"; shift 2 ;;
    *) sed -n '2,7p' "$0"; exit 2 ;;
  esac
done
size="${1:-10000000}"
cd "$REPO_ROOT"
ensure_built
BENCH_DIR="${BENCH_DIR:-$REPO_ROOT/target/bench}"
RUN_DATE=2026-11-20
data="$BENCH_DIR/data/$size"
ensure_bench_data "$data" "$size" "$RUN_DATE"
out="$BENCH_DIR/propensity/$size"
mkdir -p "$out"
bench_job_conf "$REPO_ROOT/conf/local.conf" "$out/lake" "$data" > "$out/without.conf"
{
  cat "$out/without.conf"
  cat <<'CONF'
segments.propensity {
  enabled = true
  models = [
    { name = "buy_30d", label = "purchase", window-days = 30 }
    { name = "champion_lookalike", label = "lookalike", seed = "rfm_segment = 'Champions'",
      features = [ { name = "age", transform = "standardize", missing-indicator = true },
                   { name = "income", transform = "log1p", missing-indicator = true },
                   { name = "gender", transform = "one-hot" }, { name = "interests", transform = "multi-hot" } ] }
  ]
}
CONF
} > "$out/with.conf"

rm -f "$out/times.txt"
median() { sort -n | awk '{ t[NR] = $1 } END { print (NR % 2) ? t[(NR + 1) / 2] : (t[NR / 2] + t[NR / 2 + 1]) / 2 }'; }
for run in $(seq 1 "$runs"); do
  for variant in without with; do
    rm -rf "$out/lake"
    log="$out/$variant-$run.log"
    start=$(date +%s.%N)
    run_java org.segmentation.jobs.NightlySegmentsJob --config "$out/$variant.conf" --run-date "$RUN_DATE" \
      > "$log" 2>&1 || { echo "the $variant run failed: see $log" >&2; exit 1; }
    seconds=$(awk -v s="$start" -v e="$(date +%s.%N)" 'BEGIN { printf "%.1f", e - s }')
    echo "$variant $seconds" >> "$out/times.txt"
    echo "run $run $variant: ${seconds} s"
    grep -E '^stage=(propensity|write_customer_propensity|write_propensity_model_metrics) ' "$log" | sed 's/^/  /'
  done
done
without=$(awk '$1 == "without" { print $2 }' "$out/times.txt" | tail -n "$runs" | median)
with=$(awk '$1 == "with" { print $2 }' "$out/times.txt" | tail -n "$runs" | median)
customers=$(grep -o ' customers=[0-9]*' "$out/with-$runs.log" | tail -1 | cut -d= -f2)
echo "purchases=$size customers=$customers runs=$runs without=${without}s with=${with}s" \
  "difference=$(awk -v a="$with" -v b="$without" 'BEGIN { printf "%.1f", a - b }')s"
