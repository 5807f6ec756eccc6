#!/usr/bin/env bash
# Runs the nightly segmentation job end to end on local Spark (embedded, no cluster, no SPARK_HOME):
# builds the jar if needed, generates sample data under lakehouse/raw when absent (for conf/local.conf and the
# examples that read its inputs), runs the job (conf/local.conf unless --config is given) and prints where the tables, the audience export files and the HTML report are. Arguments go to the job, e.g.
#   ./scripts/run-local.sh --run-date 2026-11-21
#   ./scripts/run-local.sh --dry-run
#   ./scripts/run-local.sh --config conf/examples/cdnow.conf --run-date 1998-06-30
#   ./scripts/run-local.sh --config conf/examples/new-customers.conf
# Environment: SAMPLE_CUSTOMERS (default 20000), SAMPLE_PURCHASES (default 200000), DRIVER_MEMORY (default 2g).
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib/common.sh"
cd "$REPO_ROOT"
ensure_built

config=conf/local.conf
has_config=false
overrides=()   # --set options, also given to --list-tables (segments.lake.root may be one of them)
args=("$@")
for ((i = 0; i < ${#args[@]}; i++)); do
  case "${args[i]}" in
    --config) has_config=true; config="${args[i + 1]:-}" ;;
    --set) overrides+=(--set "${args[i + 1]:-}") ;;
  esac
done

# the sample data, for conf/local.conf and the examples built on it (those that include it and keep its inputs)
reads_sample=false
if [[ "$config" == "conf/local.conf" ]] || { grep -q '^include "../local.conf"' "$config" 2>/dev/null \
    && ! grep -q 'inputs' "$config"; }; then
  reads_sample=true
fi
if $reads_sample && [[ ! -d lakehouse/raw/purchases || ! -d lakehouse/raw/profiles ]]; then
  echo "generating sample data in lakehouse/raw ..."
  run_java org.segmentation.jobs.GenerateSampleDataJob --master "local[*]" --output lakehouse/raw \
    --customers "${SAMPLE_CUSTOMERS:-20000}" --purchases "${SAMPLE_PURCHASES:-200000}" --seed 42
fi

status=0
log="$(mktemp)"
trap 'rm -f "$log"' EXIT
if $has_config; then
  run_java org.segmentation.jobs.NightlySegmentsJob "$@" | tee "$log" || status=$?
else
  run_java org.segmentation.jobs.NightlySegmentsJob --config "$config" "$@" | tee "$log" || status=$?
fi
if [[ $status -eq 0 ]]; then
  echo
  echo "Delta tables (one partition per run_date) under $REPO_ROOT:"
  # the job knows its tables and where the configuration puts them
  tables="$(run_java org.segmentation.jobs.NightlySegmentsJob --config "$config" "${overrides[@]}" --list-tables)"
  while read -r table; do
    if [[ -d "$table" ]]; then echo "  $table"; fi
  done <<< "$tables"
  # the export_audiences line names each audience's folder: "stage=export_audiences folders=2 a=file:/... b=..."
  folders="$(grep '^stage=export_audiences ' "$log" | tr ' ' '\n' | grep '=file:\|=[a-z0-9]*://' || true)"
  if [[ -n "$folders" ]]; then
    echo
    echo "Audience exports (the treatment arm with consent, per destination; _manifest.json lists every file):"
    while IFS='=' read -r audience folder; do
      echo "  $audience: ${folder#file:}"
      if [[ -d "${folder#file:}" ]]; then find "${folder#file:}" -type f | sort | sed 's|^|      |'; fi
    done <<< "$folders"
  fi
  # the write_report line names the night's page: "stage=write_report report=file:/.../reports/D.html seconds=..."
  report="$(grep '^stage=write_report ' "$log" | tr ' ' '\n' | sed -n 's/^report=//p' || true)"
  if [[ -n "$report" && "$report" != off ]]; then
    echo
    echo "Report (one HTML file, opens offline): ${report#file:}"
  fi
fi
exit $status
