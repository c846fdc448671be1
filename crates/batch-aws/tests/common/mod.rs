//! Helpers shared by the upload suites: deterministic files, a recorded run, reading an object back.

use std::path::Path;
use std::sync::Mutex;

use batch_app::history::{History, NewPart, NewRun, RunId};
use batch_core::aws_names::{JobName, RoleArn, S3Uri};

/// A deterministic file of `len` bytes.
pub fn write_file(path: &Path, len: usize) -> Vec<u8> {
    let bytes: Vec<u8> = (0..len).map(|i| (i.wrapping_mul(2_654_435_761) >> 13) as u8).collect();
    std::fs::write(path, &bytes).unwrap();
    bytes
}

/// Records a one-part run whose part goes to `target`.
pub fn record_run(history: &Mutex<History>, target: &S3Uri, bytes: u64) -> RunId {
    let run = NewRun {
        prepared_dir: "/tmp/prepared".into(),
        model_id: "amazon.nova-lite-v1:0".into(),
        role_arn: RoleArn::parse("arn:aws:iam::123456789012:role/BedrockBatchRole").unwrap(),
        input_uri: S3Uri::parse("s3://in-bucket/runs/").unwrap(),
        output_uri: S3Uri::parse("s3://out-bucket/out/").unwrap(),
        job_name: JobName::parse("reviews").unwrap(),
        sandbox: false,
        retry_of: None,
        parts: vec![NewPart { file: "part-001.jsonl".into(), records: 100, bytes, input_uri: target.clone() }],
        settings: Default::default(),
        submission: format!("test {target}"),
        parts_fingerprint: "test".into(),
    };
    history.lock().unwrap().create_run(&run).unwrap()
}

/// The bytes of the object at `target`.
pub async fn object(client: &aws_sdk_s3::Client, target: &S3Uri) -> Vec<u8> {
    let got = client.get_object().bucket(target.bucket()).key(target.key()).send().await.unwrap();
    got.body.collect().await.unwrap().into_bytes().to_vec()
}
