//! Helpers for the end-to-end suites: locating the built `bedrock-batch` binary and running it.

pub mod http;
pub mod kill_proxy;
pub mod notebook;
pub mod webdriver;

use std::path::{Path, PathBuf};
use std::process::Command;

/// The `bedrock-batch` binary: `$BEDROCK_BATCH_BIN`, else the one built beside this test in `target/<profile>/`.
pub fn binary() -> PathBuf {
    if let Some(path) = std::env::var_os("BEDROCK_BATCH_BIN") {
        return PathBuf::from(path);
    }
    let exe = std::env::current_exe().expect("the test binary's path");
    // target/<profile>/deps/<test> → target/<profile>/bedrock-batch
    let profile_dir = exe.parent().and_then(Path::parent).expect("target/<profile>");
    let bin = profile_dir.join(format!("bedrock-batch{}", std::env::consts::EXE_SUFFIX));
    assert!(
        bin.exists(),
        "{} is missing: build it first with `cargo build -p batch-cli` (scripts/test.sh does)",
        bin.display()
    );
    bin
}

/// The result of one run of the CLI.
pub struct Run {
    /// Exit code (None when killed by a signal).
    pub code: Option<i32>,
    /// Standard output.
    pub stdout: String,
    /// Standard error.
    pub stderr: String,
}

impl Run {
    /// Asserts success and returns stdout.
    pub fn ok(&self) -> &str {
        assert_eq!(self.code, Some(0), "expected success\nstdout: {}\nstderr: {}", self.stdout, self.stderr);
        &self.stdout
    }

    /// Asserts a clean failure: non-zero exit, one `error:` line on stderr, no panic; returns that line.
    pub fn failed(&self) -> &str {
        assert_ne!(self.code, Some(0), "expected failure\nstdout: {}", self.stdout);
        assert!(self.code.is_some(), "killed by a signal: {}", self.stderr);
        assert!(!self.stderr.contains("panicked"), "panic: {}", self.stderr);
        let errors: Vec<&str> = self.stderr.lines().filter(|l| l.starts_with("error:")).collect();
        assert_eq!(errors.len(), 1, "exactly one error line: {}", self.stderr);
        errors[0]
    }
}

/// Runs `bedrock-batch` with `args` in `dir`.
pub fn run(dir: &Path, args: &[&str]) -> Run {
    let mut command = Command::new(binary());
    command.args(args).current_dir(dir);
    finish(command)
}

/// Variables that could point a run at a real account; removed so tests only reach loopback servers.
const AWS_VARIABLES: &[&str] = &[
    "AWS_PROFILE",
    "AWS_DEFAULT_PROFILE",
    "AWS_ACCESS_KEY_ID",
    "AWS_SECRET_ACCESS_KEY",
    "AWS_SESSION_TOKEN",
    "AWS_REGION",
    "AWS_DEFAULT_REGION",
    "AWS_ENDPOINT_URL",
    "AWS_ENDPOINT_URL_S3",
    "AWS_ENDPOINT_URL_BEDROCK",
    "AWS_ENDPOINT_URL_STS",
    "AWS_CONFIG_FILE",
    "AWS_SHARED_CREDENTIALS_FILE",
];

/// A `bedrock-batch` command in `dir` with a clean AWS environment: `home` as HOME and as the tool's data
/// folder, no inherited AWS variables, the instance metadata service off, then `vars`.
pub fn command(dir: &Path, home: &Path, vars: &[(&str, &str)]) -> Command {
    let mut command = Command::new(binary());
    command.current_dir(dir);
    for name in AWS_VARIABLES {
        command.env_remove(name);
    }
    command.env("HOME", home).env("BEDROCK_BATCH_HOME", home).env("AWS_EC2_METADATA_DISABLED", "true");
    for (name, value) in vars {
        command.env(name, value);
    }
    command
}

/// Runs a prepared command to its end.
pub fn finish(mut command: Command) -> Run {
    let output = command.output().expect("run bedrock-batch");
    Run {
        code: output.status.code(),
        stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
    }
}

/// A child process (a server a suite started) that is killed when dropped.
pub struct KillOnDrop(pub std::process::Child);

impl Drop for KillOnDrop {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// Starts a server command that prints `… listening on http://ADDR …` on its first stdout line (the CLI's
/// `emulator --listen 127.0.0.1:0`) and returns the child and ADDR; its further output is drained.
pub fn spawn_listening(mut command: Command) -> (std::process::Child, String) {
    use std::io::{BufRead, BufReader, Read};
    let mut child = command.stdout(std::process::Stdio::piped()).spawn().expect("start the server");
    let mut stdout = BufReader::new(child.stdout.take().expect("the server's stdout"));
    let mut line = String::new();
    stdout.read_line(&mut line).expect("the server's first line");
    let addr = line
        .split("listening on http://")
        .nth(1)
        .and_then(|rest| rest.split_whitespace().next())
        .unwrap_or_else(|| panic!("no address in {line:?}"))
        .to_string();
    std::thread::spawn(move || {
        let mut sink = Vec::new();
        let _ = stdout.read_to_end(&mut sink);
    });
    (child, addr)
}

/// The options that send a job to the suites' AWS emulators: a service role, `s3://in-bucket/batch` and
/// `s3://out-bucket/results`, and the job name `name`.
pub fn aws_job_args(name: &str) -> Vec<&str> {
    vec![
        "--role-arn",
        "arn:aws:iam::123456789012:role/BedrockBatchRole",
        "--input-uri",
        "s3://in-bucket/batch",
        "--output-uri",
        "s3://out-bucket/results",
        "--job-name",
        name,
    ]
}

/// The repository's `samples/` folder.
pub fn samples() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../samples")
}

/// A path as text for command arguments (the suites only make UTF-8 paths).
pub fn path_text(path: &Path) -> &str {
    path.to_str().expect("a UTF-8 path")
}

/// Runs `bedrock-batch prepare` on the shipped sample with `model` into `<dir>/prep`; returns that folder.
pub fn prepare_sample(dir: &Path, model: &str) -> PathBuf {
    prepare_sample_with(dir, model, &[])
}

/// [`prepare_sample`] with more `prepare` options (limits, for example).
pub fn prepare_sample_with(dir: &Path, model: &str, options: &[&str]) -> PathBuf {
    let prepared = dir.join("prep");
    let (reviews, template) = (samples().join("reviews.csv"), samples().join("prompt.txt"));
    let args = [
        "prepare",
        "--input",
        path_text(&reviews),
        "--template",
        path_text(&template),
        "--model",
        model,
        "--out",
        path_text(&prepared),
    ];
    run(dir, &[&args[..], options].concat()).ok();
    prepared
}

/// Runs `script` with the test venv's Python (`.venv`, made by `scripts/test.sh` from tests/requirements.txt)
/// and `args`; returns what it printed, or fails the test with its error output.
pub fn python(script: &str, args: &[&str]) -> String {
    let python = Path::new(env!("CARGO_MANIFEST_DIR")).join("../.venv/bin/python");
    assert!(python.exists(), "{} is missing: run `bash scripts/test.sh`, which creates the venv", python.display());
    let output = Command::new(python).arg("-c").arg(script).args(args).output().expect("run python");
    assert!(output.status.success(), "python failed: {}", String::from_utf8_lossy(&output.stderr));
    String::from_utf8_lossy(&output.stdout).into_owned()
}

/// The repository's `tests/fixtures/` folder.
pub fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures")
}

/// Names of files ending in `.jsonl` anywhere under `dir`.
pub fn jsonl_under(dir: &Path) -> Vec<PathBuf> {
    let mut found = Vec::new();
    if let Ok(entries) = std::fs::read_dir(dir) {
        for entry in entries.flatten() {
            let path = entry.path();
            if path.is_dir() {
                found.extend(jsonl_under(&path));
            } else if path.extension().is_some_and(|e| e == "jsonl") {
                found.push(path);
            }
        }
    }
    found
}

/// Reads a CSV file into (headers, rows).
pub fn read_csv(path: &Path) -> (Vec<String>, Vec<Vec<String>>) {
    let text = std::fs::read_to_string(path).expect("read csv");
    let mut rows = parse_csv(&text);
    let headers = rows.remove(0);
    (headers, rows)
}

/// A small RFC 4180 parser, independent of the code under test.
pub fn parse_csv(text: &str) -> Vec<Vec<String>> {
    let mut rows = Vec::new();
    let mut row = Vec::new();
    let mut field = String::new();
    let mut quoted = false;
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        match (quoted, c) {
            (true, '"') if chars.peek() == Some(&'"') => {
                chars.next();
                field.push('"');
            }
            (true, '"') => quoted = false,
            (true, c) => field.push(c),
            (false, '"') => quoted = true,
            (false, ',') => row.push(std::mem::take(&mut field)),
            (false, '\r') if chars.peek() == Some(&'\n') => {}
            (false, '\n') => {
                row.push(std::mem::take(&mut field));
                rows.push(std::mem::take(&mut row));
            }
            (false, c) => field.push(c),
        }
    }
    if !field.is_empty() || !row.is_empty() {
        row.push(field);
        rows.push(row);
    }
    rows
}
