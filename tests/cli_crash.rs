//! Crash safety of `bedrock-batch submit`, proven by killing the real binary (SIGKILL) at every remote call
//! it makes — once before each request reaches its server, once after the server acted on it but before
//! the answer came back — on moto's S3 and on the project's S3 emulator. After each kill the same submit is
//! run again, as the README says to; then every run is followed to its end and fetched. Each time: exactly
//! one job per part (listed from the Bedrock emulator), one run in the history, and every row answered.

use std::path::Path;
use std::process::{Command, Stdio};

use e2e_tests::http::request;
use e2e_tests::kill_proxy::{self, KillAt, Watch};
use e2e_tests::path_text as s;
use e2e_tests::{KillOnDrop, aws_job_args, binary, command, finish, prepare_sample_with};
use serde_json::Value;
use test_servers::Moto;

/// Where the CLI's calls go: moto (STS, Service Quotas, maybe S3), S3, and the Bedrock emulator.
struct Servers {
    _moto: Moto,
    _emulator: KillOnDrop,
    moto: String,
    s3: String,
    bedrock: String,
}

/// Starts moto and the emulator; S3 is moto's, or the S3 emulator the emulator serves beside itself.
fn servers(dir: &Path, s3_emulator: bool) -> Servers {
    let moto = Moto::start();
    let moto_addr = moto.endpoint().trim_start_matches("http://").to_string();
    let mut emulator = Command::new(binary());
    emulator
        .args(["emulator", "--tick-ms", "20", "--min-records", "10"])
        .env("AWS_ACCESS_KEY_ID", "testing")
        .env("AWS_SECRET_ACCESS_KEY", "testing")
        .env("AWS_REGION", "us-east-1")
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit());
    if s3_emulator {
        emulator.args(["--s3-listen", "127.0.0.1:0", "--s3-dir", s(&dir.join("s3"))]);
    } else {
        emulator.env("AWS_ENDPOINT_URL_S3", moto.endpoint());
    }
    let mut child = emulator.spawn().unwrap();
    let mut first = String::new();
    std::io::BufRead::read_line(&mut std::io::BufReader::new(child.stdout.take().unwrap()), &mut first).unwrap();
    let address = |after: &str| first.split(after).nth(1).and_then(|r| r.split_whitespace().next()).map(str::to_string);
    let bedrock = address("listening on http://").unwrap_or_else(|| panic!("{first}"));
    let s3 = if s3_emulator {
        address("S3 emulator on http://").unwrap_or_else(|| panic!("{first}"))
    } else {
        moto_addr.clone()
    };
    for bucket in ["in-bucket", "out-bucket"] {
        assert_eq!(request(&s3, "PUT", &format!("/{bucket}"), b"").status, 200);
    }
    Servers { _moto: moto, _emulator: KillOnDrop(child), moto: moto_addr, s3, bedrock }
}

/// The environment that points the CLI at `s3`, `bedrock` and `moto` (each maybe a proxy).
fn environment(s3: &str, bedrock: &str, moto: &str) -> Vec<(String, String)> {
    [
        ("AWS_ACCESS_KEY_ID", "testing".to_string()),
        ("AWS_SECRET_ACCESS_KEY", "testing".to_string()),
        ("AWS_REGION", "us-east-1".to_string()),
        ("AWS_ENDPOINT_URL_S3", format!("http://{s3}")),
        ("AWS_ENDPOINT_URL_BEDROCK", format!("http://{bedrock}")),
        ("AWS_ENDPOINT_URL_STS", format!("http://{moto}")),
        ("AWS_ENDPOINT_URL_SERVICE_QUOTAS", format!("http://{moto}")),
        ("BEDROCK_BATCH_POLLING", "emulator".to_string()),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_string(), v))
    .collect()
}

fn cli(dir: &Path, home: &Path, vars: &[(String, String)], args: &[&str]) -> Command {
    let vars: Vec<(&str, &str)> = vars.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    let mut command = command(dir, home, &vars);
    command.args(args);
    command
}

fn json(run: &e2e_tests::Run) -> Value {
    serde_json::from_str(run.ok()).unwrap_or_else(|e| panic!("not JSON ({e}): {}", run.stdout))
}

/// Kills `submit` at each of its remote calls in turn and checks that nothing is lost or doubled.
fn every_call_of_a_submit_survives_a_kill(s3_emulator: bool) {
    let dir = tempfile::tempdir().unwrap();
    let servers = servers(dir.path(), s3_emulator);
    let watch = Watch::new();
    let through_proxies = environment(
        &kill_proxy::start(&servers.s3, watch.clone()),
        &kill_proxy::start(&servers.bedrock, watch.clone()),
        &kill_proxy::start(&servers.moto, watch.clone()),
    );
    let direct = environment(&servers.s3, &servers.bedrock, &servers.moto);
    // The sample in two parts of 60 records.
    let limits = ["--min-records", "10", "--max-records-per-file", "60"];
    let prepared = prepare_sample_with(dir.path(), "amazon.nova-lite-v1:0", &limits);
    let submit = |home: &Path, name: &str| {
        let args = [&["submit", "--prepared", s(&prepared)][..], &aws_job_args(name)].concat();
        let mut command = cli(dir.path(), home, &through_proxies, &args);
        command.stdout(Stdio::null()).stderr(Stdio::null());
        command
    };

    // A submit that runs through counts the remote calls to kill at.
    let home = dir.path().join("count");
    watch.arm(KillAt::Never, submit(&home, "count").spawn().unwrap());
    let (_, calls) = watch.finish();
    assert!(calls.len() >= 6, "STS, quotas, two uploads, two creates at least: {calls:?}");
    eprintln!("submit makes {} remote calls: {calls:?}", calls.len());

    for n in 1..=calls.len() as u32 {
        for kill_at in [KillAt::Before(n), KillAt::After(n)] {
            let name = match kill_at {
                KillAt::Before(_) => format!("crash-{n}-before"),
                _ => format!("crash-{n}-after"),
            };
            let home = dir.path().join(&name);
            watch.arm(kill_at, submit(&home, &name).spawn().unwrap());
            let (killed, seen) = watch.finish();
            let at = format!("{kill_at:?} of {:?}", calls.get(n as usize - 1));
            assert!(killed, "{at}: the process was killed (it made {} calls)", seen.len());

            // The same submit again, then every run followed to its end and fetched.
            watch.arm(KillAt::Never, submit(&home, &name).spawn().unwrap());
            watch.finish();
            let watched = finish(cli(dir.path(), &home, &direct, &["status", "--watch", "--format", "json"]));
            assert_eq!(watched.code, Some(0), "{at}: {}", watched.stderr);
            let runs = json(&finish(cli(dir.path(), &home, &direct, &["status", "--format", "json"])));
            let runs = runs.as_array().unwrap();
            assert_eq!(runs.len(), 1, "{at}: one run, continued: {runs:?}");
            let run = runs[0]["id"].as_str().unwrap().to_string();
            let out = home.join("fetched");
            let fetch = ["fetch", run.as_str(), "--out", s(&out), "--format", "json"];
            let fetched = json(&finish(cli(dir.path(), &home, &direct, &fetch)));
            let summary = &fetched["summary"];
            assert_eq!(
                (summary["rows"].as_u64(), summary["succeeded"].as_u64()),
                (Some(120), Some(120)),
                "{at}: {summary}"
            );
            let listed = request(&servers.bedrock, "GET", &format!("/model-invocation-jobs?nameContains={name}-"), b"");
            let listed: Value = serde_json::from_slice(&listed.body).unwrap();
            let jobs = listed["invocationJobSummaries"].as_array().unwrap();
            assert_eq!(jobs.len(), 2, "{at}: one job per part, none twice: {jobs:?}");
        }
    }
}

#[test]
fn a_submit_killed_at_any_call_to_moto_s3_loses_and_doubles_nothing() {
    every_call_of_a_submit_survives_a_kill(false);
}

#[test]
fn a_submit_killed_at_any_call_to_the_s3_emulator_loses_and_doubles_nothing() {
    every_call_of_a_submit_survives_a_kill(true);
}
