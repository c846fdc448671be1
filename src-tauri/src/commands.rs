//! What each command of the window's contract does (the contract, in `contract.rs`, declares them and makes
//! them Tauri commands): each calls the libraries in a line or two and answers errors as `AppError` values
//! (a stable code, the message, the fix) the window can switch on.

use std::path::PathBuf;
use std::sync::Arc;

use batch_app::cost_check::CostCheck;
use batch_app::error::AppError;
use batch_app::ports::{AccessOptions, S3Listing};
use batch_app::prompt_totals::PromptTotals;
use batch_app::results_table::{ResultsPage, RowFilter};
use batch_app::run_comparison::RunComparison;
use batch_app::session::{
    AccessForm, AccessView, AccountJobFilter, AccountJobRow, AppInfo, ConnectionInfo, JobPlan, MeasureForm, ModelList,
    OpenJobForm, ResultsOverview, RowAttempt, RunRow, SendWays, Studio, SubmitForm, TestRowForm, TestRowView,
};
use batch_app::settings::{Choices, InvocationChoice};
use batch_app::sheet_opening::SheetProgress;
use batch_app::sheet_pages::{RenderedPrompt, SheetSummary};
use batch_aws::profiles::{ProfileFiles, ProfileInfo, list_profiles};
use batch_connect::Backends;
use batch_core::answer::{AnswerPreview, AnswerShape};
use batch_core::model::ModelId;
use batch_core::model_facts::ModelFacts;
use batch_core::prepare::Revision;
use batch_core::pricing::{CostEstimate, PriceTable, estimate_cost};
use batch_core::service_tier::Tier;
use batch_core::template::analysis::PromptAnalysis;
use tauri::AppHandle;

use crate::app_log::AppLog;
use crate::contract::events;

/// What the commands share: the one session (connection, runs, the open sheet, remembered choices) and the log.
pub struct AppState {
    /// The desktop session.
    pub studio: Arc<Studio<Backends>>,
    /// The app's log.
    pub log: Arc<AppLog>,
}

/// What a command is given besides the window's arguments: the app (for events) and the session.
pub struct Shell<'a> {
    /// The running app.
    pub app: &'a AppHandle,
    /// The desktop session.
    pub studio: &'a Arc<Studio<Backends>>,
    /// The app's log.
    pub log: &'a AppLog,
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

/// Describes this build (version, licence, bundled data, where the data and the log are). The window asks first
/// thing, so the first call also marks the window ready in the log.
pub async fn app_info(shell: Shell<'_>) -> Answer<AppInfo> {
    shell.log.window_ready();
    Ok(AppInfo::of(shell.studio, shell.log.facts().file.as_deref()))
}

/// The text Help → Copy diagnostics puts on the clipboard.
pub async fn diagnostics(shell: Shell<'_>) -> Answer<String> {
    Ok(shell.studio.diagnostics(&shell.log.facts()).await)
}

/// The named AWS profiles, with regions and SSO sign-in state.
pub async fn profiles(_: Shell<'_>) -> Answer<Vec<ProfileInfo>> {
    Ok(list_profiles(&ProfileFiles::standard(), batch_core::clock::unix_now()))
}

/// Connects (AWS with a profile and region, or the sandbox) and takes up the runs left unfinished.
pub async fn connect(
    shell: Shell<'_>,
    sandbox: bool,
    profile: Option<String>,
    region: Option<String>,
) -> Answer<ConnectionInfo> {
    let options = AccessOptions {
        profile: profile.filter(|p| !p.is_empty()),
        region: region.filter(|r| !r.is_empty()),
        endpoint_url: None,
    };
    Ok(shell.studio.connect(sandbox, &options).await?)
}

/// Opens a sheet: its format, worksheets, columns and row count; its rows are cached for paging. The rows
/// read so far go to the window as `sheet-progress` events; `cancel_open_sheet` stops the reading, and the
/// sheet open before stays open.
pub async fn open_sheet(shell: Shell<'_>, path: String, sheet: Option<String>) -> Answer<SheetSummary> {
    let (studio, app) = (shell.studio.clone(), shell.app.clone());
    blocking(move || {
        let progress = |rows| events::sheet_progress(&app, &SheetProgress { rows });
        Ok(studio.open_sheet(&PathBuf::from(path), sheet, progress)?)
    })
    .await
}

/// Stops the sheet opening in progress, if any.
pub async fn cancel_open_sheet(shell: Shell<'_>) -> Answer<()> {
    shell.studio.cancel_open_sheet();
    Ok(())
}

/// A page of the open sheet's rows (0-based offset).
pub async fn sheet_rows(shell: Shell<'_>, offset: u64, limit: u64) -> Answer<Vec<Vec<String>>> {
    Ok(shell.studio.sheet_rows(offset, limit)?)
}

/// One row's prompt, rendered from the open sheet's cache, off the window's thread (a template has a
/// budget per row, but even a slow one never freezes the window).
pub async fn render_row(
    shell: Shell<'_>,
    template: String,
    system: Option<String>,
    row: u64,
) -> Answer<RenderedPrompt> {
    let studio = shell.studio.clone();
    blocking(move || Ok(studio.render_row(&template, system.as_deref(), row)?)).await
}

/// What the templates do with the open sheet's columns (pieces to highlight, columns read, unknown names
/// with the closest column, why they cannot render): the core's rules, so the window judges nothing itself.
pub async fn analyze_template(shell: Shell<'_>, template: String, system: Option<String>) -> Answer<PromptAnalysis> {
    Ok(shell.studio.analyze_template(&template, system.as_deref())?)
}

/// Every row of the open sheet's prompt estimated in one pass over its file, off the window's thread; a newer
/// estimate stops this one.
pub async fn prompt_totals(shell: Shell<'_>, template: String, system: Option<String>) -> Answer<PromptTotals> {
    let studio = shell.studio.clone();
    blocking(move || Ok(studio.prompt_totals(&template, system.as_deref())?)).await
}

/// What the window needs to know of a model (family, context window); the rules are the core's.
pub async fn model_facts(_: Shell<'_>, model: String) -> Answer<ModelFacts> {
    Ok(ModelId::parse(&model).map_err(invalid)?.facts())
}

/// The models and inference profiles the connection lists; the bundled price table's when that fails.
pub async fn models(shell: Shell<'_>) -> Answer<ModelList> {
    Ok(shell.studio.model_list().await)
}

/// Renders one row from the open sheet's cache and sends it through an on-demand Converse call.
pub async fn test_row(shell: Shell<'_>, form: TestRowForm) -> Answer<TestRowView> {
    let (studio, to_render) = (shell.studio.clone(), form.clone());
    let rendered = blocking(move || Ok(studio.render_test_row(&to_render)?)).await?;
    Ok(shell.studio.test_row(&form, rendered).await?)
}

/// The cost of a run: its estimated input tokens, and `rows` answers of at most `max_tokens` each.
pub async fn estimate(
    _: Shell<'_>,
    model: String,
    input_tokens: u64,
    rows: u64,
    max_tokens: u64,
) -> Answer<CostEstimate> {
    let model = ModelId::parse(&model).map_err(invalid)?;
    Ok(estimate_cost(&PriceTable::bundled(), &model, input_tokens, rows.saturating_mul(max_tokens)))
}

/// Records per job for `rows` rows of `model` under the connection's quotas.
pub async fn job_plan(shell: Shell<'_>, model: String, rows: u64) -> Answer<JobPlan> {
    Ok(shell.studio.job_plan(&model, rows).await?)
}

/// The access check of the job about to be submitted.
pub async fn check_access(shell: Shell<'_>, form: AccessForm) -> Answer<AccessView> {
    Ok(shell.studio.check_access(&form).await?)
}

/// The buckets (empty location) or one folder level of S3.
pub async fn browse_s3(shell: Shell<'_>, location: String) -> Answer<S3Listing> {
    Ok(shell.studio.browse_s3(&location).await?)
}

/// Prepares and submits a run of the open sheet; it is then followed in the background.
pub async fn submit(shell: Shell<'_>, form: SubmitForm) -> Answer<RunRow> {
    let form = shell.studio.submitting_open_sheet(form)?;
    Ok(shell.studio.submit(form).await?)
}

/// Prepares and submits the open sheet's rows to each of several models, a run each, to compare them.
pub async fn submit_to_models(shell: Shell<'_>, form: SubmitForm, models: Vec<String>) -> Answer<Vec<RunRow>> {
    let form = shell.studio.submitting_open_sheet(form)?;
    Ok(shell.studio.submit_to_models(form, models).await?)
}

/// Every run with its live counts.
pub async fn runs(shell: Shell<'_>) -> Answer<Vec<RunRow>> {
    Ok(shell.studio.runs()?)
}

/// Stops a run's jobs.
pub async fn stop_run(shell: Shell<'_>, run: String) -> Answer<RunRow> {
    Ok(shell.studio.stop(&run).await?)
}

/// Retries a run's rows not answered in full, or the rows a filter of its results shows, with any changes.
pub async fn retry_run(
    shell: Shell<'_>,
    run: String,
    send: Tier,
    matching: Option<RowFilter>,
    changes: Revision,
) -> Answer<RunRow> {
    Ok(shell.studio.retry(&run, send, matching, changes).await?)
}

/// The account's batch jobs, each marked with its run.
pub async fn account_jobs(shell: Shell<'_>, filter: AccountJobFilter) -> Answer<Vec<AccountJobRow>> {
    Ok(shell.studio.account_jobs(&filter).await?)
}

/// A job made elsewhere opened as a run.
pub async fn open_job(shell: Shell<'_>, form: OpenJobForm) -> Answer<RunRow> {
    Ok(shell.studio.open_job(form).await?)
}

/// What the run will cost, measured (CountTokens on a sample, rows answered on demand when asked, past runs).
pub async fn measure_cost(shell: Shell<'_>, form: MeasureForm) -> Answer<CostCheck> {
    Ok(shell.studio.measure_cost(&form).await?)
}

/// The ways of sending `rows` rows of `model` (batch, on demand, Flex where offered), each priced.
pub async fn send_ways(
    shell: Shell<'_>,
    model: String,
    rows: u64,
    input_tokens: u64,
    max_tokens: u64,
) -> Answer<SendWays> {
    Ok(shell.studio.send_ways(&model, rows, input_tokens, max_tokens).await?)
}

/// Columns, counts, token bins and summary of a run's results.
pub async fn results_overview(shell: Shell<'_>, run: String) -> Answer<ResultsOverview> {
    let studio = shell.studio.clone();
    blocking(move || Ok(studio.results_overview(&run)?)).await
}

/// A page of a run's results.
pub async fn results_page(
    shell: Shell<'_>,
    run: String,
    filter: RowFilter,
    offset: u64,
    limit: u64,
) -> Answer<ResultsPage> {
    let studio = shell.studio.clone();
    blocking(move || Ok(studio.results_page(&run, &filter, offset, limit)?)).await
}

/// The schema, columns and delivery of an answer shape for the chosen model, or why it cannot run.
pub async fn answer_preview(
    shell: Shell<'_>,
    shape: AnswerShape,
    model: Option<String>,
    invocation: Option<InvocationChoice>,
) -> Answer<AnswerPreview> {
    Ok(shell.studio.answer_preview(&shape, model.as_deref(), invocation))
}

/// The prompt sent for row `row` (1-based) of a run's results.
pub async fn row_prompt(shell: Shell<'_>, run: String, row: u64) -> Answer<RenderedPrompt> {
    let studio = shell.studio.clone();
    blocking(move || Ok(studio.row_prompt(&run, row)?)).await
}

/// Runs compared over the rows they share; with `export`, the rows where they disagree written there as CSV.
pub async fn compare_runs(shell: Shell<'_>, runs: Vec<String>, export_to: Option<String>) -> Answer<RunComparison> {
    let studio = shell.studio.clone();
    blocking(move || Ok(studio.compare_runs(&runs, export_to.as_deref().map(std::path::Path::new))?)).await
}

/// Every answer row `row` (1-based) got when it was retried, the chosen one first.
pub async fn row_attempts(shell: Shell<'_>, run: String, row: u64) -> Answer<Vec<RowAttempt>> {
    let studio = shell.studio.clone();
    blocking(move || Ok(studio.row_attempts(&run, row)?)).await
}

/// Exports a run's results to `path` (format by extension).
pub async fn export_results(shell: Shell<'_>, run: String, path: String, excel_safe: bool) -> Answer<String> {
    let path = shell.studio.export_path(&PathBuf::from(path))?;
    Ok(shell.studio.export(&run, path, excel_safe).await?)
}

/// The remembered choices.
pub async fn load_choices(shell: Shell<'_>) -> Answer<Choices> {
    Ok(shell.studio.choices())
}

/// Remembers the choices (in place of the ones before).
pub async fn remember_choices(shell: Shell<'_>, choices: Choices) -> Answer<()> {
    Ok(shell.studio.remember_choices(choices)?)
}
