//! The window's contract, declared once: every command the window calls (its arguments and its answer) and
//! every event the shell sends it. The declaration below becomes the Tauri commands and their handler, a typed
//! emitter per event, and, in this crate's tests, the TypeScript calls and types the window imports
//! (`ui/src/backend/bindings.ts`). A new command is its function in `commands.rs`, its line here, and its
//! caller; the compiler holds the function to the line, and the test the TypeScript to both.

use batch_app::cost_check::CostCheck;
use batch_app::error::AppError;
use batch_app::ports::S3Listing;
use batch_app::prompt_totals::PromptTotals;
use batch_app::results_table::{ResultsPage, RowFilter};
use batch_app::run_comparison::RunComparison;
use batch_app::session::{
    AccessForm, AccessView, AccountJobFilter, AccountJobRow, AppInfo, ConnectionInfo, JobPlan, MeasureForm, ModelList,
    OpenJobForm, ResultsOverview, RowAttempt, RunBytesMessage, RunEventMessage, RunOutcome, RunRow, SendWays,
    SubmitForm, TestRowForm, TestRowView,
};
use batch_app::settings::{Choices, InvocationChoice};
use batch_app::sheet_opening::SheetProgress;
use batch_app::sheet_pages::{RenderedPrompt, SheetSummary};
use batch_aws::profiles::ProfileInfo;
use batch_core::answer::{AnswerPreview, AnswerShape};
use batch_core::model_facts::ModelFacts;
use batch_core::prepare::Revision;
use batch_core::pricing::CostEstimate;
use batch_core::service_tier::Tier;
use batch_core::template::analysis::PromptAnalysis;

#[cfg(test)]
mod typescript;

/// Expands the declaration: `commands { /// doc  fn name(arg: Type, …) -> Answer; … }` and
/// `events { /// doc  name: Payload; … }`. Every command answers `Result<Answer, AppError>`, runs off the
/// window's thread, and is given the shell's context (`commands::Shell`) before the window's arguments.
macro_rules! window_contract {
    (
        commands { $( $(#[doc = $doc:literal])* fn $name:ident ( $( $arg:ident : $ty:ty ),* $(,)? ) -> $answer:ty; )* }
        events { $( $(#[doc = $event_doc:literal])* $event:ident : $payload:ty; )* }
    ) => {
        /// The Tauri commands: each hands the shell's context and the window's arguments to its function.
        mod endpoints {
            #[allow(unused_imports)]
            use super::*;
            $(
                $(#[doc = $doc])*
                #[tauri::command]
                pub async fn $name(
                    app: tauri::AppHandle,
                    state: tauri::State<'_, crate::commands::AppState>,
                    $( $arg: $ty ),*
                ) -> Result<$answer, AppError> {
                    let shell = crate::commands::Shell { app: &app, studio: &state.studio, log: &state.log };
                    let answer = crate::commands::$name(shell, $( $arg ),*).await;
                    if let Err(error) = &answer {
                        tracing::warn!(command = stringify!($name), code = ?error.code, fix = ?error.fix, "{}", error.message);
                    }
                    answer
                }
            )*
        }

        /// Every command of the contract, for the app's builder.
        pub fn handler() -> impl Fn(tauri::ipc::Invoke<tauri::Wry>) -> bool + Send + Sync + 'static {
            tauri::generate_handler![$( endpoints::$name ),*]
        }

        /// The events of the contract, each sent by its own function with its own payload type.
        pub mod events {
            #[allow(unused_imports)]
            use super::*;
            $(
                $(#[doc = $event_doc])*
                pub fn $event(app: &tauri::AppHandle, payload: &$payload) {
                    // A window that is gone (closing) is no reason to fail the work that reports.
                    let _ = tauri::Emitter::emit(app, &super::event_name(stringify!($event)), payload);
                }
            )*
        }

        /// The contract as the TypeScript generator reads it.
        #[cfg(test)]
        fn declared() -> typescript::Contract {
            typescript::Contract {
                commands: vec![$(
                    typescript::Call {
                        name: stringify!($name),
                        doc: concat!($( $doc, "\n" ),*),
                        args: vec![$( typescript::Value::of::<$ty>(stringify!($arg)) ),*],
                        answer: typescript::Value::of::<$answer>(""),
                    }
                ),*],
                events: vec![$(
                    typescript::Call {
                        name: stringify!($event),
                        doc: concat!($( $event_doc, "\n" ),*),
                        args: vec![typescript::Value::of::<$payload>("payload")],
                        answer: typescript::Value::of::<()>(""),
                    }
                ),*],
                errors: typescript::Value::of::<AppError>(""),
            }
        }
    };
}

/// An event's name on the wire: its declared name with dashes (`run_event` is `run-event`).
fn event_name(declared: &str) -> String {
    declared.replace('_', "-")
}

window_contract! {
    commands {
        /// The build's version, licence and bundled data, and where the data and the log are.
        fn app_info() -> AppInfo;
        /// The diagnostics text (version, system, connection, folders, recent problems) for Help → Copy diagnostics.
        fn diagnostics() -> String;
        /// The named AWS profiles, with regions and SSO sign-in state.
        fn profiles() -> Vec<ProfileInfo>;
        /// Connects to AWS with a profile and region (or, with `sandbox`, to the offline sandbox) and takes
        /// up the runs left unfinished; without credentials the answer is the sandbox.
        fn connect(sandbox: bool, profile: Option<String>, region: Option<String>) -> ConnectionInfo;
        /// Opens a sheet: format, worksheets, columns, rows. The rows read so far come as `sheet-progress`
        /// events; it fails with code "cancelled" when `cancel_open_sheet` (or a newer opening) stops it.
        fn open_sheet(path: String, sheet: Option<String>) -> SheetSummary;
        /// Stops the sheet opening in progress; the sheet open before stays open.
        fn cancel_open_sheet() -> ();
        /// A page of the open sheet's rows, 0-based.
        fn sheet_rows(offset: u64, limit: u64) -> Vec<Vec<String>>;
        /// One row's prompt, rendered from the open sheet's cache (fast at any size).
        fn render_row(template: String, system: Option<String>, row: u64) -> RenderedPrompt;
        /// What the templates do with the open sheet's columns: pieces to highlight, columns read, unknown
        /// names with the closest column, why they cannot render.
        fn analyze_template(template: String, system: Option<String>) -> PromptAnalysis;
        /// Every row's prompt estimated in one pass over the sheet; a newer call stops this one.
        fn prompt_totals(template: String, system: Option<String>) -> PromptTotals;
        /// What Rust knows of a model id: its family and context window; an id that cannot be a model's is
        /// refused.
        fn model_facts(model: String) -> ModelFacts;
        /// The models and inference profiles of the connection (the bundled list, with a note, when the
        /// connection cannot list them).
        fn models() -> ModelList;
        /// Renders the open sheet's row (from its cache) and sends it through an on-demand Converse call.
        fn test_row(form: TestRowForm) -> TestRowView;
        /// The cost of `rows` records of `input_tokens` in total and at most `max_tokens` answer tokens each.
        fn estimate(model: String, input_tokens: u64, rows: u64, max_tokens: u64) -> CostEstimate;
        /// Records per job for `rows` rows of `model` under the connection's quotas for it (the defaults
        /// before a connection): what Submit will prepare.
        fn job_plan(model: String, rows: u64) -> JobPlan;
        /// How `rows` rows of `model` (`input_tokens` in all, at most `max_tokens` answer tokens each) can be sent
        /// — a batch job when there are enough, on demand (Flex where offered) — and what each way costs.
        fn send_ways(model: String, rows: u64, input_tokens: u64, max_tokens: u64) -> SendWays;
        /// What the run will cost, measured: CountTokens on up to 30 rows of the open sheet, `test_rows` rows
        /// answered on demand (billed), and the model's past runs — each tier low, expected and worst.
        fn measure_cost(form: MeasureForm) -> CostCheck;
        /// The access check of the job about to be submitted.
        fn check_access(form: AccessForm) -> AccessView;
        /// The buckets (empty location) or one folder level of S3.
        fn browse_s3(location: String) -> S3Listing;
        /// The schema, columns and delivery of an answer shape for the chosen model, or why it cannot run.
        fn answer_preview(shape: AnswerShape, model: Option<String>, invocation: Option<InvocationChoice>) -> AnswerPreview;
        /// Prepares and submits a run of the open sheet; it is then followed in the background.
        fn submit(form: SubmitForm) -> RunRow;
        /// Prepares and submits the open sheet's rows to each of `models` as a run of its own (named after its
        /// model), to compare their answers; every model is checked before any row is read.
        fn submit_to_models(form: SubmitForm, models: Vec<String>) -> Vec<RunRow>;
        /// Every run with its live counts, newest first.
        fn runs() -> Vec<RunRow>;
        /// Stops a run's jobs.
        fn stop_run(run: String) -> RunRow;
        /// Retries a run's rows not answered in full (or, with `matching`, the rows that filter shows), with
        /// `changes` (another model, more answer tokens, a changed template): as a batch job, or on demand
        /// (`on-demand`, `flex`).
        fn retry_run(run: String, send: Tier, matching: Option<RowFilter>, changes: Revision) -> RunRow;
        /// The account's batch jobs on the current connection, each marked as this tool's own, opened here, or made
        /// elsewhere.
        fn account_jobs(filter: AccountJobFilter) -> Vec<AccountJobRow>;
        /// Opens a job made elsewhere (one of the account's, or output lines on this computer) as a run, joined to a
        /// sheet when one is given.
        fn open_job(form: OpenJobForm) -> RunRow;
        /// Columns, counts, token bins and summary of a run's results.
        fn results_overview(run: String) -> ResultsOverview;
        /// A page of a run's results.
        fn results_page(run: String, filter: RowFilter, offset: u64, limit: u64) -> ResultsPage;
        /// The prompt sent for row `row` (1-based) of a run's results.
        fn row_prompt(run: String, row: u64) -> RenderedPrompt;
        /// Runs compared over the rows they share (the first the reference); with `export`, the rows where they
        /// disagree are written there as CSV.
        fn compare_runs(runs: Vec<String>, export_to: Option<String>) -> RunComparison;
        /// Every answer row `row` (1-based) got when it was retried, the chosen one first.
        fn row_attempts(run: String, row: u64) -> Vec<RowAttempt>;
        /// Exports a run's results to `path`; the format follows the extension.
        fn export_results(run: String, path: String, excel_safe: bool) -> String;
        /// The remembered choices.
        fn load_choices() -> Choices;
        /// Remembers the choices, in place of the ones before.
        fn remember_choices(choices: Choices) -> ();
    }
    events {
        /// The rows read so far while a sheet opens.
        sheet_progress: SheetProgress;
        /// A run's progress: its statuses, parts and problems as they happen.
        run_event: RunEventMessage;
        /// Bytes of a run uploaded or downloaded.
        run_bytes: RunBytesMessage;
        /// A run ended (or was stopped).
        run_ended: RunOutcome;
    }
}
