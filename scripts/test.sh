#!/usr/bin/env bash
# Runs every test on a fresh Debian/Ubuntu machine: installs what is missing, builds the workspace (CLI and
# desktop shell), then runs the unit, integration and end-to-end suites.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib.sh
ensure_system_packages
ensure_rust_toolchain
ensure_python_venv tests/requirements.txt   # moto: the S3/IAM/STS server the AWS tests talk to
start=$SECONDS
log "building the workspace (debug)"
cargo build --workspace --bins --locked
log "lint: rustfmt and clippy -D warnings"
cargo fmt --all --check
cargo clippy --workspace --all-targets --locked -- -D warnings
log "tests"
results="$(mktemp)"
trap 'rm -f "$results"' EXIT
cargo test --workspace --locked 2>&1 | tee "$results"
log "all tests passed in $((SECONDS - start)) s"
# One closing line with the totals of every suite.
awk '/^test result:/ { for (i = 2; i <= NF; i++) { if ($i ~ /^passed/) p += $(i - 1); if ($i ~ /^failed/) f += $(i - 1) } }
     END { printf "%d passed, %d failed\n", p, f }' "$results"
