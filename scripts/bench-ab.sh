#!/usr/bin/env bash
# The full nightly job of two builds, side by side on the benchmark's data: did a change make it slower?
#   scripts/bench-ab.sh [--runs N] BASELINE_JAR [purchases ...]      (default: --runs 3  1000000 10000000)
# BASELINE_JAR is a job jar built from another commit (git worktree add /tmp/base <rev> && cd /tmp/base &&
# mvn -B -q -DskipTests package; then /tmp/base/jobs/target/segmentation-jobs.jar); the other build is this
# checkout's jar. For each size, the two jobs run alternately, each from an empty lake (as scripts/bench.sh's (a):
# every run fits the clustering model), as whole processes with a 2 GiB driver heap on local[2]. Prints the median
# wall time of each and their ratio. Data: $BENCH_DIR/data (default target/bench/data), shared with scripts/bench.sh.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib/common.sh"

runs=3
while [[ "${1:-}" == --* ]]; do
  case "$1" in
    --runs) runs="$2"; shift 2 ;;
    *) sed -n '2,9p' "$0"; exit 2 ;;
  esac
done
[[ $# -ge 1 ]] || { sed -n '2,9p' "$0"; exit 2; }
baseline="$(cd "$(dirname "$1")" && pwd)/$(basename "$1")"; shift
sizes=("$@")
[[ ${#sizes[@]} -eq 0 ]] && sizes=(1000000 10000000)
cd "$REPO_ROOT"
ensure_built
BENCH_DIR="${BENCH_DIR:-$REPO_ROOT/target/bench}"
RUN_DATE=2026-11-20
classpath="$(cat "$SPARK_CLASSPATH_FILE")"

# median of the numbers on standard input
median() { sort -n | awk '{ t[NR] = $1 } END { print (NR % 2) ? t[(NR + 1) / 2] : (t[NR / 2] + t[NR / 2 + 1]) / 2 }'; }

echo "| purchases | runs | baseline (median, s) | this build (median, s) | this / baseline |"
echo "|---|---|---|---|---|"
for size in "${sizes[@]}"; do
  data="$BENCH_DIR/data/$size"
  ensure_bench_data "$data" "$size" "$RUN_DATE"
  out="$BENCH_DIR/ab/$size"
  write_bench_job_conf "$out" "$data"
  : > "$out/times.tsv"
  for run in $(seq 1 "$runs"); do
    for build in baseline this; do
      jar="$JOB_JAR"; [[ "$build" == baseline ]] && jar="$baseline"
      rm -rf "$out/lake"
      start=$(date +%s.%N)
      java -Xmx2g "${JVM_OPENS[@]}" -cp "$jar:$classpath" org.segmentation.jobs.NightlySegmentsJob \
        --config "$out/job.conf" --run-date "$RUN_DATE" > "$out/$build-$run.log" 2>&1 \
        || { echo "FAILED: $build run $run, see $out/$build-$run.log" >&2; exit 1; }
      end=$(date +%s.%N)
      printf '%s\t%s\n' "$build" "$(awk -v s="$start" -v e="$end" 'BEGIN { printf "%.2f", e - s }')" >> "$out/times.tsv"
      echo "  size=$size run=$run $build $(tail -1 "$out/times.tsv" | cut -f2) s" >&2
    done
  done
  base=$(awk -F'\t' '$1 == "baseline" { print $2 }' "$out/times.tsv" | median)
  this=$(awk -F'\t' '$1 == "this" { print $2 }' "$out/times.tsv" | median)
  echo "| $size | $runs | $base | $this | $(awk -v a="$this" -v b="$base" 'BEGIN { printf "%.3f", a / b }') |"
done
