//! The CLI's log file: each command's start and its error land in `cli.<date>.log` in the log folder
//! (`$BEDROCK_BATCH_HOME/logs` here), and no credential does — even at `trace`, where the AWS SDK logs the
//! signed requests it sends.

use e2e_tests::{command, finish};
use test_servers::Moto;

const ACCESS_KEY: &str = "AKIAZZTESTLOGGING123";
const SECRET_KEY: &str = "sEcReT/never-in-a-log/0123456789abcdefXYZ";
const SESSION_TOKEN: &str = "IQoJb3JpZ2luX2VjEFake//session+token/for-the-log-test==";

#[test]
fn a_failing_command_is_logged_with_its_error_and_without_the_credentials() {
    let home = tempfile::tempdir().unwrap();
    let moto = Moto::start();
    let endpoint = moto.endpoint();
    let mut cli = command(
        home.path(),
        home.path(),
        &[
            ("AWS_ACCESS_KEY_ID", ACCESS_KEY),
            ("AWS_SECRET_ACCESS_KEY", SECRET_KEY),
            ("AWS_SESSION_TOKEN", SESSION_TOKEN),
            ("AWS_REGION", "us-east-1"),
            ("AWS_ENDPOINT_URL", &endpoint),
            ("BEDROCK_BATCH_LOG", "trace"),
        ],
    );
    // STS answers (moto); the Bedrock job listing has no server there, so the command fails.
    cli.args(["jobs", "--remote"]);
    let run = finish(cli);
    assert_ne!(run.code, Some(0), "{}", run.stdout);

    let logs: Vec<_> = std::fs::read_dir(home.path().join("logs")).unwrap().map(|e| e.unwrap().path()).collect();
    assert_eq!(logs.len(), 1, "one file for today: {logs:?}");
    let name = logs[0].file_name().unwrap().to_string_lossy().into_owned();
    assert!(name.starts_with("cli.") && name.ends_with(".log"), "{name}");
    let log = std::fs::read_to_string(&logs[0]).unwrap();
    assert!(log.contains("bedrock-batch started") && log.contains("jobs"), "{log}");
    let error = log.lines().find(|line| line.contains(" ERROR ")).unwrap_or_else(|| panic!("no error line: {log}"));
    let printed = run.stderr.lines().find_map(|l| l.strip_prefix("error: ")).expect("the terminal's error line");
    assert!(error.contains(printed), "the command's error, as the terminal printed it: {error}\n{printed}");
    // The SDK's trace of the signed requests was there to redact: the test would see a leak.
    assert!(log.contains("[redacted]"), "nothing was redacted, so nothing was tested: {log}");
    for secret in [ACCESS_KEY, SECRET_KEY, SESSION_TOKEN] {
        assert!(!log.contains(secret), "{secret} is in the log");
    }
}
