//! Tauri commands: thin calls into the libraries.

use serde::Serialize;

/// What the window shows about this build.
#[derive(Debug, Serialize)]
pub struct AppInfo {
    /// The app's version.
    pub version: &'static str,
    /// The date of the bundled price table.
    pub prices_as_of: String,
    /// How many models the bundled price table covers.
    pub priced_models: usize,
}

/// Describes this build (version and bundled data).
#[tauri::command]
pub fn app_info() -> AppInfo {
    let prices = batch_core::pricing::PriceTable::bundled();
    AppInfo { version: env!("CARGO_PKG_VERSION"), prices_as_of: prices.as_of, priced_models: prices.models.len() }
}
