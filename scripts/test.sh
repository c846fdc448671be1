#!/usr/bin/env bash
# Runs every test on a fresh Debian/Ubuntu machine: installs what is missing, builds the UI and the workspace
# (CLI and desktop app), then runs the UI's tests and the unit, integration and end-to-end suites (the desktop
# app's in a real webview, through tauri-driver and WebKitWebDriver under Xvfb); last, builds the release
# package (scripts/package.sh) and drives the app it installs.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib.sh
ensure_system_packages
ensure_rust_toolchain
ensure_python_venv tests/requirements.txt   # moto: the S3/IAM/STS server the AWS tests talk to
ensure_tauri_driver                         # WebDriver for the desktop app's end-to-end test
start=$SECONDS
log "the disk has $(df -h --output=avail . | tail -1 | tr -d ' ') free (a full build and its tests take several GB)"
build_ui
results="$(mktemp)"
ui_results="$(mktemp)"
trap 'rm -f "$results" "$ui_results"' EXIT
log "UI tests (vitest)"
(cd ui && npx vitest run 2>&1) | tee "$ui_results"
log "building the workspace (debug)"
cargo build --workspace --bins --locked
log "lint: rustfmt and clippy -D warnings"
cargo fmt --all --check
cargo clippy --workspace --all-targets --locked -- -D warnings
log "tests"
cargo test --workspace --locked 2>&1 | tee "$results"
log "the package: release build, .deb, and the installed app driven through WebDriver"
package_start=$SECONDS
deb="$(bash scripts/package.sh | tail -1)"
BEDROCK_BATCH_DEB="$deb" cargo test -p e2e-tests --test installed_package --locked -- --ignored 2>&1 | tee -a "$results"
log "packaged and tested the install in $((SECONDS - package_start)) s"
log "target/ holds $(du -sh target | cut -f1); the disk has $(df -h --output=avail . | tail -1 | tr -d ' ') free"
log "all tests passed in $((SECONDS - start)) s; screenshots of the desktop app's steps: target/e2e-screenshots/"
# One closing line with the totals of every suite: Rust's, and the UI's vitest line ("Tests  N passed (N)").
sed 's/\x1b\[[0-9;]*m//g' "$ui_results" \
  | awk '$1 == "Tests" && $3 == "passed" { print "test result: ok. " $2 " passed; 0 failed;" }' >> "$results"
awk '/^test result:/ { for (i = 2; i <= NF; i++) { if ($i ~ /^passed/) p += $(i - 1); if ($i ~ /^failed/) f += $(i - 1) } }
     END { printf "%d passed, %d failed\n", p, f }' "$results"
