#!/usr/bin/env bash
# Benchmarks: criterion micro-benchmarks of the core, then the end-to-end comparison with pandas.
# Generated sheets and outputs (about 2 GB) go to benches/data/ (git-ignored).
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib.sh
ensure_rust_toolchain
ensure_python_venv benches/requirements.txt
cargo build --release -p batch-cli
args=()
run_criterion=1
for arg in "$@"; do
  if [[ "$arg" == "--skip-criterion" ]]; then run_criterion=0; else args+=("$arg"); fi
done
if ((run_criterion)); then
  cargo bench -p batch-core --bench pipeline
fi
"$VENV/bin/python" benches/compare.py --bin target/release/bedrock-batch "${args[@]}"
