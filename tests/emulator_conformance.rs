//! The emulator against Bedrock's service model: `tests/conformance/bedrock_conformance.py` (boto3, with the
//! botocore JSON models of the test venv) sends generated valid and invalid requests to a sandbox started here and
//! checks every response against the model's shapes, then the status walk, tokens, output layout and manifest.

use std::path::Path;
use std::process::Command;

use bedrock_emulator::sandbox::SandboxServers;

#[test]
fn the_emulator_answers_as_the_service_model_says() {
    let dir = tempfile::tempdir().unwrap();
    let servers = SandboxServers::start(dir.path(), &["conformance-bucket"]).unwrap();
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let python = root.join(".venv/bin/python");
    assert!(python.exists(), "{} is missing: run `bash scripts/test.sh`, which creates .venv", python.display());
    let output = Command::new(&python)
        .arg(root.join("tests/conformance/bedrock_conformance.py"))
        .args(["--bedrock", &servers.bedrock_endpoint(), "--s3", &servers.s3_endpoint()])
        .args(["--bucket", "conformance-bucket"])
        .env("AWS_CONFIG_FILE", "/dev/null")
        .env("AWS_SHARED_CREDENTIALS_FILE", "/dev/null")
        .output()
        .unwrap();
    let report = String::from_utf8_lossy(&output.stdout);
    println!("{report}{}", String::from_utf8_lossy(&output.stderr));
    assert!(output.status.success(), "the emulator departs from the service model:\n{report}");
    assert!(report.contains(" checks, 0 failed"), "{report}");
}
