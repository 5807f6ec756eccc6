#!/usr/bin/env bash
# Renders the HTML report of a published night again, from the lake alone, on local Spark (embedded):
#   ./scripts/render-report.sh --run-date 2026-11-21 [--config conf/local.conf] [--output FILE]
# Arguments go to org.segmentation.jobs.RenderReport (--help lists them); the configuration defaults to conf/local.conf.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib/common.sh"
cd "$REPO_ROOT"
ensure_built
if [[ " $* " == *" --config "* ]]; then
  run_java org.segmentation.jobs.RenderReport "$@"
else
  run_java org.segmentation.jobs.RenderReport --config conf/local.conf "$@"
fi
