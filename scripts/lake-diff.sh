#!/usr/bin/env bash
# Compares the output tables of two lakes row for row (for example the same nights run before and after a change):
#   scripts/lake-diff.sh OLD_LAKE NEW_LAKE
# Leaves out what differs between any two runs by nature (run ids, times, model folders, configuration fingerprint).
# Prints one line per table; exits 1 when a table differs.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib/common.sh"
[[ $# -eq 2 ]] || { sed -n '2,5p' "$0"; exit 2; }
old="$(cd "$1" && pwd)"; new="$(cd "$2" && pwd)"
cd "$REPO_ROOT"
ensure_test_classes
java -Xmx2g "${JVM_OPENS[@]}" -cp "$(bench_classpath)" org.segmentation.bench.LakeDiff "$old" "$new"
