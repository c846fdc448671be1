#!/usr/bin/env bash
# Builds (the first time; later starts reuse the build) and starts the optimised Bedrock Batch Studio desktop app,
# installing what is missing first. The command-line tool is built alongside: target/release/bedrock-batch.
# To install the app instead (menu entry, icon, CLI on the PATH): bash scripts/package.sh, then apt install the .deb.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib.sh
ensure_system_packages
ensure_rust_toolchain
build_ui
build_release
if [[ -z "${DISPLAY:-}" && -z "${WAYLAND_DISPLAY:-}" ]]; then
  log "no display found: starting the app inside a virtual X server (xvfb-run); nothing will be visible"
  exec xvfb-run -a target/release/bedrock-batch-studio "$@"
fi
exec target/release/bedrock-batch-studio "$@"
