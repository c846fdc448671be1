//! Bedrock Batch Studio's desktop shell: a window over the libraries. Commands stay one or two lines;
//! logic lives in `batch-core` and `batch-app` where tests reach it without a window.

#![cfg_attr(not(debug_assertions), windows_subsystem = "windows")]

mod commands;

fn main() {
    let app = tauri::Builder::default()
        .plugin(tauri_plugin_dialog::init())
        .invoke_handler(tauri::generate_handler![
            commands::app_info,
            commands::connect,
            commands::open_sheet,
            commands::sheet_rows,
            commands::preview_prompt,
            commands::models,
            commands::estimate
        ])
        .run(tauri::generate_context!());
    if let Err(error) = app {
        eprintln!("error: Bedrock Batch Studio could not start: {error}");
        std::process::exit(1);
    }
}
