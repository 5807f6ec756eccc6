#!/usr/bin/env bash
# Benchmark of incremental nights: what a night with NEW new lines costs on a history of SIZE lines, side by side.
#   scripts/bench-incremental.sh [--runs N] [--new LINES] [--input delta|parquet] [SIZE ...]
#   (default: --runs 1 --new 100000 --input delta 10000000)
# For each size: the history (SIZE purchases, one customer per 10, seed 42, up to 2026-11-20, from the sample
# generator, as scripts/bench.sh has it) in a Delta table with its change data feed on (--input parquet: a folder of
# Parquet files, the generator's), and NEW lines more (seed 43, the same customers, up to 2026-11-21). Each run, each
# night a whole process of the job (conf/local.conf over that input: local[2], driver heap 2 GiB, its audiences and
# report):
#   first        the history's first night (2026-11-20) on an empty lake: a full recompute that keeps the state
#   (i) incremental  the NEW lines appended to the input (Delta: in one commit; Parquet: their files copied into the
#                folder), the next night (2026-11-21) on that lake: it reads only them (the summary line must say
#                mode=incremental)
#   (f) full     the same night on a copy of the same lake with --full: reads the whole input
#   (s) small    the same night on a lake whose whole history is the NEW lines (its first night run before, untimed),
#                with --full: what a night of that many lines and customers costs without any history
# Run 1 then compares the lakes of (i) and (f) table by table (LakeDiff; run_log aside, whose counts differ by
# design): a difference fails the script. Targets (issue 30): (i) <= 1.5 x (s) and (i) <= 10 % of (f).
# Results: a Markdown table on stdout, in $BENCH_DIR/incremental.md and in docs/benchmarks.md (its incremental block).
# Environment: BENCH_DIR (default target/bench), JAVA_OPTS.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib/common.sh"
cd "$REPO_ROOT"

invocation="$*"
runs=1
new=100000
input=delta
sizes=()
while [[ $# -gt 0 ]]; do
  case "$1" in
    --runs) runs="$2"; shift 2 ;;
    --new) new="$2"; shift 2 ;;
    --input) input="$2"; shift 2 ;;
    -h|--help) sed -n '2,21p' "$0"; exit 0 ;;
    *) sizes+=("$1"); shift ;;
  esac
done
[[ ${#sizes[@]} -eq 0 ]] && sizes=(10000000)
[[ $input == delta || $input == parquet ]] || { echo "--input: delta or parquet, not $input" >&2; exit 2; }

BENCH_DIR="${BENCH_DIR:-$REPO_ROOT/target/bench}"
mkdir -p "$BENCH_DIR"
BENCH_DIR="$(cd "$BENCH_DIR" && pwd)"
RUN_DATE=2026-11-20
NEXT_DATE=2026-11-21
DRIVER_HEAP=2g

ensure_test_classes
BENCH_CP="$(bench_classpath)"
# shellcheck disable=SC2206
BENCH_JAVA=(java -Xmx"$DRIVER_HEAP" "${JVM_OPENS[@]}" ${JAVA_OPTS:-} -cp "$BENCH_CP")
JOB_JAVA=(java -Xmx"$DRIVER_HEAP" "${JVM_OPENS[@]}" ${JAVA_OPTS:-} -cp "$JOB_JAR:$(cat "$SPARK_CLASSPATH_FILE")")

# a Parquet input's figures apart from a Delta input's: their own results, lakes and block in docs/benchmarks.md
suffix=""
[[ $input == parquet ]] && suffix="-parquet"
results="$BENCH_DIR/incremental$suffix.tsv"
touch "$results"

# night LABEL SIZE RUN LOG CONF DATE [--full]: one night of the job, timed as a whole process, appended to results
night() {
  local label="$1" size="$2" run="$3" log="$4" conf="$5" date="$6"; shift 6
  local start end status=0
  start=$(date +%s.%N)
  "${JOB_JAVA[@]}" org.segmentation.jobs.NightlySegmentsJob --config "$conf" --run-date "$date" "$@" > "$log" 2>&1 \
    || status=$?
  end=$(date +%s.%N)
  if [[ $status -ne 0 ]]; then
    echo "FAILED: $label size=$size run=$run (exit $status), see $log" >&2
    tail -20 "$log" >&2
    exit 1
  fi
  local seconds
  seconds=$(awk -v s="$start" -v e="$end" 'BEGIN { printf "%.2f", e - s }')
  printf '%s\t%s\t%s\t%s\t%s\n' "$size" "$new" "$label" "$run" "$seconds" >> "$results"
  printf '  %-12s size=%-9s run=%s %7ss  %s\n' "$label" "$size" "$run" "$seconds" \
    "$(grep '^result=' "$log" | grep -o 'mode=[a-z]* mode_reason=[^ ]*')" >&2
}

# job_conf LAKE INPUT DATA: conf/local.conf over the purchases input (Delta or Parquet)
job_conf() {
  cat <<CONF
include "$REPO_ROOT/conf/local.conf"
segments {
  spark.master = "local[2]"
  lake.root = "$1"
  inputs.purchases { format = "$input", path = "$2" }
  inputs.profiles.path = "$3/profiles"
}
CONF
}

# purchases_input FROM TO [--append]: the purchases of FROM (the generator's Parquet folder) as the input TO, or
# added to it: a Delta table with its change feed (the appended lines one commit), or a Parquet folder (the appended
# lines new files, named apart from the history's and dated now)
purchases_input() {
  local from="$1" to="$2" append="${3:-}"
  if [[ $input == delta ]]; then
    "${BENCH_JAVA[@]}" org.segmentation.bench.DeltaInput --from "$from" --to "$to" ${append:+--append true}
  elif [[ -z $append ]]; then
    rm -rf "$to" && mkdir -p "$to" && cp "$from"/*.parquet "$to"/
  else
    for file in "$from"/*.parquet; do cp "$file" "$to/appended-$(basename "$file")"; done
  fi
}

median() {
  awk -F'\t' -v s="$1" -v n="$2" -v l="$3" '$1 == s && $2 == n && $3 == l { print $5 }' "$results" | sort -n |
    awk '{ t[NR] = $1 } END { if (NR == 0) { print 0; exit } printf "%.1f", (NR % 2) ? t[(NR + 1) / 2] : (t[NR / 2] + t[NR / 2 + 1]) / 2 }'
}
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.2f×", a / b; else print "–" }'; }
percent() { awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.0f %%", 100 * a / b; else print "–" }'; }

for size in "${sizes[@]}"; do
  awk -F'\t' -v s="$size" -v n="$new" '!($1 == s && $2 == n)' "$results" > "$results.tmp" && mv "$results.tmp" "$results"
  data="$BENCH_DIR/data/$size"
  ensure_bench_data "$data" "$size" "$RUN_DATE"
  added="$BENCH_DIR/data/new-$new-of-$size"
  if [[ ! -f "$added/_SUCCESS_BOTH" ]]; then
    echo "generating $new new purchases of the same $(( size / 10 )) customers in $added ..." >&2
    rm -rf "$added"
    run_java org.segmentation.jobs.GenerateSampleDataJob --master "local[2]" --output "$added" \
      --customers $(( size / 10 )) --purchases "$new" --seed 43 --end-date "$NEXT_DATE" >&2
    touch "$added/_SUCCESS_BOTH"
  fi
  out="$BENCH_DIR/incremental$suffix/$size"
  for run in $(seq 1 "$runs"); do
    rm -rf "$out" && mkdir -p "$out"
    job_conf "$out/lake" "$out/input" "$data" > "$out/job.conf"
    job_conf "$out/lake-full" "$out/input" "$data" > "$out/job-full.conf"
    job_conf "$out/lake-small" "$out/input-small" "$data" > "$out/job-small.conf"
    purchases_input "$data/purchases" "$out/input" > "$out/input.log" 2>&1
    night first "$size" "$run" "$out/first-$run.log" "$out/job.conf" "$RUN_DATE"
    purchases_input "$added/purchases" "$out/input" --append > "$out/append.log" 2>&1
    cp -a "$out/lake" "$out/lake-full" # Delta dates commits by file time: -a keeps it
    night incremental "$size" "$run" "$out/incremental-$run.log" "$out/job.conf" "$NEXT_DATE"
    grep -q '^result=published.* mode=incremental ' "$out/incremental-$run.log" \
      || { echo "the night after the first was not incremental: see $out/incremental-$run.log" >&2; exit 1; }
    night full "$size" "$run" "$out/full-$run.log" "$out/job-full.conf" "$NEXT_DATE" --full
    purchases_input "$added/purchases" "$out/input-small" > "$out/input-small.log" 2>&1
    "${JOB_JAVA[@]}" org.segmentation.jobs.NightlySegmentsJob --config "$out/job-small.conf" --run-date "$RUN_DATE" \
      > "$out/small-first-$run.log" 2>&1
    night small "$size" "$run" "$out/small-$run.log" "$out/job-small.conf" "$NEXT_DATE" --full
    if [[ $run -eq 1 ]]; then
      "${BENCH_JAVA[@]}" org.segmentation.bench.LakeDiff "$out/lake-full" "$out/lake" > "$out/lake-diff.txt" 2>&1 || true
      if grep ' result=DIFFERENT' "$out/lake-diff.txt" | grep -v '^table=run_log '; then
        echo "MISMATCH at $size: the incremental night's tables differ from the full recompute's ($out/lake-diff.txt)" >&2
        exit 1
      fi
      grep -q 'table=customer_segments .* result=same' "$out/lake-diff.txt" \
        || { echo "LakeDiff compared nothing: see $out/lake-diff.txt" >&2; exit 1; }
    fi
  done
done

# ---- report ----------------------------------------------------------------------------------------------------
stage() { { grep "^stage=$2 " "$1" || true; } | sed -E 's/.* seconds=([0-9.]+).*/\1/' | awk '{ t += $1 } END { printf "%.1f", t }'; }
report="$BENCH_DIR/incremental$suffix.md"
{
  echo "Incremental nights (\`scripts/bench-incremental.sh ${invocation:-(defaults)}\`; $(nproc) cores, local[2], driver heap" \
    "$DRIVER_HEAP, conf/local.conf over a $([[ $input == delta ]] && echo "Delta input with its change data feed" || echo "Parquet folder"); whole-process wall time, median of the" \
    "runs; $(date -u +%Y-%m-%d); input: $input). Targets: (i) ≤ 1.5× (s) and (i) ≤ 10 % of (f)."
  echo
  echo "| history lines | new lines | customers | runs | first night | (i) incremental night | (f) full recompute | (s) only the new lines | (i)/(s) | (i)/(f) |"
  echo "|---|---|---|---|---|---|---|---|---|---|"
  while IFS=$'\t' read -r size n; do
    i=$(median "$size" "$n" incremental); f=$(median "$size" "$n" full); s=$(median "$size" "$n" small)
    n_runs=$(awk -F'\t' -v s="$size" -v n="$n" '$1 == s && $2 == n && $3 == "incremental"' "$results" | wc -l)
    echo "| $size | $n | $(( size / 10 )) | $n_runs | $(median "$size" "$n" first) s | $i s | $f s | $s s |" \
      "$(ratio "$i" "$s") | $(percent "$i" "$f") |"
  done < <(cut -f1,2 "$results" | sort -u -n)
  echo
  echo "Stages of the last run (seconds, from the job's progress lines; writes: the sum of the tables', side by side):"
  echo
  echo "| history lines | night | plan | load+validate | purchase state | features | clv scoring | clustering | audiences | experiments | writes | of them purchase_state | purchase_totals | report | whole job |"
  echo "|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|"
  for size in $(cut -f1 "$results" | sort -un); do
    for label in incremental full small; do
      log="$({ ls -t "$BENCH_DIR/incremental$suffix/$size/$label"-*.log 2>/dev/null || true; } | sed -n 1p)"
      [[ -n "$log" ]] || continue
      writes=$({ grep '^stage=write_' "$log" || true; } | { grep -v '^stage=write_report ' || true; } | sed -E 's/.* seconds=([0-9.]+).*/\1/' |
        awk '{ t += $1 } END { printf "%.1f", t }')
      echo "| $size | $label | $(stage "$log" plan_night) | $(stage "$log" load_validate) | $(stage "$log" purchase_state) |" \
        "$(stage "$log" features) | $(stage "$log" clv_scoring) | $(stage "$log" clustering) | $(stage "$log" audiences) |" \
        "$(stage "$log" measure_experiments) | $writes | $(stage "$log" write_purchase_state) |" \
        "$(stage "$log" write_purchase_totals) | $(stage "$log" write_report) |" \
        "$(grep '^result=' "$log" | sed -E 's/.* seconds=([0-9.]+).*/\1/') |"
    done
  done
} > "$report"
cat "$report"

# docs/benchmarks.md: the block between the markers is this script's (scripts/bench.sh keeps everything after its
# hand marker, where the block lives)
begin="<!-- bench-incremental$suffix: begin -->"
end="<!-- bench-incremental$suffix: end -->"
heading="Incremental nights"
[[ $input == parquet ]] && heading="Incremental nights on a Parquet folder"
hand='<!-- measured by hand below this line: scripts/bench.sh keeps it -->'
python3 - "$report" "$begin" "$end" "$hand" "$heading" <<'PY'
import sys
report, begin, end, hand, heading = sys.argv[1:]
path = "docs/benchmarks.md"
text = open(path).read()
block = begin + "\n\n## " + heading + "\n\n" + open(report).read() + "\n" + end
if begin in text:
    text = text[:text.index(begin)] + block + text[text.index(end) + len(end):]
else:
    if hand not in text:
        text = text.rstrip("\n") + "\n\n" + hand + "\n"
    text = text.rstrip("\n") + "\n\n" + block + "\n"
open(path, "w").write(text)
PY
echo "written to docs/benchmarks.md" >&2
