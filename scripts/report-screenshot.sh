#!/usr/bin/env bash
# Takes a screenshot of a report page in headless Chromium (Debian's chromium package), so anyone can look at what
# the job wrote without a desktop:
#   scripts/report-screenshot.sh lakehouse/reports/2026-11-21.html report.png [WIDTH] [HEIGHT]
# WIDTH defaults to 1280 and HEIGHT to 4200 pixels (the page is taller: raise it to see the whole page). Set CHROMIUM
# to the browser's command when it is not chromium on the PATH. Exits non-zero when the browser fails or writes no
# image.
set -euo pipefail
if [[ $# -lt 2 ]]; then
  echo "usage: $0 REPORT.html OUT.png [WIDTH] [HEIGHT]" >&2
  exit 2
fi
report="$(cd "$(dirname "$1")" && pwd)/$(basename "$1")"
out="$2"
width="${3:-1280}"
height="${4:-4200}"
browser="${CHROMIUM:-chromium}"
if ! command -v "$browser" >/dev/null 2>&1; then
  echo "$browser not found: install Debian's chromium package (apt-get install chromium) or set CHROMIUM" >&2
  exit 2
fi
[[ -f "$report" ]] || { echo "no report at $report" >&2; exit 2; }
rm -f "$out"
# --no-sandbox: the sandbox needs user namespaces that containers and CI runners (root) often lack; the page is our
# own file and runs no script.
"$browser" --headless --no-sandbox --disable-gpu --hide-scrollbars --force-device-scale-factor=1 \
  --window-size="$width,$height" --screenshot="$out" "file://$report" 2>/dev/null >/dev/null
[[ -s "$out" ]] || { echo "the browser wrote no screenshot to $out" >&2; exit 1; }
echo "$out"
