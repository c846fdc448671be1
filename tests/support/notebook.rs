//! A notebook's batch job made outside this tool: moto's S3 and the Bedrock emulator started on free ports, and
//! the job created there with boto3 (`tests/fixtures/notebook_job.py`), as analysts do.

use std::process::{Command, Stdio};

use test_servers::Moto;

use crate::http::request;
use crate::{KillOnDrop, binary, python};

/// The notebook's script: 150 records with its own ids ("0"…"99", 40 UUIDs, 10 free-text ids), one refused.
const NOTEBOOK: &str = include_str!("../fixtures/notebook_job.py");

/// moto (S3, STS) and the emulator, stopped when dropped.
pub struct NotebookServers {
    _moto: Moto,
    _emulator: KillOnDrop,
    /// The emulator's URL.
    pub bedrock: String,
    /// moto's URL.
    pub s3: String,
}

impl NotebookServers {
    /// Starts moto and the emulator (which reads and writes moto's S3), with the notebook's bucket.
    pub fn start() -> Self {
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
        let mut child = emulator.spawn().expect("start the emulator");
        let mut first = String::new();
        let stdout = child.stdout.take().expect("the emulator's output");
        std::io::BufRead::read_line(&mut std::io::BufReader::new(stdout), &mut first).expect("its first line");
        let bedrock = first
            .split("listening on ")
            .nth(1)
            .and_then(|r| r.split_whitespace().next())
            .unwrap_or_else(|| panic!("the emulator did not say where it listens: {first}"))
            .to_string();
        let host = s3.trim_start_matches("http://");
        assert_eq!(request(host, "PUT", "/notebook-bucket", b"").status, 200);
        Self { _moto: moto, _emulator: KillOnDrop(child), bedrock, s3 }
    }

    /// Creates the notebook's job with boto3 and waits for it to end; returns its ARN and final status.
    pub fn notebook_job(&self) -> (String, String) {
        let made = python(NOTEBOOK, &[&self.bedrock, &self.s3]);
        let (arn, status) = made.trim().split_once(' ').unwrap_or_else(|| panic!("not an ARN and a status: {made}"));
        (arn.to_string(), status.to_string())
    }

    /// The environment that sends this tool's AWS calls to these servers.
    pub fn aws_environment(&self) -> Vec<(&'static str, String)> {
        vec![
            ("AWS_ACCESS_KEY_ID", "testing".into()),
            ("AWS_SECRET_ACCESS_KEY", "testing".into()),
            ("AWS_REGION", "us-east-1".into()),
            ("AWS_ENDPOINT_URL_S3", self.s3.clone()),
            ("AWS_ENDPOINT_URL_BEDROCK", self.bedrock.clone()),
            ("AWS_ENDPOINT_URL_BEDROCK_RUNTIME", self.bedrock.clone()),
            ("AWS_ENDPOINT_URL_STS", self.s3.clone()),
            ("AWS_ENDPOINT_URL_IAM", self.s3.clone()),
            ("AWS_ENDPOINT_URL_SERVICE_QUOTAS", self.s3.clone()),
            ("AWS_ENDPOINT_URL_CLOUDWATCH", self.bedrock.clone()),
            ("BEDROCK_BATCH_POLLING", "emulator".into()),
        ]
    }
}
