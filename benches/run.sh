#!/usr/bin/env bash
# Benchmarks: criterion micro-benchmarks of the core, then the end-to-end comparison with pandas, and with
# --upload the upload throughput against boto3 (benches/upload.py), with --typed 1,000,000 typed answers of 5 fields
# joined, summarised and exported (benches/typed_answers.py), with --open a 1,000,000-record job made elsewhere
# opened from its files (benches/open_job.py).
# Generated sheets and outputs (about 2 GB) go to benches/data/ (git-ignored).
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib.sh
ensure_rust_toolchain
ensure_python_venv benches/requirements.txt tests/requirements.txt
cargo build --release -p batch-cli
args=()
run_criterion=1
run_upload=0
run_typed=0
run_open=0
for arg in "$@"; do
  case "$arg" in
    --skip-criterion) run_criterion=0 ;;
    --upload) run_upload=1 ;;
    --typed) run_typed=1 ;;
    --open) run_open=1 ;;
    *) args+=("$arg") ;;
  esac
done
if ((run_criterion)); then
  cargo bench -p batch-core --bench pipeline
  cargo bench -p batch-app --bench window_paging
fi
"$VENV/bin/python" benches/compare.py --bin target/release/bedrock-batch "${args[@]}"
if ((run_typed)); then
  "$VENV/bin/python" benches/typed_answers.py --bin target/release/bedrock-batch
fi
if ((run_open)); then
  "$VENV/bin/python" benches/open_job.py --bin target/release/bedrock-batch
fi
if ((run_upload)); then
  "$VENV/bin/python" benches/upload.py --bin target/release/bedrock-batch "${args[@]}"
fi
