//! The desktop app's log (`studio.<date>.log` in the platform's log folder): when it started, when the window
//! was ready, every run event and every error a command answered; and what the diagnostics need from it.

use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Instant;

use batch_app::session::LogFacts;
use batch_connect::logging::Logging;

/// The app's log and its start time.
pub struct AppLog {
    logging: Option<Logging>,
    started: Instant,
    ready: AtomicBool,
}

impl AppLog {
    /// Starts the log, first thing; without a writable log folder the app runs without one (and says so on stderr).
    pub fn start() -> Self {
        let started = Instant::now();
        let logging = match Logging::start("studio", &batch_app::places::log_dir()) {
            Ok(logging) => Some(logging),
            Err(error) => {
                eprintln!("warning: {error} (the app goes on without a log file)");
                None
            }
        };
        tracing::info!(version = env!("CARGO_PKG_VERSION"), os = std::env::consts::OS, "Bedrock Batch Studio started");
        Self { logging, started, ready: AtomicBool::new(false) }
    }

    /// Notes, once, how long the window took to be ready (its first question to Rust).
    pub fn window_ready(&self) {
        if !self.ready.swap(true, Ordering::Relaxed) {
            tracing::info!(millis = self.started.elapsed().as_millis() as u64, "window ready");
        }
    }

    /// Today's log file and the recent problems, for the diagnostics.
    pub fn facts(&self) -> LogFacts {
        match &self.logging {
            Some(logging) => LogFacts {
                file: Some(logging.current_file().display().to_string()),
                recent_problems: logging.recent_problems(),
            },
            None => LogFacts::default(),
        }
    }
}
