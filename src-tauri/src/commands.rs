//! Tauri commands: each calls the libraries in a line or two, off the window's thread, and answers errors as
//! `AppError` values (a stable code, the message, the fix) the window can switch on.

use std::path::PathBuf;
use std::sync::Arc;

use batch_app::error::AppError;
use batch_app::ports::{AccessOptions, S3Listing};
use batch_app::prompt_totals::PromptTotals;
use batch_app::results_table::{ResultsPage, RowFilter};
use batch_app::session::{
    AccessForm, AccessView, AppInfo, ConnectionInfo, ModelList, ResultsOverview, RunRow, Studio, SubmitForm,
    TestRowForm, TestRowView,
};
use batch_app::sheet_opening::SheetProgress;
use batch_app::sheet_pages::{RenderedPrompt, SheetSummary};
use batch_aws::profiles::{ProfileFiles, ProfileInfo, list_profiles};
use batch_connect::Backends;
use batch_core::limits::Limits;
use batch_core::model::{ModelFacts, ModelId};
use batch_core::pricing::{CostEstimate, PriceTable, estimate_cost};
use batch_core::template::analysis::PromptAnalysis;
use tauri::{AppHandle, Emitter, State};

/// What the commands share: the one session (connection, runs, the open sheet, remembered choices).
pub struct AppState {
    /// The desktop session.
    pub studio: Arc<Studio<Backends>>,
}

type Answer<T> = Result<T, AppError>;

/// Unusable input (a file, a template, a model id), as its error says.
fn invalid(error: impl std::fmt::Display) -> AppError {
    AppError::invalid(error)
}

/// A failure of the app itself (a poisoned lock, a lost worker thread).
fn internal(error: impl std::fmt::Display) -> AppError {
    AppError::internal(format!("internal error: {error}"))
}

/// Runs blocking library work off the async threads.
async fn blocking<T: Send + 'static>(work: impl FnOnce() -> Answer<T> + Send + 'static) -> Answer<T> {
    tauri::async_runtime::spawn_blocking(work).await.map_err(internal)?
}

/// Describes this build (version and bundled data).
#[tauri::command]
pub fn app_info(state: State<'_, AppState>) -> AppInfo {
    AppInfo::of(&state.studio)
}

/// The named AWS profiles, with regions and SSO sign-in state.
#[tauri::command]
pub fn profiles() -> Vec<ProfileInfo> {
    list_profiles(&ProfileFiles::standard(), batch_core::clock::unix_now())
}

/// Connects (AWS with a profile and region, or the sandbox) and takes up the runs left unfinished.
#[tauri::command]
pub async fn connect(
    state: State<'_, AppState>,
    sandbox: bool,
    profile: Option<String>,
    region: Option<String>,
) -> Answer<ConnectionInfo> {
    let options = AccessOptions {
        profile: profile.filter(|p| !p.is_empty()),
        region: region.filter(|r| !r.is_empty()),
        endpoint_url: None,
    };
    Ok(state.studio.connect(sandbox, &options).await?)
}

/// Opens a sheet: its format, worksheets, columns and row count; its rows are cached for paging. The rows
/// read so far go to the window as `sheet-progress` events; `cancel_open_sheet` stops the reading, and the
/// sheet open before stays open.
#[tauri::command]
pub async fn open_sheet(
    app: AppHandle,
    state: State<'_, AppState>,
    path: String,
    sheet: Option<String>,
) -> Answer<SheetSummary> {
    let studio = state.studio.clone();
    blocking(move || {
        let progress = |rows| drop(app.emit("sheet-progress", SheetProgress { rows }));
        Ok(studio.open_sheet(&PathBuf::from(path), sheet, progress)?)
    })
    .await
}

/// Stops the sheet opening in progress, if any.
#[tauri::command]
pub fn cancel_open_sheet(state: State<'_, AppState>) {
    state.studio.cancel_open_sheet();
}

/// A page of the open sheet's rows (0-based offset).
#[tauri::command]
pub fn sheet_rows(state: State<'_, AppState>, offset: u64, limit: u64) -> Answer<Vec<Vec<String>>> {
    Ok(state.studio.sheet_rows(offset, limit)?)
}

/// One row's prompt, rendered from the open sheet's cache, off the window's thread (a template has a
/// budget per row, but even a slow one never freezes the window).
#[tauri::command]
pub async fn render_row(
    state: State<'_, AppState>,
    template: String,
    system: Option<String>,
    row: u64,
) -> Answer<RenderedPrompt> {
    let studio = state.studio.clone();
    blocking(move || Ok(studio.render_row(&template, system.as_deref(), row)?)).await
}

/// What the templates do with the open sheet's columns (pieces to highlight, columns read, unknown names
/// with the closest column, why they cannot render): the core's rules, so the window judges nothing itself.
#[tauri::command]
pub fn analyze_template(
    state: State<'_, AppState>,
    template: String,
    system: Option<String>,
) -> Answer<PromptAnalysis> {
    Ok(state.studio.analyze_template(&template, system.as_deref())?)
}

/// Every row of the open sheet's prompt estimated in one pass over its file, off the window's thread; a newer
/// estimate stops this one.
#[tauri::command]
pub async fn prompt_totals(
    state: State<'_, AppState>,
    template: String,
    system: Option<String>,
) -> Answer<PromptTotals> {
    let studio = state.studio.clone();
    blocking(move || Ok(studio.prompt_totals(&template, system.as_deref())?)).await
}

/// What the window needs to know of a model (family, context window); the rules are the core's.
#[tauri::command]
pub fn model_facts(model: String) -> Answer<ModelFacts> {
    Ok(ModelId::parse(&model).map_err(invalid)?.facts())
}

/// The models and inference profiles the connection lists; the bundled price table's when that fails.
#[tauri::command]
pub async fn models(state: State<'_, AppState>) -> Answer<ModelList> {
    Ok(state.studio.model_list().await)
}

/// Renders one row from the open sheet's cache and sends it through an on-demand Converse call.
#[tauri::command]
pub async fn test_row(state: State<'_, AppState>, form: TestRowForm) -> Answer<TestRowView> {
    let (studio, to_render) = (state.studio.clone(), form.clone());
    let rendered = blocking(move || Ok(studio.render_test_row(&to_render)?)).await?;
    Ok(state.studio.test_row(&form, rendered).await?)
}

/// The cost of a run: its estimated input tokens, and `rows` answers of at most `max_tokens` each.
#[tauri::command]
pub fn estimate(model: String, input_tokens: u64, rows: u64, max_tokens: u64) -> Answer<CostEstimate> {
    let model = ModelId::parse(&model).map_err(invalid)?;
    Ok(estimate_cost(&PriceTable::bundled(), &model, input_tokens, rows.saturating_mul(max_tokens)))
}

/// Records per job for `rows` rows under the default quotas.
#[tauri::command]
pub fn job_plan(rows: u64) -> Vec<u64> {
    batch_core::plan::likely_part_rows(rows, &Limits::default())
}

/// The access check of the job about to be submitted.
#[tauri::command]
pub async fn check_access(state: State<'_, AppState>, form: AccessForm) -> Answer<AccessView> {
    Ok(state.studio.check_access(&form).await?)
}

/// The buckets (empty location) or one folder level of S3.
#[tauri::command]
pub async fn browse_s3(state: State<'_, AppState>, location: String) -> Answer<S3Listing> {
    Ok(state.studio.browse_s3(&location).await?)
}

/// Prepares and submits a run of the open sheet; it is then followed in the background.
#[tauri::command]
pub async fn submit(state: State<'_, AppState>, form: SubmitForm) -> Answer<RunRow> {
    let form = state.studio.submitting_open_sheet(form)?;
    Ok(state.studio.submit(form).await?)
}

/// Every run with its live counts.
#[tauri::command]
pub fn runs(state: State<'_, AppState>) -> Answer<Vec<RunRow>> {
    Ok(state.studio.runs()?)
}

/// Stops a run's jobs.
#[tauri::command]
pub async fn stop_run(state: State<'_, AppState>, run: String) -> Answer<RunRow> {
    Ok(state.studio.stop(&run).await?)
}

/// Retries a run's failed and missing rows.
#[tauri::command]
pub async fn retry_run(state: State<'_, AppState>, run: String) -> Answer<RunRow> {
    Ok(state.studio.retry(&run).await?)
}

/// Columns, counts, token bins and summary of a run's results.
#[tauri::command]
pub async fn results_overview(state: State<'_, AppState>, run: String) -> Answer<ResultsOverview> {
    let studio = state.studio.clone();
    blocking(move || Ok(studio.results_overview(&run)?)).await
}

/// A page of a run's results.
#[tauri::command]
pub async fn results_page(
    state: State<'_, AppState>,
    run: String,
    filter: RowFilter,
    offset: u64,
    limit: u64,
) -> Answer<ResultsPage> {
    let studio = state.studio.clone();
    blocking(move || Ok(studio.results_page(&run, &filter, offset, limit)?)).await
}

/// Exports a run's results to `path` (format by extension).
#[tauri::command]
pub async fn export_results(state: State<'_, AppState>, run: String, path: String, excel_safe: bool) -> Answer<String> {
    let path = state.studio.export_path(&PathBuf::from(path))?;
    Ok(state.studio.export(&run, path, excel_safe).await?)
}

/// The remembered choices.
#[tauri::command]
pub fn load_choices(state: State<'_, AppState>) -> serde_json::Map<String, serde_json::Value> {
    state.studio.choices()
}

/// Remembers choices (a null forgets one).
#[tauri::command]
pub fn remember_choices(state: State<'_, AppState>, choices: serde_json::Map<String, serde_json::Value>) -> Answer<()> {
    Ok(state.studio.remember_choices(choices)?)
}
