"""Typed answers at scale: 1,000,000 rows whose answers have 5 extracted fields (one-of, number, integer,
boolean, date), answered by the sandbox model, then joined, checked, typed, summarised (`results --summary`) and
exported to Parquet and CSV by the release `bedrock-batch`. Reports seconds and peak memory against the size of
the outputs read.

    bash benches/run.sh --skip-criterion --typed      (or: python benches/typed_answers.py --bin target/release/bedrock-batch)
"""
import argparse
import json
import subprocess
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from compare import DATA, SAMPLES, MODEL, ensure_sheet, measure  # noqa: E402

FIELDS = [
    "sentiment:one-of(positive|negative|mixed):the review's sentiment",
    "confidence:number:how sure, 0 to 1",
    "stars:integer:the rating the text suggests",
    "refund:boolean:whether the reviewer asks for a refund",
    "written:date:when the review says it was written",
]


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--bin", required=True, help="the release bedrock-batch binary")
    parser.add_argument("--rows", type=int, default=1_000_000)
    args = parser.parse_args()
    DATA.mkdir(parents=True, exist_ok=True)
    sheet = ensure_sheet(args.rows, f"reviews-{args.rows}.csv" if args.rows != 1_000_000 else "reviews-1m.csv")
    prep, outputs = DATA / f"typed-prep-{args.rows}", DATA / f"typed-outputs-{args.rows}"
    extract = [arg for field in FIELDS for arg in ("--extract", field)]
    if not (prep / "plan.json").exists():
        subprocess.run([args.bin, "prepare", "--input", str(sheet), "--template", str(SAMPLES / "prompt.txt"),
                        "--model", MODEL, "--out", str(prep), *extract], check=True, stdout=subprocess.DEVNULL)
    if not outputs.exists():
        subprocess.run([args.bin, "sandbox-outputs", "--prepared", str(prep), "--out", str(outputs)], check=True,
                       stdout=subprocess.DEVNULL)
    out_bytes = sum(p.stat().st_size for p in outputs.rglob("*.jsonl.out"))
    rows = []
    for name, export, extra in [("typed Parquet + summary", "typed.parquet", ["--summary"]),
                                ("typed CSV", "typed.csv", [])]:
        seconds, peak = measure([args.bin, "results", "--input", str(sheet), "--prepared", str(prep), "--outputs",
                                 str(outputs), "--export", str(DATA / export), *extra], 1)
        print(f"{name}, {args.rows:,} rows × 5 fields: {seconds:.2f} s, peak {peak / 1e6:.0f} MB "
              f"(outputs read: {out_bytes / 1e6:.0f} MB, {100 * peak / out_bytes:.0f}% of them)", flush=True)
        rows.append({"step": name, "rows": args.rows, "seconds": round(seconds, 2), "peak_mb": round(peak / 1e6, 1),
                     "outputs_mb": round(out_bytes / 1e6, 1)})
    (DATA / "typed-answers.json").write_text(json.dumps(rows, indent=2) + "\n")


if __name__ == "__main__":
    main()
