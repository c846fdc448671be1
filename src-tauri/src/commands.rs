//! Tauri commands: each calls the libraries in a line or two, off the window's thread, and turns errors
//! into their readable messages.

use std::path::PathBuf;

use batch_app::sheet_pages::{SheetSummary, page, summarize};
use batch_core::model::ModelId;
use batch_core::prepare::{Preview, PreviewRequest, preview};
use batch_core::pricing::{CostEstimate, PriceTable, estimate_cost};
use batch_core::sheet::SheetOptions;
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

/// Where the app's calls go.
#[derive(Debug, Serialize)]
pub struct ConnectionInfo {
    /// True for the offline sandbox (a simulation).
    pub sandbox: bool,
    /// The caller's ARN, when connected to AWS.
    pub caller: Option<String>,
    /// The account.
    pub account: Option<String>,
    /// Why the sandbox was chosen, when it was.
    pub reason: Option<String>,
}

/// Connects to AWS with the default credential chain, or explains why the sandbox is used instead.
#[tauri::command]
pub async fn connect(sandbox: bool) -> Result<ConnectionInfo, String> {
    if sandbox {
        return Ok(ConnectionInfo { sandbox: true, caller: None, account: None, reason: Some("chosen".into()) });
    }
    let options = batch_aws::environment::AccessOptions::default();
    match batch_aws::connection::Connection::aws(&options).await {
        Ok(connection) => {
            let who = connection.identity().await.map_err(|e| e.to_string())?;
            Ok(ConnectionInfo { sandbox: false, caller: Some(who.arn), account: Some(who.account), reason: None })
        }
        Err(error) => Ok(ConnectionInfo { sandbox: true, caller: None, account: None, reason: Some(error.message) }),
    }
}

/// Runs blocking library work off the async threads.
async fn blocking<T: Send + 'static>(work: impl FnOnce() -> Result<T, String> + Send + 'static) -> Result<T, String> {
    tauri::async_runtime::spawn_blocking(work).await.map_err(|e| format!("internal error: {e}"))?
}

/// Opens a sheet: its format, worksheets, columns and row count.
#[tauri::command]
pub async fn open_sheet(path: String, sheet: Option<String>) -> Result<SheetSummary, String> {
    blocking(move || {
        summarize(&PathBuf::from(path), &SheetOptions { sheet, delimiter: None }).map_err(|e| e.to_string())
    })
    .await
}

/// A page of a sheet's rows (0-based offset).
#[tauri::command]
pub async fn sheet_rows(
    path: String,
    sheet: Option<String>,
    offset: u64,
    limit: u64,
) -> Result<Vec<Vec<String>>, String> {
    blocking(move || {
        page(&PathBuf::from(path), &SheetOptions { sheet, delimiter: None }, offset, limit.min(1000))
            .map_err(|e| e.to_string())
    })
    .await
}

/// The rendered prompt of one row and token estimates for the sheet.
#[tauri::command]
pub async fn preview_prompt(
    path: String,
    sheet: Option<String>,
    template: String,
    system: Option<String>,
    row: u64,
) -> Result<Preview, String> {
    blocking(move || {
        let request = PreviewRequest {
            input: PathBuf::from(path),
            sheet: SheetOptions { sheet, delimiter: None },
            template,
            system: system.filter(|s| !s.trim().is_empty()),
            row: row.max(1),
        };
        preview(&request).map_err(|e| e.to_string())
    })
    .await
}

/// The models of the bundled price table, by id.
#[tauri::command]
pub fn models() -> Vec<String> {
    PriceTable::bundled().models.into_keys().collect()
}

/// The cost of a run: its estimated input tokens, and `rows` answers of at most `max_tokens` each.
#[tauri::command]
pub fn estimate(model: String, input_tokens: u64, rows: u64, max_tokens: u64) -> Result<CostEstimate, String> {
    let model = ModelId::parse(&model).map_err(|e| e.to_string())?;
    Ok(estimate_cost(&PriceTable::bundled(), &model, input_tokens, rows.saturating_mul(max_tokens)))
}
