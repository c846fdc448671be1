#!/usr/bin/env bash
# Builds and starts the Bedrock Batch Studio desktop app (installs what is missing first).
# The command-line tool is built alongside: target/debug/bedrock-batch.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib.sh
ensure_system_packages
ensure_rust_toolchain
build_ui
cargo build --workspace --bins --locked
if [[ -z "${DISPLAY:-}" && -z "${WAYLAND_DISPLAY:-}" ]]; then
  log "no display found: starting the app inside a virtual X server (xvfb-run); nothing will be visible"
  exec xvfb-run -a target/debug/bedrock-batch-studio "$@"
fi
exec target/debug/bedrock-batch-studio "$@"
