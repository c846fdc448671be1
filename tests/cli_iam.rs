//! `bedrock-batch iam check` and `iam fix` through the binary: offline on the policy corpus (checklist,
//! JSON, exit codes 0/1/2), and live against moto's IAM and STS (creating the role from the generated
//! policies, then checking it; the simulator moto lacks is reported, not fatal).

use std::path::{Path, PathBuf};

use e2e_tests::path_text as s;
use e2e_tests::{Run, command, finish};
use serde_json::Value;
use test_servers::Moto;

fn corpus(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/iam").join(name)
}

const ROLE: &str = "arn:aws:iam::111122223333:role/BedrockBatchRole";

fn offline(dir: &Path, trust: &str, role: &str, caller: &str, extra: &[&str]) -> Run {
    let (trust, role, caller) = (corpus(trust), corpus(role), corpus(caller));
    let mut args = vec![
        "iam",
        "check",
        "--offline",
        "--role-arn",
        ROLE,
        "--trust-policy",
        s(&trust),
        "--role-policy",
        s(&role),
        "--caller-arn",
        "arn:aws:iam::111122223333:user/ana",
        "--caller-policy",
        s(&caller),
        "--input",
        "s3://in-bucket/batch",
        "--output",
        "s3://out-bucket/results",
        "--region",
        "us-east-1",
        "--account",
        "111122223333",
        "--model-id",
        "us.anthropic.claude-haiku-4-5-20251001-v1:0",
    ];
    args.extend(extra);
    let mut cli = command(dir, dir, &[]);
    cli.args(&args);
    finish(cli)
}

#[test]
fn offline_checks_print_a_checklist_or_json_and_exit_by_verdict() {
    let dir = tempfile::tempdir().unwrap();
    let good = offline(dir.path(), "trust-good.json", "role-good.json", "caller-good.json", &["--format", "json"]);
    let report: Value = serde_json::from_str(good.ok()).unwrap();
    assert_eq!(report["verdict"], "pass");
    for check in report["checks"].as_array().unwrap() {
        for field in ["id", "status", "summary", "detail", "fix"] {
            assert!(check.get(field).is_some(), "{field} missing in {check}");
        }
        assert_eq!(check["status"], "pass", "{check}");
    }

    let bad = offline(
        dir.path(),
        "trust-account-root.json",
        "role-bucket-arn-only.json",
        "caller-passrole-other-service.json",
        &[],
    );
    assert_eq!(bad.code, Some(1), "a failing check exits 1: {}", bad.stderr);
    let text = &bad.stdout;
    assert!(text.contains("[FAIL] trust.bedrock_principal"), "{text}");
    assert!(text.contains("account root"), "{text}");
    assert!(text.contains("[FAIL] role.s3_read_input"), "{text}");
    assert!(text.contains("[FAIL] caller.pass_role"), "{text}");
    assert!(text.contains("\"iam:PassedToService\": \"bedrock.amazonaws.com\""), "the fix is printed: {text}");
    assert!(text.contains("Verdict: FAIL"), "{text}");

    // Warnings (a trust without conditions) do not fail the command.
    let warn =
        offline(dir.path(), "trust-no-conditions.json", "role-good.json", "caller-good.json", &["--format", "json"]);
    let report: Value = serde_json::from_str(warn.ok()).unwrap();
    assert_eq!(report["verdict"], "warn");
}

#[test]
fn unusable_input_exits_2_with_one_line() {
    let dir = tempfile::tempdir().unwrap();
    let broken = offline(dir.path(), "broken-action-type.json", "role-good.json", "caller-good.json", &[]);
    assert_eq!(broken.code, Some(2));
    assert!(broken.failed().contains("Statement[0].Action"), "{}", broken.stderr);
    let mut no_account = command(dir.path(), dir.path(), &[]);
    no_account.args([
        "iam",
        "check",
        "--offline",
        "--role-arn",
        ROLE,
        "--trust-policy",
        s(&corpus("trust-good.json")),
        "--input",
        "s3://in-bucket/batch",
        "--output",
        "s3://out-bucket/results",
        "--region",
        "us-east-1",
        "--model-id",
        "m",
    ]);
    let no_account = finish(no_account);
    assert_eq!(no_account.code, Some(2));
    assert!(no_account.failed().contains("--account"), "{}", no_account.stderr);
}

#[test]
fn live_fix_creates_the_role_and_the_live_check_reads_it_back() {
    let dir = tempfile::tempdir().unwrap();
    let moto = Moto::start();
    let vars = [
        ("AWS_ACCESS_KEY_ID", "testing"),
        ("AWS_SECRET_ACCESS_KEY", "testing"),
        ("AWS_REGION", "us-east-1"),
        ("AWS_ENDPOINT_URL", moto.endpoint().leak() as &str),
    ];
    let role = "arn:aws:iam::123456789012:role/service-role/BedrockBatchRole";
    let job = [
        "--role-arn",
        role,
        "--input",
        "s3://in-bucket/batch",
        "--output",
        "s3://out-bucket/results",
        "--model-id",
        "amazon.nova-lite-v1:0",
    ];
    let mut before = command(dir.path(), dir.path(), &vars);
    before.args(["iam", "check"]).args(job).args(["--format", "json"]);
    let before = finish(before);
    let report: Value =
        serde_json::from_str(&before.stdout).unwrap_or_else(|e| panic!("{e}: {} {}", before.stdout, before.stderr));
    let trust = report["checks"].as_array().unwrap().iter().find(|c| c["id"] == "trust.bedrock_principal").unwrap();
    assert_eq!(trust["status"], "unknown", "the role does not exist yet: {trust}");
    assert!(trust["summary"].as_str().unwrap().contains("does not exist"), "{trust}");

    let mut fix = command(dir.path(), dir.path(), &vars);
    fix.args(["iam", "fix"]).args(job).args(["--create-role", "--format", "json"]);
    let fixed: Value = serde_json::from_str(finish(fix).ok()).unwrap();
    assert_eq!(fixed["created_role"], role);
    assert_eq!(fixed["trust_policy"]["Statement"][0]["Principal"]["Service"], "bedrock.amazonaws.com");

    // The buckets exist in us-east-1 (the job's region), so the region check passes.
    for bucket in ["in-bucket", "out-bucket"] {
        let addr = moto.endpoint().trim_start_matches("http://").to_string();
        assert_eq!(e2e_tests::http::request(&addr, "PUT", &format!("/{bucket}"), b"").status, 200);
    }
    let mut after = command(dir.path(), dir.path(), &vars);
    after.args(["iam", "check"]).args(job);
    let after = finish(after);
    let text = after.ok();
    for id in [
        "trust.bedrock_principal",
        "trust.confused_deputy",
        "role.s3_read_input",
        "role.s3_list_input",
        "role.s3_write_output",
        "s3.bucket_region",
    ] {
        assert!(text.contains(&format!("[PASS] {id}")), "{id}: {text}");
    }
    assert!(text.contains("simulator could not be used"), "moto has no simulator: {text}");

    // An output bucket in another region fails the region check, and the command exits 1.
    let addr = moto.endpoint().trim_start_matches("http://").to_string();
    let config =
        b"<CreateBucketConfiguration><LocationConstraint>eu-west-1</LocationConstraint></CreateBucketConfiguration>";
    assert_eq!(e2e_tests::http::request(&addr, "PUT", "/eu-bucket", config).status, 200);
    let mut elsewhere = command(dir.path(), dir.path(), &vars);
    let mut moved = job;
    moved[5] = "s3://eu-bucket/results";
    elsewhere.args(["iam", "check"]).args(moved);
    let elsewhere = finish(elsewhere);
    assert_eq!(elsewhere.code, Some(1), "{}", elsewhere.stderr);
    assert!(elsewhere.stdout.contains("[FAIL] s3.bucket_region"), "{}", elsewhere.stdout);
    assert!(elsewhere.stdout.contains("eu-bucket is in eu-west-1"), "{}", elsewhere.stdout);
}
