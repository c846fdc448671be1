//! Lifecycle events as lines on stderr, with a byte progress bar for transfers on a terminal.

use std::sync::Mutex;

use batch_app::lifecycle::{Event, LifecycleEvents};

use crate::display;

/// Prints lifecycle events as lines on stderr, with a byte progress bar for transfers on a terminal.
pub struct EventLines {
    bar: Mutex<Option<indicatif::ProgressBar>>,
}

/// The one printer of this process (its progress bar is shared by every step).
pub static PRINTER: std::sync::LazyLock<EventLines> = std::sync::LazyLock::new(|| EventLines { bar: Mutex::new(None) });

impl LifecycleEvents for EventLines {
    fn event(&self, event: &Event) {
        tracing::info!(?event, "run event");
        self.print(event);
    }

    fn bytes_moved(&self, bytes: u64) {
        if let Some(bar) = self.bar().as_ref() {
            bar.inc(bytes);
        }
    }
}

impl EventLines {
    fn bar(&self) -> std::sync::MutexGuard<'_, Option<indicatif::ProgressBar>> {
        self.bar.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    fn print(&self, event: &Event) {
        match event {
            Event::UploadStarted { bytes, .. } if std::io::IsTerminal::is_terminal(&std::io::stderr()) => {
                let bar = indicatif::ProgressBar::new(*bytes).with_style(
                    indicatif::ProgressStyle::with_template(
                        "{msg:>10} [{bar:30}] {bytes}/{total_bytes} {bytes_per_sec}",
                    )
                    .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()),
                );
                bar.set_message("uploading");
                *self.bar() = Some(bar);
            }
            Event::Uploaded { .. } | Event::Downloaded { .. } => {
                if let Some(bar) = self.bar().take() {
                    bar.finish_and_clear();
                }
            }
            _ => {}
        }
        let line = match event {
            Event::UploadStarted { part, target, bytes } => {
                format!("part {part}: uploading {} to {target}", display::bytes(*bytes))
            }
            Event::Uploaded { part, sent: true } => format!("part {part}: uploaded"),
            Event::Uploaded { part, sent: false } => format!("part {part}: already uploaded"),
            Event::JobCreated { part, job_arn, repeated } => {
                let again = if *repeated { " (found again with its recorded token; no second job)" } else { "" };
                format!("part {part}: job {job_arn}{again}")
            }
            Event::JobStatus { part, status, message, processed, total, .. } => {
                let counts = match (processed, total) {
                    (Some(p), Some(t)) => format!(" {p}/{t} records"),
                    _ => String::new(),
                };
                let why = message.as_deref().map(|m| format!(" — {m}")).unwrap_or_default();
                format!("part {part}: {status}{counts}{why}")
            }
            Event::DeadlineReached { reason } => format!("stopping the run's jobs: {reason}"),
            Event::Waiting { reason, seconds } if *seconds > 0.0 => format!("waiting {seconds:.1} s: {reason}"),
            Event::Waiting { reason, .. } => format!("waiting: {reason}"),
            Event::Downloaded { job_id, files, bytes } => {
                format!("job {job_id}: downloaded {files} file(s), {}", display::bytes(*bytes))
            }
        };
        match self.bar().as_ref() {
            Some(bar) => bar.println(line),
            None => eprintln!("{line}"),
        }
    }
}
