//! `bedrock-batch emulator --listen ADDR` end to end: prepare the shipped sample, upload it to an S3-protocol
//! server (moto), run the job on the emulator (which reads and writes that S3), download the outputs and
//! join them with `bedrock-batch results`.

use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use e2e_tests::http::{encode, request, request_as};
use e2e_tests::path_text as s;
use e2e_tests::{KillOnDrop, binary, prepare_sample, read_csv, run, samples, spawn_listening};
use serde_json::{Value, json};
use test_servers::Moto;

fn start_emulator(s3_endpoint: &str) -> (KillOnDrop, String) {
    let mut command = Command::new(binary());
    command
        .args(["emulator", "--listen", "127.0.0.1:0", "--tick-ms", "20"])
        .env("AWS_ACCESS_KEY_ID", "testing")
        .env("AWS_SECRET_ACCESS_KEY", "testing")
        .env("AWS_REGION", "us-east-1")
        .env("AWS_ENDPOINT_URL_S3", s3_endpoint)
        .stderr(Stdio::inherit());
    let (child, addr) = spawn_listening(command);
    (KillOnDrop(child), addr)
}

#[test]
fn prepare_emulated_job_over_s3_and_results() {
    let dir = tempfile::tempdir().unwrap();
    let reviews = samples().join("reviews.csv");
    let prepared = prepare_sample(dir.path(), "us.amazon.nova-lite-v1:0");

    let moto = Moto::start();
    let s3 = moto.endpoint().trim_start_matches("http://").to_string();
    for bucket in ["in-bucket", "out-bucket"] {
        assert_eq!(request(&s3, "PUT", &format!("/{bucket}"), b"").status, 200);
    }
    let part = std::fs::read(prepared.join("part-001.jsonl")).unwrap();
    assert_eq!(request(&s3, "PUT", "/in-bucket/run1/part-001.jsonl", &part).status, 200);

    let (_emulator, bedrock) = start_emulator(&moto.endpoint());
    let create = json!({
        "jobName": "reviews-p001",
        "roleArn": "arn:aws:iam::123456789012:role/BedrockBatchRole",
        "modelId": "us.amazon.nova-lite-v1:0",
        "inputDataConfig": {"s3InputDataConfig": {"s3Uri": "s3://in-bucket/run1/", "s3InputFormat": "JSONL"}},
        "outputDataConfig": {"s3OutputDataConfig": {"s3Uri": "s3://out-bucket/out/"}},
        "clientRequestToken": "run1-p0001"
    });
    let created = request(&bedrock, "POST", "/model-invocation-job", create.to_string().as_bytes());
    assert_eq!(created.status, 200, "{}", created.text());
    let arn = serde_json::from_slice::<Value>(&created.body).unwrap()["jobArn"].as_str().unwrap().to_string();
    let id = arn.rsplit('/').next().unwrap().to_string();
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        let job: Value = serde_json::from_slice(
            &request(&bedrock, "GET", &format!("/model-invocation-job/{}", encode(&arn)), b"").body,
        )
        .unwrap();
        if job["status"] == "Completed" {
            assert_eq!(job["totalRecordCount"], 120);
            break;
        }
        assert!(job["status"] != "Failed", "{job}");
        assert!(Instant::now() < deadline, "the job did not finish: {job}");
        std::thread::sleep(Duration::from_millis(50));
    }

    // Download <output>/<jobId>/ as `aws s3 cp --recursive` would, then join.
    let outputs = dir.path().join("outputs").join(&id);
    std::fs::create_dir_all(&outputs).unwrap();
    for name in ["part-001.jsonl.out", "manifest.json.out"] {
        let object = request_as(&s3, "GET", &format!("/out-bucket/out/{id}/{name}"), b"", "testing");
        assert_eq!(object.status, 200, "{name}");
        std::fs::write(outputs.join(name), &object.body).unwrap();
    }
    let export = dir.path().join("joined.csv");
    let summary = run(
        dir.path(),
        &[
            "results",
            "--input",
            s(&reviews),
            "--prepared",
            s(&prepared),
            "--outputs",
            s(&dir.path().join("outputs")),
            "--export",
            s(&export),
            "--format",
            "json",
        ],
    );
    let summary: Value = serde_json::from_str(summary.ok()).unwrap();
    assert_eq!((summary["succeeded"].as_u64(), summary["missing"].as_u64()), (Some(120), Some(0)));
    assert_eq!(summary["cost_basis"], "manifests");
    let (_, rows) = read_csv(&export);
    assert_eq!(rows.len(), 120);
    assert!(rows.iter().all(|r| r[8].contains("sandbox answer")));

    // The same token again: the same job, not a second one.
    let again = request(&bedrock, "POST", "/model-invocation-job", create.to_string().as_bytes());
    assert_eq!(serde_json::from_slice::<Value>(&again.body).unwrap()["jobArn"], arn.as_str());
    let listed: Value = serde_json::from_slice(&request(&bedrock, "GET", "/model-invocation-jobs", b"").body).unwrap();
    assert_eq!(listed["invocationJobSummaries"].as_array().unwrap().len(), 1);
}

#[test]
fn the_emulator_listens_on_loopback_unless_told_otherwise_and_then_warns() {
    let dir = tempfile::tempdir().unwrap();
    let start = |args: &[&str]| {
        let mut command = Command::new(binary());
        command.args(args).env("AWS_REGION", "us-east-1").stderr(Stdio::piped());
        let (mut child, addr) = spawn_listening(command);
        child.kill().unwrap();
        let output = child.wait_with_output().unwrap();
        (addr, String::from_utf8_lossy(&output.stderr).into_owned())
    };
    let s3_dir = dir.path().join("s3");
    let (addr, stderr) = start(&["emulator", "--s3-listen", "127.0.0.1:0", "--s3-dir", s(&s3_dir)]);
    assert!(addr.starts_with("127.0.0.1:"), "loopback by default: {addr}");
    assert!(!stderr.contains("WARNING"), "{stderr}");
    let (addr, stderr) = start(&["emulator", "--listen", "0.0.0.0:0"]);
    assert!(addr.starts_with("0.0.0.0:"), "{addr}");
    assert!(stderr.contains("WARNING: listening on 0.0.0.0:0, which is not a loopback address"), "{stderr}");
}
