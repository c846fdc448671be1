#!/usr/bin/env bash
# One start of the desktop app, timed by the app itself: from the process's start until its window's page first
# asks Rust (the `window ready` line of its log), in a fresh data folder under a virtual X server; then the app
# is closed. Prints that line. Repeat it with farm-bench for the median:
#   farm-bench -n 10 -- sh -c 'exec bash benches/startup.sh >>/tmp/startup.txt 2>&1'
# APP names the binary (default: the release app, target/release/bedrock-batch-studio).
set -euo pipefail
cd "$(dirname "$0")/.."
app="${APP:-target/release/bedrock-batch-studio}"
home="$(mktemp -d)"
BEDROCK_BATCH_HOME="$home" setsid xvfb-run -a "$app" >/dev/null 2>&1 &
group=$!
trap 'status=$?; kill -- -"$group" 2>/dev/null; wait "$group" 2>/dev/null; rm -rf "$home"; exit $status' EXIT
for _ in $(seq 1 600); do
  if grep -hs "window ready" "$home"/logs/studio.*.log; then exit 0; fi
  sleep 0.05
done
echo "the app did not report its window ready within 30 s" >&2
exit 1
