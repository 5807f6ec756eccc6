#!/usr/bin/env bash
# The holdout check of the lifetime-value model on the real CDNOW log, as in Fader, Hardie & Lee (2005): the job is
# run as of the end of the 39-week calibration period (1997-09-30, weeks, predicting the next 273 days) and as of the
# end of the holdout (1998-06-30), both through conf/examples/cdnow.conf, into lakehouse/cdnow-holdout; then
# ClvHoldoutReport prints the predicted and the actual repeat purchase days per customer, by calibration x.
# Takes about a minute and a half on 2 cores.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib/common.sh"
cd "$REPO_ROOT"
ensure_built

lake=lakehouse/cdnow-holdout
mkdir -p "$lake"
for date in 1997-09-30 1998-06-30; do
  echo "running the job for $date (its log: $lake/job-$date.log) ..."
  run_java org.segmentation.jobs.NightlySegmentsJob --config conf/examples/cdnow.conf --run-date "$date" \
    --set "segments.lake.root=\"$lake\"" --set segments.clustering.enabled=false \
    --set segments.clv.time-unit=weeks --set "segments.clv.horizons-days=[273, 365]" \
    > "$lake/job-$date.log" 2>&1 || { cat "$lake/job-$date.log"; exit 1; }
  grep -E '^(stage=clv_fit|result=)' "$lake/job-$date.log"
done
run_java org.segmentation.jobs.ClvHoldoutReport --lake "$lake" --calibration 1997-09-30 --holdout 1998-06-30
