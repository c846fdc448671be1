//! What the shell sends to the window unasked: run events (progress, statuses), a desktop notification
//! when a run ends, and the window's size kept between launches.

use batch_app::lifecycle::Event;
use batch_app::session::{RunBytesMessage, RunEventMessage, RunOutcome, StudioEvents};
use tauri::{AppHandle, Manager, WebviewWindow, WindowEvent};
use tauri_plugin_notification::NotificationExt;

use crate::commands::AppState;
use crate::contract::events;

/// Forwards the session's events to the window.
pub struct WindowEvents {
    app: AppHandle,
}

impl WindowEvents {
    /// Events for this app's windows.
    pub fn new(app: AppHandle) -> Self {
        Self { app }
    }
}

impl StudioEvents for WindowEvents {
    fn run_event(&self, run: &str, event: &Event) {
        tracing::info!(run, ?event, "run event");
        events::run_event(&self.app, &RunEventMessage { run: run.to_string(), event: event.clone() });
    }

    fn run_bytes(&self, run: &str, bytes: u64) {
        events::run_bytes(&self.app, &RunBytesMessage { run: run.to_string(), bytes });
    }

    fn run_ended(&self, run: &str, outcome: &RunOutcome) {
        tracing::info!(run, outcome = %outcome.title(), "run ended");
        events::run_ended(&self.app, outcome);
        // No notification service (a bare X session) is not an error worth showing.
        let _ = self.app.notification().builder().title(outcome.title()).body(outcome.body()).show();
    }
}

/// Applies the remembered window size.
pub fn restore_window_size(window: &WebviewWindow, size: Option<(u32, u32)>) {
    if let Some((width, height)) = size {
        let _ = window.set_size(tauri::LogicalSize::new(width.max(720), height.max(480)));
    }
}

/// Remembers the window's size when it closes.
pub fn remember_window_size(window: &tauri::Window, event: &WindowEvent) {
    if !matches!(event, WindowEvent::CloseRequested { .. }) {
        return;
    }
    let (Ok(size), Ok(scale)) = (window.inner_size(), window.scale_factor()) else { return };
    let logical = size.to_logical::<u32>(scale);
    let Some(state) = window.app_handle().try_state::<AppState>() else { return };
    let _ = state.studio.remember_window_size(logical.width, logical.height);
}
