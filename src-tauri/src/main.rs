//! Bedrock Batch Studio's desktop shell: a window over the libraries. Commands stay one or two lines;
//! logic lives in `batch-core` and `batch-app` where tests reach it without a window; `batch-connect` gives
//! the session its backends (AWS or the sandbox).

#![cfg_attr(not(debug_assertions), windows_subsystem = "windows")]

mod app_log;
mod commands;
mod contract;
mod window_events;

use std::sync::Arc;

use batch_app::session::Studio;
use batch_connect::Backends;
use tauri::Manager;

use commands::AppState;
use window_events::{WindowEvents, remember_window_size, restore_window_size};

fn main() {
    let log = Arc::new(app_log::AppLog::start());
    let app = tauri::Builder::default()
        .plugin(tauri_plugin_dialog::init())
        .plugin(tauri_plugin_notification::init())
        .setup(move |app| {
            let home = batch_app::places::data_home();
            let events = Arc::new(WindowEvents::new(app.handle().clone()));
            let studio = Studio::open(&home, Backends::default(), events)?;
            if let Some(window) = app.get_webview_window("main") {
                restore_window_size(&window, studio.window_size());
            }
            app.manage(AppState { studio, log });
            Ok(())
        })
        .on_window_event(remember_window_size)
        .invoke_handler(contract::handler())
        .run(tauri::generate_context!());
    if let Err(error) = app {
        tracing::error!("could not start: {error}");
        eprintln!("error: Bedrock Batch Studio could not start: {error}");
        std::process::exit(1);
    }
}
