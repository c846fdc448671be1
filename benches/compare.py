#!/usr/bin/env python3
"""Compares `bedrock-batch` with the notebook approach it replaces, on generated sheets.

  prepare  pandas read_csv → rows into dicts → an f-string prompt and json.dumps per row → JSONL
           vs  bedrock-batch prepare                   (200,000 rows, ~44 MB)
  results  pandas read_json(lines=True) over every *.jsonl.out + merge with the sheet → CSV
           vs  bedrock-batch results                    (1,000,000 output lines)

Each command runs as its own process; wall time is the median of --repeat runs and peak memory is the
process's max RSS (from wait4). Run through benches/run.sh, which builds the release binary and the venv.
"""
import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "benches" / "data"
SAMPLES = ROOT / "samples"
MODEL = "anthropic.claude-haiku-4-5-20251001-v1:0"
SYSTEM = (SAMPLES / "system.txt").read_text().rstrip("\n")


# ----- the reference implementations (what analysts write in notebooks) -------------------------------------

def reference_prepare(sheet: str, out: str) -> None:
    import pandas as pd

    df = pd.read_csv(sheet)
    with open(out, "w", encoding="utf-8") as handle:
        for i, row in enumerate(df.to_dict("records")):
            prompt = (
                f"Classify the sentiment of this review of \"{row['product']}\" as positive, negative or mixed, "
                f"then give one short reason.\n\nTitle: {row['title']}\nRating: {row['rating']}/5\n"
                f"Review: {row['review text']}"
            )
            record = {
                "recordId": f"REC{i:08d}",
                "modelInput": {
                    "anthropic_version": "bedrock-2023-05-31",
                    "max_tokens": 1024,
                    "system": SYSTEM,
                    "messages": [{"role": "user", "content": [{"type": "text", "text": prompt}]}],
                },
            }
            handle.write(json.dumps(record) + "\n")


def reference_results(sheet: str, prepared: str, outputs: str, export: str) -> None:
    import pandas as pd

    frames = [pd.read_json(path, lines=True) for path in sorted(Path(outputs).rglob("*.jsonl.out"))]
    out = pd.concat(frames, ignore_index=True)

    def text(output):
        if not isinstance(output, dict):
            return ""
        return "".join(c.get("text", "") for c in output.get("content", []) if c.get("type") == "text")

    out["output"] = out["modelOutput"].apply(text)
    mapping = pd.read_csv(Path(prepared) / "records.csv", dtype=str)
    df = pd.read_csv(sheet, dtype=str, keep_default_na=False)
    df["record_id"] = mapping["record_id"]
    merged = df.merge(out[["recordId", "output"]], left_on="record_id", right_on="recordId", how="left")
    merged.drop(columns=["recordId"]).to_csv(export, index=False)


# ----- measuring --------------------------------------------------------------------------------------------

def measure(argv, repeat, env=None, before=None):
    """Runs argv `repeat` times (calling `before` ahead of each run); returns (median seconds, max peak RSS
    in bytes)."""
    times, peaks = [], []
    for _ in range(repeat):
        if before:
            before()
        start = time.perf_counter()
        proc = subprocess.Popen(argv, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        _, status, usage = os.wait4(proc.pid, 0)
        elapsed = time.perf_counter() - start
        if os.waitstatus_to_exitcode(status) != 0:
            sys.exit(f"failed: {' '.join(map(str, argv))}\n{proc.stderr.read().decode()}")
        times.append(elapsed)
        peaks.append(usage.ru_maxrss * 1024)
    return statistics.median(times), max(peaks)


def report(name, ours, reference, input_bytes):
    (t_ours, m_ours), (t_ref, m_ref) = ours, reference
    line = (f"{name}: bedrock-batch {t_ours:.2f} s, peak {m_ours / 1e6:.0f} MB | pandas {t_ref:.2f} s, "
            f"peak {m_ref / 1e6:.0f} MB | speed-up {t_ref / t_ours:.1f}x | input {input_bytes / 1e6:.0f} MB")
    print(line, flush=True)
    return {"step": name, "ours_s": round(t_ours, 3), "ours_peak_mb": round(m_ours / 1e6, 1),
            "pandas_s": round(t_ref, 3), "pandas_peak_mb": round(m_ref / 1e6, 1),
            "speedup": round(t_ref / t_ours, 1), "input_mb": round(input_bytes / 1e6, 1)}


def ensure_sheet(rows, name):
    path = DATA / name
    if not path.exists():
        subprocess.run([sys.executable, str(SAMPLES / "generate_reviews.py"), str(rows), str(path), "--long"], check=True)
    return path


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--bin", required=True, help="the release bedrock-batch binary")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--skip-results", action="store_true", help="only the prepare comparison")
    parser.add_argument("--reference", nargs="+", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.reference:
        kind, *rest = args.reference
        (reference_prepare if kind == "prepare" else reference_results)(*rest)
        return
    DATA.mkdir(parents=True, exist_ok=True)
    me = [sys.executable, __file__, "--bin", args.bin, "--reference"]
    common = ["--template", str(SAMPLES / "prompt.txt"), "--system", str(SAMPLES / "system.txt"), "--model", MODEL]
    rows = []

    sheet = ensure_sheet(200_000, "reviews-200k.csv")
    ours = measure([args.bin, "prepare", "--input", str(sheet), *common, "--out", str(DATA / "prep-200k")], args.repeat)
    ref = measure(me + ["prepare", str(sheet), str(DATA / "pandas-200k.jsonl")], args.repeat)
    rows.append(report("prepare 200k rows", ours, ref, sheet.stat().st_size))

    big = ensure_sheet(1_000_000, "reviews-1m.csv")
    prep = DATA / "prep-1m"
    ours = measure([args.bin, "prepare", "--input", str(big), *common, "--out", str(prep)], 1)
    print(f"prepare 1M rows: bedrock-batch {ours[0]:.2f} s, peak {ours[1] / 1e6:.0f} MB "
          f"(input {big.stat().st_size / 1e6:.0f} MB)", flush=True)
    rows.append({"step": "prepare 1M rows", "ours_s": round(ours[0], 3), "ours_peak_mb": round(ours[1] / 1e6, 1),
                 "input_mb": round(big.stat().st_size / 1e6, 1)})
    if not args.skip_results:
        outputs = DATA / "outputs-1m"
        if not outputs.exists():
            subprocess.run([args.bin, "sandbox-outputs", "--prepared", str(prep), "--out", str(outputs)], check=True,
                           stdout=subprocess.DEVNULL)
        out_bytes = sum(p.stat().st_size for p in outputs.rglob("*.jsonl.out"))
        ours = measure([args.bin, "results", "--input", str(big), "--prepared", str(prep), "--outputs", str(outputs),
                        "--export", str(DATA / "joined-1m.csv")], 1)
        ref = measure(me + ["results", str(big), str(prep), str(outputs), str(DATA / "pandas-joined-1m.csv")], 1)
        rows.append(report("results 1M lines", ours, ref, out_bytes))
    (DATA / "results.json").write_text(json.dumps(rows, indent=2) + "\n")


if __name__ == "__main__":
    main()
