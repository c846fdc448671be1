//! Tauri commands: each calls the libraries in a line or two, off the window's thread, and turns errors
//! into their readable messages.

use std::path::PathBuf;
use std::sync::{Arc, Mutex};

use batch_app::latest_only::LatestOnly;
use batch_app::ports::{AccessOptions, S3Listing};
use batch_app::prompt_totals::{PromptTotals, prompt_totals as prompt_totals_of};
use batch_app::results_table::{ResultsPage, RowFilter};
use batch_app::session::{
    AccessForm, AccessView, AppInfo, ConnectionInfo, ModelList, ResultsOverview, RunRow, Studio, SubmitForm,
    TestRowForm, TestRowView,
};
use batch_app::settings::Settings;
use batch_app::sheet_opening::{SheetOpenings, SheetProgress};
use batch_app::sheet_pages::{RenderedPrompt, SheetSummary, SheetTable};
use batch_app::window_files::WindowFiles;
use batch_aws::profiles::{ProfileFiles, ProfileInfo, list_profiles};
use batch_connect::Backends;
use batch_core::limits::Limits;
use batch_core::model::{ModelFacts, ModelId};
use batch_core::pricing::{CostEstimate, PriceTable, estimate_cost};
use batch_core::sheet::{SheetMeta, SheetOptions};
use batch_core::template::analysis::{PromptAnalysis, analyze_prompt};
use tauri::{AppHandle, Emitter, Manager, State};

/// What the commands share: the session, the open sheet's page cache and the remembered settings.
pub struct AppState {
    /// The desktop session.
    pub studio: Arc<Studio<Backends>>,
    /// The open sheet (file, format, worksheet, headers) and its rows, cached for paging.
    pub sheet: Mutex<Option<(SheetMeta, SheetTable)>>,
    /// Which files the window may have read or written.
    pub files: WindowFiles,
    /// Where sheets are cached, and the opening in progress.
    pub openings: SheetOpenings,
    /// The all-rows prompt estimate in progress.
    pub estimates: LatestOnly,
    /// Window size and last choices.
    pub settings: Mutex<Settings>,
}

type Answer<T> = Result<T, String>;

const NO_SHEET: &str = "no sheet is open; open one in the Data step";

fn text(error: impl std::fmt::Display) -> String {
    error.to_string()
}

/// Runs blocking library work off the async threads.
async fn blocking<T: Send + 'static>(work: impl FnOnce() -> Answer<T> + Send + 'static) -> Answer<T> {
    tauri::async_runtime::spawn_blocking(work).await.map_err(|e| format!("internal error: {e}"))?
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
    state.studio.connect(sandbox, &options).await.map_err(text)
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
    let path = state.files.sheet(&PathBuf::from(path)).map_err(text)?;
    let handle = app.clone();
    let (summary, table) = blocking(move || {
        let state = handle.state::<AppState>();
        let progress = |rows| drop(handle.emit("sheet-progress", SheetProgress { rows }));
        state.openings.open(&path, &SheetOptions { sheet, delimiter: None }, progress).map_err(text)
    })
    .await?;
    *state.sheet.lock().map_err(text)? = Some((summary.meta.clone(), table));
    Ok(summary)
}

/// Stops the sheet opening in progress, if any.
#[tauri::command]
pub fn cancel_open_sheet(state: State<'_, AppState>) {
    state.openings.cancel();
}

/// A page of the open sheet's rows (0-based offset).
#[tauri::command]
pub fn sheet_rows(state: State<'_, AppState>, offset: u64, limit: u64) -> Answer<Vec<Vec<String>>> {
    let sheet = state.sheet.lock().map_err(text)?;
    sheet.as_ref().ok_or(NO_SHEET)?.1.page(offset, limit).map_err(text)
}

/// One row's prompt, rendered from the open sheet's cache, off the window's thread (a template has a
/// budget per row, but even a slow one never freezes the window).
#[tauri::command]
pub async fn render_row(app: AppHandle, template: String, system: Option<String>, row: u64) -> Answer<RenderedPrompt> {
    blocking(move || {
        let state = app.state::<AppState>();
        let sheet = state.sheet.lock().map_err(text)?;
        let (_, table) = sheet.as_ref().ok_or(NO_SHEET)?;
        table.render(&template, system.as_deref().filter(|s| !s.trim().is_empty()), row.max(1)).map_err(text)
    })
    .await
}

/// What the templates do with the open sheet's columns (pieces to highlight, columns read, unknown names
/// with the closest column, why they cannot render): the core's rules, so the window judges nothing itself.
#[tauri::command]
pub fn analyze_template(
    state: State<'_, AppState>,
    template: String,
    system: Option<String>,
) -> Answer<PromptAnalysis> {
    Ok(analyze_prompt(&template, system.as_deref(), &open_sheet_meta(&state)?.headers))
}

/// Every row of the open sheet's prompt estimated in one pass over its file, off the window's thread; a newer
/// estimate stops this one.
#[tauri::command]
pub async fn prompt_totals(
    state: State<'_, AppState>,
    template: String,
    system: Option<String>,
) -> Answer<PromptTotals> {
    let meta = open_sheet_meta(&state)?;
    let superseded = state.estimates.begin();
    let system = system.filter(|s| !s.trim().is_empty());
    blocking(move || {
        let options = SheetOptions { sheet: meta.sheet, delimiter: meta.delimiter };
        prompt_totals_of(&meta.path, &options, &template, system.as_deref(), &superseded).map_err(text)
    })
    .await
}

/// The open sheet's file, format and headers.
fn open_sheet_meta(state: &AppState) -> Answer<SheetMeta> {
    Ok(state.sheet.lock().map_err(text)?.as_ref().ok_or(NO_SHEET)?.0.clone())
}

/// What the window needs to know of a model (family, context window); the rules are the core's.
#[tauri::command]
pub fn model_facts(model: String) -> Answer<ModelFacts> {
    Ok(ModelId::parse(&model).map_err(text)?.facts())
}

/// The models and inference profiles the connection lists; the bundled price table's when that fails.
#[tauri::command]
pub async fn models(state: State<'_, AppState>) -> Answer<ModelList> {
    Ok(state.studio.model_list().await)
}

/// Renders one row from the open sheet's cache and sends it through an on-demand Converse call.
#[tauri::command]
pub async fn test_row(app: AppHandle, state: State<'_, AppState>, form: TestRowForm) -> Answer<TestRowView> {
    let to_render = form.clone();
    let rendered = blocking(move || {
        let state = app.state::<AppState>();
        let sheet = state.sheet.lock().map_err(text)?;
        to_render.render(&sheet.as_ref().ok_or(NO_SHEET)?.1).map_err(text)
    })
    .await?;
    state.studio.test_row(&form, rendered).await.map_err(text)
}

/// The cost of a run: its estimated input tokens, and `rows` answers of at most `max_tokens` each.
#[tauri::command]
pub fn estimate(model: String, input_tokens: u64, rows: u64, max_tokens: u64) -> Answer<CostEstimate> {
    let model = ModelId::parse(&model).map_err(text)?;
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
    state.studio.check_access(&form).await.map_err(text)
}

/// The buckets (empty location) or one folder level of S3.
#[tauri::command]
pub async fn browse_s3(state: State<'_, AppState>, location: String) -> Answer<S3Listing> {
    state.studio.browse_s3(&location).await.map_err(text)
}

/// Prepares and submits a run of the open sheet; it is then followed in the background.
#[tauri::command]
pub async fn submit(state: State<'_, AppState>, mut form: SubmitForm) -> Answer<RunRow> {
    let meta = open_sheet_meta(&state)?;
    if state.files.sheet(&form.sheet).map_err(text)? != meta.path {
        return Err(format!(
            "{}: only the sheet open in the Data step is submitted; open it there first",
            form.sheet.display()
        ));
    }
    form.sheet = meta.path;
    state.studio.submit(form).await.map_err(text)
}

/// Every run with its live counts.
#[tauri::command]
pub fn runs(state: State<'_, AppState>) -> Answer<Vec<RunRow>> {
    state.studio.runs().map_err(text)
}

/// Stops a run's jobs.
#[tauri::command]
pub async fn stop_run(state: State<'_, AppState>, run: String) -> Answer<RunRow> {
    state.studio.stop(&run).await.map_err(text)
}

/// Retries a run's failed and missing rows.
#[tauri::command]
pub async fn retry_run(state: State<'_, AppState>, run: String) -> Answer<RunRow> {
    state.studio.retry(&run).await.map_err(text)
}

/// Columns, counts, token bins and summary of a run's results.
#[tauri::command]
pub async fn results_overview(state: State<'_, AppState>, run: String) -> Answer<ResultsOverview> {
    let studio = state.studio.clone();
    blocking(move || studio.results_overview(&run).map_err(text)).await
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
    blocking(move || studio.results_page(&run, &filter, offset, limit).map_err(text)).await
}

/// Exports a run's results to `path` (format by extension).
#[tauri::command]
pub async fn export_results(state: State<'_, AppState>, run: String, path: String, excel_safe: bool) -> Answer<String> {
    let path = state.files.export(&PathBuf::from(path)).map_err(text)?;
    state.studio.export(&run, path, excel_safe).await.map_err(text)
}

/// The remembered choices.
#[tauri::command]
pub fn load_choices(state: State<'_, AppState>) -> Answer<serde_json::Map<String, serde_json::Value>> {
    Ok(state.settings.lock().map_err(text)?.choices.clone())
}

/// Remembers choices (a null forgets one).
#[tauri::command]
pub fn remember_choices(state: State<'_, AppState>, choices: serde_json::Map<String, serde_json::Value>) -> Answer<()> {
    let mut settings = state.settings.lock().map_err(text)?;
    settings.remember(choices).map_err(text)?;
    settings.save(&Settings::path_in(state.studio.home())).map_err(text)
}
