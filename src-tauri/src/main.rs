//! Bedrock Batch Studio's desktop shell: a window over the libraries. Commands stay one or two lines;
//! logic lives in `batch-core` and `batch-app` where tests reach it without a window; `batch-connect` gives
//! the session its backends (AWS or the sandbox).

#![cfg_attr(not(debug_assertions), windows_subsystem = "windows")]

mod commands;
mod window_events;

use std::sync::Arc;

use batch_app::history::History;
use batch_app::session::Studio;
use batch_connect::Backends;
use tauri::Manager;

use commands::AppState;
use window_events::{WindowEvents, remember_window_size, restore_window_size};

fn main() {
    let app = tauri::Builder::default()
        .plugin(tauri_plugin_dialog::init())
        .plugin(tauri_plugin_notification::init())
        .setup(|app| {
            let home = History::default_path().parent().map(ToOwned::to_owned).unwrap_or_else(|| ".".into());
            let events = Arc::new(WindowEvents::new(app.handle().clone()));
            let studio = Studio::open(&home, Backends::default(), events)?;
            if let Some(window) = app.get_webview_window("main") {
                restore_window_size(&window, studio.window_size());
            }
            app.manage(AppState { studio });
            Ok(())
        })
        .on_window_event(remember_window_size)
        .invoke_handler(tauri::generate_handler![
            commands::app_info,
            commands::profiles,
            commands::connect,
            commands::open_sheet,
            commands::cancel_open_sheet,
            commands::sheet_rows,
            commands::render_row,
            commands::analyze_template,
            commands::prompt_totals,
            commands::models,
            commands::model_facts,
            commands::test_row,
            commands::estimate,
            commands::job_plan,
            commands::check_access,
            commands::browse_s3,
            commands::submit,
            commands::runs,
            commands::stop_run,
            commands::retry_run,
            commands::results_overview,
            commands::results_page,
            commands::export_results,
            commands::load_choices,
            commands::remember_choices
        ])
        .run(tauri::generate_context!());
    if let Err(error) = app {
        eprintln!("error: Bedrock Batch Studio could not start: {error}");
        std::process::exit(1);
    }
}
