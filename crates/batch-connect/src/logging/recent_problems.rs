//! The last warnings and errors of this process, kept in memory (redacted) for the diagnostics a person copies.

use std::collections::VecDeque;
use std::fmt::Write as _;
use std::sync::{Arc, Mutex};

use tracing::field::{Field, Visit};
use tracing::{Event, Level, Subscriber};
use tracing_subscriber::layer::{Context, Layer};

use super::redact::Secrets;

/// How many problems are kept (the oldest go first).
const KEPT: usize = 20;

/// The shared list of recent problems; clones see the same list.
#[derive(Debug, Clone, Default)]
pub struct RecentProblems {
    list: Arc<Mutex<VecDeque<String>>>,
}

impl RecentProblems {
    /// The kept problems, oldest first, each as `LEVEL target: message fields`.
    pub fn lines(&self) -> Vec<String> {
        self.list.lock().map(|list| list.iter().cloned().collect()).unwrap_or_default()
    }

    fn push(&self, line: String) {
        if let Ok(mut list) = self.list.lock() {
            if list.len() == KEPT {
                list.pop_front();
            }
            list.push_back(line);
        }
    }
}

/// The layer that fills a [`RecentProblems`] with every warning and error.
pub struct RecentProblemsLayer {
    /// Where the problems go.
    pub problems: RecentProblems,
    /// What is taken out of them.
    pub secrets: Secrets,
}

impl<S: Subscriber> Layer<S> for RecentProblemsLayer {
    fn on_event(&self, event: &Event<'_>, _ctx: Context<'_, S>) {
        let level = *event.metadata().level();
        if level > Level::WARN {
            return;
        }
        let mut text = EventText::default();
        event.record(&mut text);
        let when = chrono::Utc::now().format("%Y-%m-%dT%H:%M:%SZ");
        let line = format!("{when} {level} {}: {}{}", event.metadata().target(), text.message, text.fields);
        self.problems.push(self.secrets.redact(&line).into_owned());
    }
}

/// An event's message and its other fields as `key=value`.
#[derive(Default)]
struct EventText {
    message: String,
    fields: String,
}

impl Visit for EventText {
    fn record_debug(&mut self, field: &Field, value: &dyn std::fmt::Debug) {
        if field.name() == "message" {
            let _ = write!(self.message, "{value:?}");
        } else {
            let _ = write!(self.fields, " {}={value:?}", field.name());
        }
    }

    fn record_str(&mut self, field: &Field, value: &str) {
        if field.name() == "message" {
            self.message.push_str(value);
        } else {
            let _ = write!(self.fields, " {}={value}", field.name());
        }
    }
}
