#!/usr/bin/env python3
"""Opens a 1,000,000-record batch job made elsewhere, from its files: `bedrock-batch open --outputs DIR
--requests INPUT`, its peak memory set against the size of the outputs it reads.

The job is a notebook's: UUID record ids, Claude Messages bodies of about 400 bytes, the answers spread over
10 output files in another order than the input, 1 record in 50 failed and 1 in 100 never written. The command
reads the request lines (a row per record with what it asked), links the outputs into its run, joins them by
record id and exports every record to CSV. Run through benches/run.sh --open, which builds the release binary.
"""
import argparse
import json
import os
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "benches" / "data" / "open-job"


def body(n: int) -> dict:
    review = f"Review {n}: the kettle boils fast but the lid rattles and the handle gets hot after a few minutes. " * 3
    return {"anthropic_version": "bedrock-2023-05-31", "max_tokens": 200, "system": "Label the review.",
            "messages": [{"role": "user", "content": [{"type": "text", "text": review}]}]}


def generate(records: int) -> tuple[Path, Path]:
    """Writes the job's input and outputs under benches/data/open-job (kept between runs)."""
    input_file, outputs = DATA / f"input-{records}.jsonl", DATA / f"outputs-{records}"
    if input_file.exists() and outputs.exists():
        return input_file, outputs
    shutil.rmtree(outputs, ignore_errors=True)
    outputs.mkdir(parents=True)
    rng = random.Random(7)
    ids = [str(uuid.UUID(int=rng.getrandbits(128))) for _ in range(records)]
    with open(input_file, "w", encoding="utf-8") as handle:
        for n, rid in enumerate(ids):
            handle.write(json.dumps({"recordId": rid, "modelInput": body(n)}, separators=(",", ":")) + "\n")
    order = list(range(records))
    rng.shuffle(order)
    files = [open(outputs / f"part-{i:02d}.jsonl.out", "w", encoding="utf-8") for i in range(10)]
    for k, n in enumerate(order):
        if n % 100 == 99:
            continue
        line = {"modelInput": body(n), "recordId": ids[n]}
        if n % 50 == 0:
            line["error"] = {"errorCode": 400, "errorMessage": "Malformed input request"}
        else:
            line["modelOutput"] = {"id": f"msg_{n}", "type": "message", "role": "assistant", "model": "claude",
                                   "content": [{"type": "text", "text": f"mixed: lid rattles ({n})"}],
                                   "stop_reason": "end_turn", "stop_sequence": None,
                                   "usage": {"input_tokens": 95, "cache_creation_input_tokens": 0,
                                             "cache_read_input_tokens": 0, "output_tokens": 9}}
        files[k % 10].write(json.dumps(line, separators=(",", ":")) + "\n")
    for handle in files:
        handle.close()
    return input_file, outputs


def measure(argv, env):
    start = time.perf_counter()
    proc = subprocess.Popen(argv, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(proc.pid, 0)
    elapsed = time.perf_counter() - start
    if os.waitstatus_to_exitcode(status) != 0:
        sys.exit(f"failed: {' '.join(map(str, argv))}\n{proc.stderr.read().decode()}")
    return elapsed, usage.ru_maxrss * 1024, proc.stdout.read().decode()


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--bin", default=str(ROOT / "target" / "release" / "bedrock-batch"))
    parser.add_argument("--records", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    input_file, outputs = generate(args.records)
    out_bytes = sum(p.stat().st_size for p in outputs.iterdir())
    in_bytes = input_file.stat().st_size
    times, peaks, said = [], [], ""
    for _ in range(args.repeat):
        with tempfile.TemporaryDirectory(dir=DATA) as work:
            env = {**os.environ, "BEDROCK_BATCH_HOME": work, "HOME": work}
            argv = [args.bin, "open", "--outputs", str(outputs), "--requests", str(input_file),
                    "--out", str(Path(work) / "opened")]
            elapsed, peak, said = measure(argv, env)
        times.append(elapsed)
        peaks.append(peak)
    expected = f"Joined {args.records:,} rows"
    if expected not in said:
        sys.exit(f"the join did not account for every record:\n{said}")
    median, peak = statistics.median(times), max(peaks)
    print(f"open {args.records:,} records: {median:.1f} s (median of {args.repeat}), peak {peak / 1e6:.0f} MB | "
          f"outputs {out_bytes / 1e6:.0f} MB, input {in_bytes / 1e6:.0f} MB | peak / outputs "
          f"{peak / out_bytes:.2f}")
    print(said.strip().splitlines()[1 if len(said.splitlines()) > 1 else 0])


if __name__ == "__main__":
    main()
