#!/usr/bin/env bash
# Benchmark: the nightly pipeline and its RFM path against DuckDB and a naive Spark plan, side by side in one run.
#   scripts/bench.sh [--runs N] [--smoke] [purchases ...]     (default: --runs 3  1000000 10000000 30000000)
# For each size (purchases; one customer per 10 purchases, skewed, 3 % returns, from the sample generator, as Parquet,
# generated once under $BENCH_DIR/data) it runs, alternating, each as a whole process:
#   startup  a Spark process that starts and stops (subtracted for the linearity figure)
#   (a) full the nightly job as a user runs it (conf/local.conf, local[2], driver heap 2 GiB, Delta writes), from an
#            empty lake each time, so every run fits the clustering model (the worst night of a weekly refit)
#   (a2) second night  the next date on the lake (a) left: an ordinary night (models reused, transitions computed)
#   (b) job path  the job's own steps from reading through mapping, validation, features and RFM scoring (same
#            configuration and Spark session; profiles off, so every engine answers from the same purchases), writing
#            each customer's RFM values and scores to Delta
#   (a+C), (b+C)  (a) and (b) with Apache DataFusion Comet (conf/comet.conf: native operators inside Spark)
#   (c) duck the same aggregate and tie-respecting scores in DuckDB (JDBC, 2 threads), writing Parquet
#   (d) naive the same RFM written naively in Spark (countDistinct, ntile over unpartitioned windows), writing Parquet
# then checks that (b), (c) and (d) agree customer by customer (an order-independent hash of every customer's recency,
# frequency and monetary value, and the totals) and that (b) and (c) also agree on every customer's three scores
# ((d)'s ntile scores split ties, by design), before it prints a figure; a size that fails the check loses its
# figures and the script fails. Results: a Markdown table on stdout and in docs/benchmarks.md
# (--smoke: 20,000 purchases, one run, no Comet, no (a2), results under $BENCH_DIR only; CI runs it so the script
# never rots, and it prints the small-night ratio (a)/start-up; targets in docs/performance.md).
# Environment: BENCH_DIR (default target/bench), JAVA_OPTS.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib/common.sh"
cd "$REPO_ROOT"

invocation="$*"
runs=3
smoke=false
sizes=()
while [[ $# -gt 0 ]]; do
  case "$1" in
    --runs) runs="$2"; shift 2 ;;
    --smoke) smoke=true; shift ;;
    -h|--help) sed -n '2,20p' "$0"; exit 0 ;;
    *) sizes+=("$1"); shift ;;
  esac
done
if $smoke; then runs=1; sizes=(20000); fi
[[ ${#sizes[@]} -eq 0 ]] && sizes=(1000000 10000000 30000000)

if $smoke; then
  BENCH_DIR="${BENCH_DIR:-$REPO_ROOT/target/bench-smoke}"   # never mixed into the real figures
else
  BENCH_DIR="${BENCH_DIR:-$REPO_ROOT/target/bench}"
fi
mkdir -p "$BENCH_DIR"
BENCH_DIR="$(cd "$BENCH_DIR" && pwd)"
RUN_DATE=2026-11-20
NEXT_DATE=2026-11-21
DRIVER_HEAP=2g

ensure_test_classes
BENCH_CP="$(bench_classpath)"

# Figures accumulate across invocations, one set per size: rerunning a size replaces its figures, so a long size can
# be measured on its own (scripts/bench.sh --runs 1 30000000) and still land in the same table.
results="$BENCH_DIR/results.tsv"
touch "$results" "$BENCH_DIR/customers.txt"

# run_timed LABEL SIZE RUN LOG command...: whole-process wall time and peak RSS, appended to results.tsv
run_timed() {
  local label="$1" size="$2" run="$3" log="$4"; shift 4
  local start end status=0 rss=""
  start=$(date +%s.%N)
  if [[ -x /usr/bin/time ]]; then
    /usr/bin/time -f "%M" -o "$log.rss" "$@" > "$log" 2>&1 || status=$?
    rss=$(tail -1 "$log.rss")
  else
    "$@" > "$log" 2>&1 || status=$?
  fi
  end=$(date +%s.%N)
  if [[ $status -ne 0 ]]; then
    echo "FAILED: $label size=$size run=$run (exit $status), see $log" >&2
    tail -20 "$log" >&2
    exit 1
  fi
  local seconds
  seconds=$(awk -v s="$start" -v e="$end" 'BEGIN { printf "%.2f", e - s }')
  printf '%s\t%s\t%s\t%s\t%s\n' "$size" "$label" "$run" "$seconds" "${rss:-0}" >> "$results"
  printf '  %-8s size=%-9s run=%s %7ss peak_rss=%s MiB\n' "$label" "$size" "$run" "$seconds" \
    "$(( ${rss:-0} / 1024 ))" >&2
}

# shellcheck disable=SC2206
BENCH_JAVA=(java -Xmx"$DRIVER_HEAP" "${JVM_OPENS[@]}" ${JAVA_OPTS:-} -cp "$BENCH_CP")
JOB_JAVA=(java -Xmx"$DRIVER_HEAP" "${JVM_OPENS[@]}" ${JAVA_OPTS:-} -cp "$JOB_JAR:$(cat "$SPARK_CLASSPATH_FILE")")

# ---- report ----------------------------------------------------------------------------------------------------
# stat SIZE LABEL -> "median min max rss_mib" over the runs
stat() {
  awk -F'\t' -v size="$1" -v label="$2" '$1 == size && $2 == label { print $4 "\t" $5 }' "$results" | sort -n |
    awk -F'\t' '{ t[NR] = $1; if ($2 > rss) rss = $2 }
      END { if (NR == 0) { print "0 0 0 0"; exit }
            m = (NR % 2) ? t[(NR + 1) / 2] : (t[NR / 2] + t[NR / 2 + 1]) / 2;
            printf "%.1f %.1f %.1f %d\n", m, t[1], t[NR], rss / 1024 }'
}
cell() { read -r m lo hi rss <<< "$(stat "$1" "$2")"; echo "$m s ($lo–$hi), ${rss} MiB"; }
median() { stat "$1" "$2" | cut -d' ' -f1; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (a > 0 && b > 0) printf "%.2f×", a / b; else print "–" }'; } # – where a column did not run

HAND_MARKER='<!-- measured by hand below this line: scripts\/bench.sh keeps it -->'
write_report() {
  report="$BENCH_DIR/report.md"
  local done_sizes
  mapfile -t done_sizes < <(report_sizes)
  {
    echo "Machine: $(nproc) cores, $(awk '/MemTotal/ { printf "%.0f GiB", $2 / 1048576 }' /proc/meminfo) RAM," \
      "$(java -version 2>&1 | sed -n 1p | tr -d '"'); JVM: -Xmx$DRIVER_HEAP${JAVA_OPTS:+ $JAVA_OPTS}, Spark local[2]," \
      "spark.sql.shuffle.partitions as in conf/local.conf (8); DuckDB $(grep -o 'duckdb_jdbc-[0-9.]*' "$BENCH_CLASSPATH_FILE" | sed -n 1p | sed 's/duckdb_jdbc-//; s/\.$//') with 2 threads."
    echo "Whole-process wall time, median of the runs (min–max), peak RSS; run date $RUN_DATE; $(date -u +%Y-%m-%d)."
    echo
    echo "| purchases | customers | runs | start-up | (a) full pipeline | (a2) second night | (a+C) with Comet | (b) job path | (b+C) with Comet | (c) DuckDB | (d) naive Spark | (b) purchases/s | (a)/start-up | (a2)/start-up | (b)/(c) | (b+C)/(c) | (b)/(d) | (a)/(c) | (a+C)/(c) |"
    echo "|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|"
    for size in "${done_sizes[@]}"; do
      customers=$(awk -v s="$size" '$1 == s { print $2 }' "$BENCH_DIR/customers.txt" | tail -1)
      a=$(median "$size" full); b=$(median "$size" rfm); c=$(median "$size" duckdb); d=$(median "$size" naive)
      ac=$(median "$size" full_comet); bc=$(median "$size" rfm_comet)
      a2=$(median "$size" second); up=$(median "$size" startup)
      rate=$(awk -v n="$size" -v t="$b" 'BEGIN { printf "%.0f", n / t }')
      n_runs=$(awk -F'\t' -v s="$size" '$1 == s && $2 == "rfm"' "$results" | wc -l)
      echo "| $size | $customers | $n_runs | $up s | $(cell "$size" full) | $(cell "$size" second) |" \
        "$(cell "$size" full_comet) | $(cell "$size" rfm) | $(cell "$size" rfm_comet) |" \
        "$(cell "$size" duckdb) | $(cell "$size" naive) | $rate | $(ratio "$a" "$up") | $(ratio "$a2" "$up") |" \
        "$(ratio "$b" "$c") | $(ratio "$bc" "$c") |" \
        "$(ratio "$b" "$d") | $(ratio "$a" "$c") | $(ratio "$ac" "$c") |"
    done
    if [[ ${#done_sizes[@]} -ge 2 ]]; then
      small="${done_sizes[-2]}"; large="${done_sizes[-1]}"
      echo
      echo "Linearity of (b): (time($large) − start-up) / (time($small) − start-up) =" \
        "$(awk -v a="$(median "$large" rfm)" -v b="$(median "$small" rfm)" -v s="$(median "$large" startup)" \
           'BEGIN { printf "%.2f", (a - s) / (b - s) }') for $(( large / small ))× the purchases."
    fi
    echo
    echo "Stages of (a) and (a2), from the job's own progress lines (last run of each size, seconds; outside Spark jobs:"
    echo "the part of the run with no Spark job of a step running: planning, Delta's commit protocol, driver work):"
    echo
    echo "| purchases | night | check rules | load+validate | purchase state | features (RFM aggregate, behaviour, profiles) | clv fit | clv scoring | rfm scoring | clustering | assemble tables | audiences | experiments | segment kpis | writes (sum of the tables', side by side) | report | whole job | outside Spark jobs |"
    echo "|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|"
    # s STAGE: the seconds of a stage in $log (summed over its lines)
    s() { grep "^stage=$1 " "$log" | sed -E 's/.* seconds=([0-9.]+).*/\1/' | awk '{ t += $1 } END { printf "%.1f", t }'; }
    for size in "${done_sizes[@]}"; do
      for engine in first second Comet; do
        case $engine in
          first) pattern='full-[0-9]*.log' ;;
          second) pattern='second-[0-9]*.log' ;;
          *) pattern='full-comet-*.log' ;;
        esac
        # shellcheck disable=SC2086
        log="$(cd "$BENCH_DIR/out/$size" && { ls -t $pattern 2>/dev/null || true; } | sed -n 1p)" # smoke: no Comet
        [[ -n "$log" ]] || continue
        log="$BENCH_DIR/out/$size/$log"
        writes=$(grep '^stage=write_' "$log" | sed -E 's/.* seconds=([0-9.]+).*/\1/' | awk '{ t += $1 } END { printf "%.1f", t }')
        whole=$(grep '^result=' "$log" | sed -E 's/.* seconds=([0-9.]+).*/\1/')
        outside=$(grep '^result=' "$log" | tr ' ' '\n' | sed -n 's/^outside_spark_seconds=//p')
        echo "| $size | $engine | $(s check_rules) | $(s load_validate) | $(s purchase_state) | $(s features) | $(s clv_fit) | $(s clv_scoring) | $(s rfm_scoring) | $(s clustering) | $(s assemble_tables) | $(s audiences) | $(s measure_experiments) | $(s segment_kpis) | $writes | $(s write_report) | $whole | ${outside:-–} |"
      done
    done
    echo
    echo "Stages of (b), from its progress lines (last run of each size, seconds; the whole process includes Spark's"
    echo "start-up):"
    echo
    echo "| purchases | load+validate | features (RFM aggregate, behaviour) | rfm scoring | write | whole process | (d) naive, whole process |"
    echo "|---|---|---|---|---|---|---|"
    for size in "${done_sizes[@]}"; do
      log="$(cd "$BENCH_DIR/out/$size" && { ls -t rfm-[0-9]*.log 2>/dev/null || true; } | sed -n 1p)"
      [[ -n "$log" ]] || continue
      log="$BENCH_DIR/out/$size/$log"
      echo "| $size | $(s load_validate) | $(s features) | $(s rfm_scoring) | $(s write_scores) | $(median "$size" rfm) | $(median "$size" naive) |"
    done
  } > "$report"
  cat "$report"
  if ! $smoke; then
    mkdir -p docs
    # what was measured by hand stays: everything from the marker line on
    local kept=""
    [[ -f docs/benchmarks.md ]] && kept="$(sed -n "/^$HAND_MARKER\$/,\$p" docs/benchmarks.md)"
    {
      echo "# Benchmarks"
      echo
      echo "Produced by \`scripts/bench.sh\` (last invocation: \`scripts/bench.sh ${invocation:-(defaults: --runs 3 1000000 10000000 30000000)}\`; a row's runs are"
      echo "always measured side by side in one invocation; see the script's header for what each column runs)."
      echo
      cat "$report"
      [[ -z "$kept" ]] || printf '\n%s\n' "$kept"
    } > docs/benchmarks.md
    echo "written to docs/benchmarks.md" >&2
  fi
}

report_sizes() { cut -f1 "$results" | sort -un; }
for size in "${sizes[@]}"; do
  # forget earlier figures of this size
  awk -F'\t' -v s="$size" '$1 != s' "$results" > "$results.tmp" && mv "$results.tmp" "$results"
  awk -v s="$size" '$1 != s' "$BENCH_DIR/customers.txt" > "$BENCH_DIR/customers.tmp"
  mv "$BENCH_DIR/customers.tmp" "$BENCH_DIR/customers.txt"
  data="$BENCH_DIR/data/$size"
  ensure_bench_data "$data" "$size" "$RUN_DATE"
  out="$BENCH_DIR/out/$size"
  write_bench_job_conf "$out" "$data"
  mismatch() {
    echo "MISMATCH at $size purchases: $1; this size's figures are removed" >&2
    awk -F'\t' -v s="$size" '$1 != s' "$results" > "$results.tmp" && mv "$results.tmp" "$results"
    exit 1
  }
  for run in $(seq 1 "$runs"); do
    run_timed startup "$size" "$run" "$out/startup-$run.log" "${BENCH_JAVA[@]}" org.segmentation.bench.JobPathBench \
      --config "$out/job.conf" --startup-only true
    rm -rf "$out/lake"   # every (a) run starts from an empty lake, so it includes fitting the clustering model
    run_timed full "$size" "$run" "$out/full-$run.log" \
      "${JOB_JAVA[@]}" org.segmentation.jobs.NightlySegmentsJob --config "$out/job.conf" --run-date "$RUN_DATE"
    if ! $smoke; then # Comet's parity is the full test tier's (CometParityIT); its speed is measured here
      rm -rf "$out/lake-comet"
      run_timed full_comet "$size" "$run" "$out/full-comet-$run.log" \
        "${JOB_JAVA[@]}" org.segmentation.jobs.NightlySegmentsJob --config "$out/job-comet.conf" --run-date "$RUN_DATE"
      # (a) with and without Comet, every output table row for row: before the second night adds a date to one lake
      "${BENCH_JAVA[@]}" org.segmentation.bench.LakeDiff "$out/lake" "$out/lake-comet" > "$out/lake-diff.txt" 2>"$out/lake-diff.log" \
        || mismatch "the full job's tables differ with Comet ($(grep -c DIFFERENT "$out/lake-diff.txt") tables, see $out/lake-diff.txt and .log)"
    fi
    if ! $smoke; then # the smoke's (a) is a small night already: a second one took CI a minute and told no more
      run_timed second "$size" "$run" "$out/second-$run.log" \
        "${JOB_JAVA[@]}" org.segmentation.jobs.NightlySegmentsJob --config "$out/job.conf" --run-date "$NEXT_DATE"
    fi
    rm -rf "$out/rfm" "$out/rfm-comet"
    run_timed rfm "$size" "$run" "$out/rfm-$run.log" "${BENCH_JAVA[@]}" org.segmentation.bench.JobPathBench \
      --config "$out/job.conf" --purchases "$data/purchases" --output "$out/rfm" --run-date "$RUN_DATE"
    if ! $smoke; then
      run_timed rfm_comet "$size" "$run" "$out/rfm-comet-$run.log" "${BENCH_JAVA[@]}" \
        org.segmentation.bench.JobPathBench --config "$out/job-comet.conf" --output "$out/rfm-comet" \
        --run-date "$RUN_DATE"
    fi
    rm -f "$out/duck.parquet"
    run_timed duckdb "$size" "$run" "$out/duck-$run.log" "${BENCH_JAVA[@]}" org.segmentation.bench.DuckDbRfm \
      --purchases "$data/purchases" --output "$out/duck.parquet" --run-date "$RUN_DATE" --threads 2
    run_timed naive "$size" "$run" "$out/naive-$run.log" "${BENCH_JAVA[@]}" org.segmentation.bench.NaiveSparkRfm \
      --purchases "$data/purchases" --output "$out/naive" --run-date "$RUN_DATE"
  done

  # The same answer from (b), (c) and (d) before any figure is printed.
  engines=("rfm=delta:$out/rfm" "duckdb=parquet:$out/duck.parquet" "naive=parquet:$out/naive")
  $smoke || engines+=("rfm_comet=delta:$out/rfm-comet")
  "${BENCH_JAVA[@]}" org.segmentation.bench.BenchCheck "${engines[@]}" 2>/dev/null | grep '^check ' > "$out/check.txt"
  cat "$out/check.txt" >&2
  field() { grep "^check $1 " "$out/check.txt" | tr ' ' '\n' | grep "^$2=" | cut -d= -f2; }
  for f in customers sum_frequency sum_monetary values_hash; do
    if [[ -z "$(field rfm $f)" || "$(field rfm $f)" != "$(field duckdb $f)" \
          || "$(field rfm $f)" != "$(field naive $f)" ]]; then
      mismatch "$f differs between (b), (c) and (d)"
    fi
  done
  for f in customers sum_frequency sum_monetary values_hash sum_scores scores_hash; do
    if [[ "$(field rfm $f)" != "$(field duckdb $f)" ]] || { ! $smoke && [[ "$(field rfm_comet $f)" != "$(field duckdb $f)" ]]; }; then
      mismatch "$f differs between (b), (b) with Comet and (c)"
    fi
  done
  echo "$size $(field rfm customers)" >> "$BENCH_DIR/customers.txt"
  write_report   # after each size, so a long run that is stopped keeps what it measured
done

