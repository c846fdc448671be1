#!/usr/bin/env python3
"""Upload throughput: `bedrock-batch submit` (resumable multipart upload, CRC32 per chunk, history writes)
against boto3's `upload_file` (the notebook way), both sending the same one-part prepared file to the S3
emulator (`bedrock-batch emulator --s3-listen`), which stores objects on local disk.

The part is the 1,000,000-row sheet prepared into a single ~230 MB file. STS answers from moto (submit
shows the caller's identity first); the emulator's worker is parked so only the upload is measured (the
job create that follows it is one local request). Wall time is the median of --repeat runs; peak memory
is the process's max RSS. Run through benches/run.sh (--upload), which builds the release binary and the venv.
"""
import argparse
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "benches" / "data"
SAMPLES = ROOT / "samples"
VENV = ROOT / ".venv"
sys.path.insert(0, str(Path(__file__).resolve().parent))
from compare import measure  # noqa: E402  (the same measuring as the pandas comparison)


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_port(port):
    deadline = time.time() + 30
    while time.time() < deadline:
        with socket.socket() as s:
            if s.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.05)
    sys.exit(f"nothing listens on port {port}")


def peak_rss(pid):
    """A running process's peak resident memory in bytes (Linux's VmHWM), or None where /proc has none."""
    try:
        with open(f"/proc/{pid}/status") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) * 1024
    except OSError:
        return None
    return None


def boto3_upload(endpoint, path, bucket, key):
    import boto3
    from botocore.config import Config

    s3 = boto3.client("s3", endpoint_url=endpoint, region_name="us-east-1", aws_access_key_id="testing",
                      aws_secret_access_key="testing", config=Config(s3={"addressing_style": "path"}))
    s3.upload_file(path, bucket, key)


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--bin", required=True)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--reference", nargs=4, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.reference:
        boto3_upload(*args.reference)
        return
    DATA.mkdir(parents=True, exist_ok=True)
    sheet = DATA / "reviews-1m.csv"
    if not sheet.exists():
        subprocess.run([sys.executable, str(SAMPLES / "generate_reviews.py"), "1000000", str(sheet), "--long"], check=True)
    prep = DATA / "prep-1m-one-part"
    if not (prep / "plan.json").exists():
        big = "100000000000"
        subprocess.run([args.bin, "prepare", "--input", str(sheet), "--template", str(SAMPLES / "prompt.txt"),
                        "--model", "amazon.nova-lite-v1:0", "--out", str(prep), "--max-records-per-file", "1000000",
                        "--max-records-per-job", "1000000", "--max-file-bytes", big, "--max-job-bytes", big],
                       check=True, stdout=subprocess.DEVNULL)
    part = prep / "part-001.jsonl"
    size = part.stat().st_size

    work = Path(tempfile.mkdtemp(prefix="upload-bench-", dir=DATA))
    s3_port, bedrock_port, moto_port = free_port(), free_port(), free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
    env.update({"AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing", "AWS_REGION": "us-east-1",
                "AWS_EC2_METADATA_DISABLED": "true",
                "AWS_ENDPOINT_URL_S3": f"http://127.0.0.1:{s3_port}",
                "AWS_ENDPOINT_URL_BEDROCK": f"http://127.0.0.1:{bedrock_port}",
                "BEDROCK_BATCH_POLLING": "emulator",
                "AWS_ENDPOINT_URL_STS": f"http://127.0.0.1:{moto_port}",
                "AWS_ENDPOINT_URL_SERVICE_QUOTAS": f"http://127.0.0.1:{moto_port}"})
    servers = [
        subprocess.Popen([str(VENV / "bin" / "moto_server"), "-H", "127.0.0.1", "-p", str(moto_port)],
                         stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL),
        subprocess.Popen([args.bin, "emulator", "--listen", f"127.0.0.1:{bedrock_port}", "--tick-ms", "100000000",
                          "--s3-listen", f"127.0.0.1:{s3_port}", "--s3-dir", str(work / "s3")],
                         env=env, stdout=subprocess.DEVNULL),
    ]
    try:
        for port in (s3_port, bedrock_port, moto_port):
            wait_port(port)
        for bucket in ("bench-in", "bench-out"):
            subprocess.run([sys.executable, "-c", f"""
import boto3
from botocore.config import Config
boto3.client('s3', endpoint_url='http://127.0.0.1:{s3_port}', region_name='us-east-1', aws_access_key_id='t',
             aws_secret_access_key='t', config=Config(s3={{'addressing_style': 'path'}})).create_bucket(Bucket='{bucket}')
"""], check=True)
        objects = work / "s3" / "buckets" / "bench-in" / "objects"

        def fresh():
            # Each run starts with an empty bucket and, for bedrock-batch, an empty history.
            for child in objects.iterdir():
                child.unlink()
            shutil.rmtree(work / "home", ignore_errors=True)

        ours_env = dict(env, BEDROCK_BATCH_HOME=str(work / "home"), HOME=str(work))
        ours = measure([args.bin, "submit", "--prepared", str(prep), "--role-arn",
                        "arn:aws:iam::123456789012:role/BedrockBatchRole", "--input-uri", "s3://bench-in/b",
                        "--output-uri", "s3://bench-out/o", "--job-name", "bench", "--max-concurrent-jobs", "1"],
                       args.repeat, env=ours_env, before=fresh)
        ref = measure([sys.executable, __file__, "--bin", args.bin, "--reference", f"http://127.0.0.1:{s3_port}",
                       str(part), "bench-in", "boto3/part-001.jsonl"], args.repeat, env=env, before=fresh)
        # The S3 emulator streams each body to disk: its own peak memory stays far below one part's size.
        server_peak = peak_rss(servers[1].pid)
    finally:
        for server in servers:
            server.kill()
            server.wait()
        shutil.rmtree(work, ignore_errors=True)
    import boto3

    mb = size / 1e6
    print(f"(boto3 {boto3.__version__})")
    print(f"upload {mb:.0f} MB to the S3 emulator: bedrock-batch submit {ours[0]:.2f} s ({mb / ours[0]:.0f} MB/s), "
          f"peak {ours[1] / 1e6:.0f} MB | boto3 upload_file {ref[0]:.2f} s ({mb / ref[0]:.0f} MB/s), "
          f"peak {ref[1] / 1e6:.0f} MB | ratio {ref[0] / ours[0]:.2f}x", flush=True)
    if server_peak is not None:
        print(f"S3 emulator (emulator --s3-listen) peak memory while receiving those uploads: {server_peak / 1e6:.0f} MB",
              flush=True)


if __name__ == "__main__":
    main()
