//! Progress bars on stderr when it is a terminal; silence otherwise.

use std::io::IsTerminal;
use std::sync::Mutex;

use batch_core::progress::Progress;
use indicatif::{ProgressBar, ProgressStyle};

/// Shows each phase as a bar (known total) or a spinner with a count.
pub struct TerminalProgress {
    bar: Mutex<Option<ProgressBar>>,
    enabled: bool,
}

impl TerminalProgress {
    /// Enabled only when stderr is a terminal.
    pub fn new() -> Self {
        Self { bar: Mutex::new(None), enabled: std::io::stderr().is_terminal() }
    }
}

impl Progress for TerminalProgress {
    fn phase(&self, name: &str, total: Option<u64>) {
        if !self.enabled {
            return;
        }
        let bar = match total {
            Some(total) => ProgressBar::new(total).with_style(
                ProgressStyle::with_template("{msg:>18} [{bar:30}] {percent:>3}% {eta}")
                    .unwrap_or_else(|_| ProgressStyle::default_bar()),
            ),
            None => ProgressBar::new_spinner().with_style(
                ProgressStyle::with_template("{spinner} {msg} {human_pos} rows")
                    .unwrap_or_else(|_| ProgressStyle::default_spinner()),
            ),
        };
        bar.set_message(name.to_string());
        if let Ok(mut slot) = self.bar.lock() {
            *slot = Some(bar);
        }
    }

    fn advance(&self, units: u64) {
        if let Ok(slot) = self.bar.lock()
            && let Some(bar) = slot.as_ref()
        {
            bar.inc(units);
        }
    }

    fn finish(&self) {
        if let Ok(mut slot) = self.bar.lock()
            && let Some(bar) = slot.take()
        {
            bar.finish_and_clear();
        }
    }
}
