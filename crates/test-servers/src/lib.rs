//! Test servers on loopback: moto (S3, IAM, STS) from the virtualenv that `scripts/test.sh` creates, and the
//! SDK configuration that points the real aws-sdk-rust clients at them.

use std::net::{SocketAddr, TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// A free TCP port on 127.0.0.1 (bound and released; the caller binds it next).
pub fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0").and_then(|l| l.local_addr()).map(|a| a.port()).expect("a free loopback port")
}

/// The `moto_server` executable: `$MOTO_SERVER`, else `.venv/bin/moto_server` at the workspace root.
pub fn moto_executable() -> PathBuf {
    if let Some(path) = std::env::var_os("MOTO_SERVER") {
        return PathBuf::from(path);
    }
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../.venv/bin/moto_server")
}

/// A moto server running on a free loopback port; killed when dropped.
pub struct Moto {
    child: Child,
    addr: SocketAddr,
}

impl Moto {
    /// Starts moto and waits until it accepts connections (panics with the fix when it cannot start).
    pub fn start() -> Self {
        Self::start_with(&[])
    }

    /// Like [`Moto::start`], with environment variables for moto (e.g. `INITIAL_NO_AUTH_ACTION_COUNT`,
    /// after which moto checks IAM permissions on every request).
    pub fn start_with(vars: &[(&str, &str)]) -> Self {
        use std::io::{BufRead, BufReader, Read};
        let executable = moto_executable();
        assert!(
            executable.exists(),
            "{} is missing: run `bash scripts/test.sh`, which creates .venv with tests/requirements.txt (or set MOTO_SERVER)",
            executable.display()
        );
        // Port 0: the system picks a free port and moto says which, so parallel suites never race for one.
        let mut child = Command::new(&executable)
            .args(["-H", "127.0.0.1", "-p", "0"])
            .envs(vars.iter().copied())
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap_or_else(|e| panic!("cannot start {}: {e}", executable.display()));
        let mut stderr = BufReader::new(child.stderr.take().expect("moto's stderr"));
        let mut seen = String::new();
        let port = loop {
            let mut line = String::new();
            if stderr.read_line(&mut line).unwrap_or(0) == 0 {
                let status = child.wait().ok();
                panic!("moto_server exited during start-up ({status:?}): {seen}");
            }
            seen.push_str(&line);
            if let Some(rest) = line.split("Running on http://127.0.0.1:").nth(1) {
                break rest.trim().parse::<u16>().unwrap_or_else(|_| panic!("moto's port in {line:?}"));
            }
        };
        // Keep reading what moto logs so its pipe never fills.
        std::thread::spawn(move || {
            let mut sink = Vec::new();
            let _ = stderr.read_to_end(&mut sink);
        });
        let addr = SocketAddr::from(([127, 0, 0, 1], port));
        let deadline = Instant::now() + Duration::from_secs(30);
        while TcpStream::connect_timeout(&addr, Duration::from_millis(200)).is_err() {
            assert!(Instant::now() < deadline, "moto_server did not listen on {addr} within 30 s");
            std::thread::sleep(Duration::from_millis(50));
        }
        Self { child, addr }
    }

    /// `http://127.0.0.1:<port>`.
    pub fn endpoint(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// Stops the server now (e.g. to test an interrupted transfer); `start` a new one to resume.
    pub fn kill(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Drop for Moto {
    fn drop(&mut self) {
        self.kill();
    }
}

/// An SDK configuration for a loopback server at `endpoint`: region us-east-1 and test credentials.
pub async fn sdk_config(endpoint: &str) -> aws_config::SdkConfig {
    aws_config::defaults(aws_config::BehaviorVersion::latest())
        .region(aws_config::Region::new("us-east-1"))
        .endpoint_url(endpoint)
        .test_credentials()
        .load()
        .await
}
