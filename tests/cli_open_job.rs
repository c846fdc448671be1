//! A batch job made by another tool — created with boto3, as a notebook does, against the emulator over moto's
//! S3 — listed by `jobs --remote` as made elsewhere, opened with `bedrock-batch open JOB` (its input and outputs
//! downloaded, its own record ids kept: numbers from 0, UUIDs, free text), then listed as opened.

use std::path::Path;
use std::process::{Command, Stdio};

use e2e_tests::http::request;
use e2e_tests::path_text as s;
use e2e_tests::{KillOnDrop, binary, command, finish, python, read_csv};
use test_servers::Moto;

/// The notebook: 150 records (ids "0"…"99", 40 UUIDs, 10 free-text ids), one with a blank message that the model
/// refuses, written to S3 and sent as one job with boto3; waits for it to end and prints its ARN.
const NOTEBOOK: &str = r#"
import json, sys, time, uuid, boto3
bedrock_url, s3_url = sys.argv[1], sys.argv[2]
keys = dict(region_name="us-east-1", aws_access_key_id="testing", aws_secret_access_key="testing")
s3 = boto3.client("s3", endpoint_url=s3_url, **keys)
ids = [str(i) for i in range(100)] + [str(uuid.UUID(int=i + 1)) for i in range(40)] + [f"review é/{i} #x" for i in range(10)]
lines = []
for n, rid in enumerate(ids):
    text = "  " if rid == "7" else f"Review {n}: label it"
    messages = [{"role": "user", "content": [{"type": "text", "text": text}]}]
    body = {"anthropic_version": "bedrock-2023-05-31", "max_tokens": 60, "system": "Answer with one word.", "messages": messages}
    lines.append(json.dumps({"recordId": rid, "modelInput": body}, ensure_ascii=False))
s3.put_object(Bucket="notebook-bucket", Key="batches/reviews.jsonl", Body="\n".join(lines).encode())
bedrock = boto3.client("bedrock", endpoint_url=bedrock_url, **keys)
job = bedrock.create_model_invocation_job(
    jobName="notebook-reviews",
    roleArn="arn:aws:iam::123456789012:role/NotebookBatchRole",
    modelId="anthropic.claude-3-haiku-20240307-v1:0",
    inputDataConfig={"s3InputDataConfig": {"s3Uri": "s3://notebook-bucket/batches/reviews.jsonl"}},
    outputDataConfig={"s3OutputDataConfig": {"s3Uri": "s3://notebook-bucket/outputs/"}},
)
for _ in range(600):
    status = bedrock.get_model_invocation_job(jobIdentifier=job["jobArn"])["status"]
    if status in ("Completed", "PartiallyCompleted", "Failed", "Stopped", "Expired"):
        break
    time.sleep(0.05)
print(job["jobArn"], status)
"#;

struct Servers {
    _moto: Moto,
    _emulator: KillOnDrop,
    bedrock: String,
    s3: String,
}

fn servers() -> Servers {
    let moto = Moto::start();
    let s3 = moto.endpoint();
    let mut emulator = Command::new(binary());
    emulator
        .args(["emulator", "--tick-ms", "20"])
        .env("AWS_ACCESS_KEY_ID", "testing")
        .env("AWS_SECRET_ACCESS_KEY", "testing")
        .env("AWS_REGION", "us-east-1")
        .env("AWS_ENDPOINT_URL_S3", &s3)
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit());
    let mut child = emulator.spawn().unwrap();
    let mut first = String::new();
    std::io::BufRead::read_line(&mut std::io::BufReader::new(child.stdout.take().unwrap()), &mut first).unwrap();
    let bedrock = first
        .split("listening on ")
        .nth(1)
        .and_then(|r| r.split_whitespace().next())
        .unwrap_or_else(|| panic!("{first}"))
        .to_string();
    let host = s3.trim_start_matches("http://");
    assert_eq!(request(host, "PUT", "/notebook-bucket", b"").status, 200);
    Servers { _moto: moto, _emulator: KillOnDrop(child), bedrock, s3 }
}

fn cli(dir: &Path, servers: &Servers, args: &[&str]) -> e2e_tests::Run {
    let vars = [
        ("AWS_ACCESS_KEY_ID", "testing"),
        ("AWS_SECRET_ACCESS_KEY", "testing"),
        ("AWS_REGION", "us-east-1"),
        ("AWS_ENDPOINT_URL_S3", servers.s3.as_str()),
        ("AWS_ENDPOINT_URL_BEDROCK", servers.bedrock.as_str()),
        ("AWS_ENDPOINT_URL_STS", servers.s3.as_str()),
        ("BEDROCK_BATCH_POLLING", "emulator"),
    ];
    let mut command = command(dir, dir, &vars);
    command.args(args);
    finish(command)
}

#[test]
fn a_job_made_with_boto3_is_listed_as_made_elsewhere_opened_with_its_own_ids_and_then_listed_as_opened() {
    let dir = tempfile::tempdir().unwrap();
    let servers = servers();
    let made = python(NOTEBOOK, &[&servers.bedrock, &servers.s3]);
    let (arn, status) = made.trim().split_once(' ').unwrap();
    assert_eq!(status, "Completed", "a refused record is an error line of a completed job: {made}");
    let job_id = arn.rsplit('/').next().unwrap();

    let listed = cli(dir.path(), &servers, &["jobs", "--remote"]);
    let text = listed.ok();
    assert!(text.contains("notebook-reviews") && text.contains("made elsewhere"), "{text}");
    assert!(text.contains("anthropic.claude-3-haiku-20240307-v1:0") && text.contains("150/150 records"), "{text}");

    let out = dir.path().join("opened");
    let opened = cli(dir.path(), &servers, &["open", job_id, "--out", s(&out)]);
    let text = opened.ok();
    assert!(text.contains("job notebook-reviews (Completed"), "{text}");
    assert!(text.contains("records    150 (read from its request lines)"), "{text}");
    assert!(text.contains("Joined 150 rows: 149 succeeded, 1 failed, 0 missing"), "{text}");
    let (headers, rows) = read_csv(&out.join("results.csv"));
    let at = |name: &str| headers.iter().position(|h| h == name).unwrap();
    let ids: Vec<&str> = rows.iter().map(|r| r[at("record_id")].as_str()).collect();
    assert_eq!(ids[..3], ["0", "1", "2"]);
    assert_eq!(ids[100], "00000000-0000-0000-0000-000000000001");
    assert_eq!(ids[149], "review é/9 #x", "free text, kept as written");
    let row = &rows[120];
    assert_eq!(
        (row[at("system")].as_str(), row[at("prompt")].as_str()),
        ("Answer with one word.", "Review 120: label it")
    );
    assert_eq!(row[at("status")], "succeeded");
    assert!(!row[at("output")].is_empty());
    assert_eq!(rows[7][at("status")], "failed", "{:?}", rows[7]);
    assert!(!rows[7][at("error")].is_empty());
    // The input was downloaded as the job read it.
    assert!(out.join("input").join("reviews.jsonl").is_file());

    let again = cli(dir.path(), &servers, &["jobs", "--remote"]);
    let run = text.split("opened as run ").nth(1).and_then(|r| r.split_whitespace().next()).unwrap();
    assert!(again.ok().contains(&format!("opened as {run}")), "{}", again.ok());
    // Opening it twice is refused with the way on: fetch the run.
    let twice = cli(dir.path(), &servers, &["open", arn]);
    assert!(twice.failed().contains(&format!("bedrock-batch fetch {run}")), "{}", twice.failed());
    // `fetch` reads it again from S3, like any run.
    let fetched = cli(dir.path(), &servers, &["fetch", run, "--out", s(&out)]);
    assert!(fetched.ok().contains("Joined 150 rows: 149 succeeded, 1 failed"), "{}", fetched.ok());
}
