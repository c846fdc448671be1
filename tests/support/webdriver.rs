//! A small W3C WebDriver client for the desktop app's end-to-end suite: tauri-driver (with WebKitWebDriver)
//! under a virtual X server, a session on the real app binary, and the few commands a person's actions need
//! — find, click, type, read text, wait — plus screenshots saved under `target/e2e-screenshots/`.

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::{Value, json};

use crate::http::try_request;

/// The W3C key of an element reference.
const ELEMENT: &str = "element-6066-11e4-a52e-4f735466cecf";

/// tauri-driver under `xvfb-run`; its process group is stopped when dropped.
pub struct Driver {
    child: Child,
    /// `127.0.0.1:<port>` of the WebDriver endpoint.
    pub addr: String,
}

/// The tauri-driver executable: `$TAURI_DRIVER`, else `.tools/bin/tauri-driver` (installed by scripts/lib.sh).
pub fn tauri_driver() -> PathBuf {
    std::env::var_os("TAURI_DRIVER")
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("../.tools/bin/tauri-driver"))
}

impl Driver {
    /// Starts tauri-driver on free ports inside a fresh virtual display; the apps it starts keep their data
    /// (history, sandbox, runs, settings) in `home`.
    pub fn start(home: &Path) -> Self {
        Self::start_with(home, &[])
    }

    /// [`Driver::start`] with more environment for the apps it starts (AWS endpoints of emulators, say).
    pub fn start_with(home: &Path, vars: &[(&str, String)]) -> Self {
        use std::os::unix::process::CommandExt;
        // One start at a time: `xvfb-run -a` picks the first display with no lock file, so two suites
        // starting at once can both pick the same one; the next start waits until this one listens (its Xvfb
        // holds its display by then).
        static STARTING: std::sync::Mutex<()> = std::sync::Mutex::new(());
        let _one_at_a_time = STARTING.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        let driver = tauri_driver();
        assert!(driver.exists(), "{} is missing: run `bash scripts/test.sh`, which installs it", driver.display());
        let port = test_servers::free_port();
        let native = test_servers::free_port();
        let child = Command::new("xvfb-run")
            .envs(vars.iter().map(|(k, v)| (k, v)))
            .env("BEDROCK_BATCH_HOME", home)
            .args(["-a", "-s", "-screen 0 1280x800x24"])
            .arg(&driver)
            .args(["--port", &port.to_string(), "--native-port", &native.to_string()])
            .stdout(Stdio::null())
            .stderr(match std::env::var_os("E2E_DRIVER_LOG") {
                Some(path) => std::fs::File::create(path).map(Stdio::from).unwrap_or_else(|_| Stdio::null()),
                None => Stdio::null(),
            })
            .process_group(0)
            .spawn()
            .expect("start xvfb-run tauri-driver");
        let addr = format!("127.0.0.1:{port}");
        let deadline = Instant::now() + Duration::from_secs(30);
        while std::net::TcpStream::connect(&addr).is_err() {
            assert!(Instant::now() < deadline, "tauri-driver did not listen on {addr}");
            std::thread::sleep(Duration::from_millis(100));
        }
        Self { child, addr }
    }
}

impl Drop for Driver {
    fn drop(&mut self) {
        // The whole group: xvfb-run, Xvfb, tauri-driver, WebKitWebDriver and the app ("--" so that the
        // negative group id is not read as an option); KILL if it has not ended after five seconds.
        let group = format!("-{}", self.child.id());
        let _ = Command::new("kill").args(["-s", "TERM", "--", &group]).status();
        let deadline = Instant::now() + Duration::from_secs(5);
        while Instant::now() < deadline {
            if let Ok(Some(_)) = self.child.try_wait() {
                return;
            }
            std::thread::sleep(Duration::from_millis(100));
        }
        let _ = Command::new("kill").args(["-s", "KILL", "--", &group]).status();
        let _ = self.child.wait();
    }
}

/// A WebDriver session on the app.
pub struct Session<'a> {
    driver: &'a Driver,
    id: String,
    shots: PathBuf,
    taken: usize,
    patience: Duration,
}

/// How long a wait waits unless the session is told otherwise.
const DEFAULT_PATIENCE: Duration = Duration::from_secs(20);

/// Sends one command; tauri-driver now and then drops a connection without answering (the command was not
/// run), so a dropped connection is tried again, a few times.
fn send(addr: &str, method: &str, path: &str, payload: &[u8]) -> crate::http::Response {
    if std::env::var_os("E2E_TRACE").is_some() {
        eprintln!("webdriver: {method} {path}");
    }
    for _ in 0..5 {
        if let Some(response) = try_request(addr, method, path, payload) {
            return response;
        }
        std::thread::sleep(Duration::from_millis(200));
    }
    panic!("{method} {path}: tauri-driver closed the connection without an answer five times")
}

fn call(addr: &str, method: &str, path: &str, body: Value) -> Value {
    let payload = if method == "GET" || method == "DELETE" { Vec::new() } else { body.to_string().into_bytes() };
    let response = send(addr, method, path, &payload);
    let value: Value = serde_json::from_slice(&response.body).unwrap_or(Value::Null);
    assert!(response.status < 300, "{method} {path}: {} {}", response.status, response.text());
    value["value"].clone()
}

impl<'a> Session<'a> {
    /// Starts `application` (the debug app binary); screenshots go to `shots`, numbered after those there.
    pub fn start(driver: &'a Driver, application: &Path, shots: &Path) -> Self {
        std::fs::create_dir_all(shots).expect("create the screenshot folder");
        let capabilities = json!({"capabilities": {"alwaysMatch": {
            "browserName": "wry",
            "tauri:options": {"application": application.to_string_lossy()}
        }}});
        let value = call(&driver.addr, "POST", "/session", capabilities);
        let id = value["sessionId"].as_str().expect("a session id").to_string();
        // A second session (an app restart) numbers its screenshots after the first one's.
        let taken = std::fs::read_dir(shots)
            .map_or(0, |d| d.flatten().filter(|e| e.path().extension().is_some_and(|x| x == "png")).count());
        Self { driver, id, shots: shots.to_path_buf(), taken, patience: DEFAULT_PATIENCE }
    }

    fn path(&self, rest: &str) -> String {
        format!("/session/{}{rest}", self.id)
    }

    /// Waits up to `patience` (20 s unless set) for what the waits below wait for: a step that does real work
    /// on a million rows in a debug build may take longer on a busy machine, and a wait is not a timing check.
    pub fn set_patience(&mut self, patience: Duration) {
        self.patience = patience;
    }

    /// The element matching a CSS selector, waiting up to the session's patience for it to appear.
    pub fn find(&self, css: &str) -> String {
        let deadline = Instant::now() + self.patience;
        loop {
            let query = json!({"using": "css selector", "value": css}).to_string();
            let response = send(&self.driver.addr, "POST", &self.path("/element"), query.as_bytes());
            if response.status < 300 {
                let value: Value = serde_json::from_slice(&response.body).unwrap_or(Value::Null);
                if let Some(id) = value["value"][ELEMENT].as_str() {
                    return id.to_string();
                }
            }
            assert!(Instant::now() < deadline, "no element matches {css}");
            std::thread::sleep(Duration::from_millis(100));
        }
    }

    /// Clicks the element matching `css`.
    pub fn click(&self, css: &str) {
        let element = self.find(css);
        call(&self.driver.addr, "POST", &self.path(&format!("/element/{element}/click")), json!({}));
    }

    /// Replaces the text of the input matching `css` with `text` (empty: clears it).
    pub fn type_into(&self, css: &str, text: &str) {
        let element = self.find(css);
        let value = self.path(&format!("/element/{element}/value"));
        if text.is_empty() {
            // WebDriver's clear sets the value the way a script does, which React's change tracking does not
            // see as an edit; select all and delete instead, as a person would.
            call(&self.driver.addr, "POST", &value, json!({"text": "\u{E009}a\u{E000}\u{E003}"}));
            return;
        }
        call(&self.driver.addr, "POST", &self.path(&format!("/element/{element}/clear")), json!({}));
        call(&self.driver.addr, "POST", &value, json!({"text": text}));
    }

    /// Types `text` at the end of the input matching `css` (WebDriver key codes such as `\u{E007}`, Enter,
    /// work too).
    pub fn keys(&self, css: &str, text: &str) {
        let element = self.find(css);
        call(&self.driver.addr, "POST", &self.path(&format!("/element/{element}/value")), json!({"text": text}));
    }

    /// The `value` property of the input matching `css`.
    pub fn value(&self, css: &str) -> String {
        self.element_string(css, "property/value")
    }

    /// The attribute `name` of the element matching `css`, or an empty string when it has none.
    pub fn attribute(&self, css: &str, name: &str) -> String {
        self.element_string(css, &format!("attribute/{name}"))
    }

    /// Waits until the attribute `name` of `css` contains `wanted`; returns it.
    pub fn wait_for_attribute(&self, css: &str, name: &str, wanted: &str) -> String {
        wait_until_contains(self.patience, css, wanted, || self.attribute(css, name))
    }

    /// Opens the `<details>` matching `css` by clicking its summary as a person does — again when the page moved
    /// under the click (a line above it appeared) and it stayed closed.
    pub fn open_details(&self, css: &str) {
        let script = "const d = document.querySelector(arguments[0]); return !!(d && d.open);";
        let deadline = Instant::now() + self.patience;
        while self.run_script(script, json!([css])) != json!(true) {
            assert!(Instant::now() < deadline, "{css} never opened");
            self.click(&format!("{css} > summary"));
            std::thread::sleep(Duration::from_millis(200));
        }
    }

    /// Runs `script` (a function body; `arguments` are `args`) in the page and returns its value.
    pub fn run_script(&self, script: &str, args: Value) -> Value {
        call(&self.driver.addr, "POST", &self.path("/execute/sync"), json!({"script": script, "args": args}))
    }

    /// The visible text of the element matching `css`.
    pub fn text(&self, css: &str) -> String {
        self.element_string(css, "text")
    }

    /// WebDriver's string `GET /element/{id}/{what}` of the element matching `css` ("" when it has none).
    fn element_string(&self, css: &str, what: &str) -> String {
        let element = self.find(css);
        call(&self.driver.addr, "GET", &self.path(&format!("/element/{element}/{what}")), Value::Null)
            .as_str()
            .unwrap_or_default()
            .to_string()
    }

    /// Waits until the text of `css` contains `wanted`; returns the text.
    pub fn wait_for_text(&self, css: &str, wanted: &str) -> String {
        wait_until_contains(self.patience, css, wanted, || self.text(css))
    }

    /// Waits until the visible text of `css`, trimmed, is exactly `wanted` ("1 row" is not "11 rows").
    pub fn wait_for_exact_text(&self, css: &str, wanted: &str) -> String {
        let deadline = Instant::now() + self.patience;
        loop {
            let text = self.text(css);
            if text.trim() == wanted {
                return text;
            }
            assert!(Instant::now() < deadline, "{css} never showed exactly {wanted:?}; it shows {text:?}");
            std::thread::sleep(Duration::from_millis(100));
        }
    }

    /// The `textContent` of the first element matching `css` (for virtualised rows, which WebDriver's
    /// visibility rules count as hidden), or an empty string when none matches.
    pub fn content(&self, css: &str) -> String {
        let script = json!({"script": "const e = document.querySelector(arguments[0]); return e ? e.textContent : '';", "args": [css]});
        call(&self.driver.addr, "POST", &self.path("/execute/sync"), script).as_str().unwrap_or_default().to_string()
    }

    /// Waits until the `textContent` of `css` contains `wanted`; returns it.
    pub fn wait_for_content(&self, css: &str, wanted: &str) -> String {
        wait_until_contains(self.patience, css, wanted, || self.content(css))
    }

    /// Saves a screenshot of the window as `<NN>-<name>.png`; returns its path.
    pub fn screenshot(&mut self, name: &str) -> PathBuf {
        // Let the page paint what it holds now (two animation frames), so the picture matches the state.
        let settle = json!({"script": "const done = arguments[0]; requestAnimationFrame(() => requestAnimationFrame(() => setTimeout(done, 50)));", "args": []});
        call(&self.driver.addr, "POST", &self.path("/execute/async"), settle);
        let encoded = call(&self.driver.addr, "GET", &self.path("/screenshot"), Value::Null);
        let bytes = decode_base64(encoded.as_str().expect("a base64 screenshot"));
        assert!(bytes.starts_with(b"\x89PNG"), "the screenshot is a PNG");
        self.taken += 1;
        let path = self.shots.join(format!("{:02}-{name}.png", self.taken));
        std::fs::write(&path, bytes).expect("write the screenshot");
        path
    }
}

impl Drop for Session<'_> {
    fn drop(&mut self) {
        let _ = try_request(&self.driver.addr, "DELETE", &format!("/session/{}", self.id), b"");
    }
}

/// Reads `css` with `read` until what it reads contains `wanted` (`patience` at most); returns the last reading.
fn wait_until_contains(patience: Duration, css: &str, wanted: &str, read: impl Fn() -> String) -> String {
    let deadline = Instant::now() + patience;
    loop {
        let text = read();
        if text.contains(wanted) {
            return text;
        }
        assert!(Instant::now() < deadline, "{css} never showed {wanted:?}; it shows {text:?}");
        std::thread::sleep(Duration::from_millis(100));
    }
}

/// Standard base64 (with padding) to bytes.
pub fn decode_base64(text: &str) -> Vec<u8> {
    let value = |c: u8| match c {
        b'A'..=b'Z' => Some(c - b'A'),
        b'a'..=b'z' => Some(c - b'a' + 26),
        b'0'..=b'9' => Some(c - b'0' + 52),
        b'+' => Some(62),
        b'/' => Some(63),
        _ => None,
    };
    let digits: Vec<u8> = text.bytes().filter_map(value).collect();
    let mut out = Vec::with_capacity(digits.len() * 3 / 4);
    for group in digits.chunks(4) {
        let n = group.iter().enumerate().fold(0u32, |acc, (i, &d)| acc | (u32::from(d) << (18 - 6 * i)));
        let bytes = [(n >> 16) as u8, (n >> 8) as u8, n as u8];
        out.extend_from_slice(&bytes[..group.len().saturating_sub(1)]);
    }
    out
}

/// The debug app binary built beside the tests.
pub fn app_binary() -> PathBuf {
    let bin = crate::binary();
    bin.with_file_name(format!("bedrock-batch-studio{}", std::env::consts::EXE_SUFFIX))
}

/// An empty `target/e2e-screenshots/<name>/` for a suite's screenshots.
pub fn fresh_screenshot_dir(name: &str) -> PathBuf {
    let shots = screenshot_dir().join(name);
    let _ = std::fs::remove_dir_all(&shots);
    shots
}

/// `target/e2e-screenshots/` of this workspace.
pub fn screenshot_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../target/e2e-screenshots")
}
