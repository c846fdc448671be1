//! The session's use cases on the in-memory backend: connecting (and falling back to the sandbox), the open
//! sheet, and how each failure reaches the window.

use std::sync::Arc;

use super::*;
use crate::lifecycle::fakes::{FakeConnector, LimitedConnector};

use crate::ports::FailureKind;

struct Quiet;

impl StudioEvents for Quiet {
    fn run_event(&self, _run: &str, _event: &Event) {}
    fn run_ended(&self, _run: &str, _outcome: &RunOutcome) {}
}

fn block_on<F: std::future::Future>(future: F) -> F::Output {
    tokio::runtime::Builder::new_current_thread().enable_time().build().unwrap().block_on(future)
}

#[test]
fn without_credentials_the_session_connects_to_the_sandbox_and_says_why() {
    let home = tempfile::tempdir().unwrap();
    let studio = Studio::open(home.path(), FakeConnector, Arc::new(Quiet)).unwrap();
    let not_yet = block_on(studio.model_list());
    assert!(not_yet.note.as_deref().is_some_and(|n| n.contains("not connected")), "{:?}", not_yet.note);
    let info = block_on(studio.connect(false, &AccessOptions::default())).unwrap();
    assert!(info.sandbox);
    assert_eq!(info.reason.as_deref(), Some("no AWS credentials found (none set)"));
    assert_eq!(info.account, "111122223333");
    assert!(block_on(studio.model_list()).note.is_none());
}

#[test]
fn the_model_list_offers_what_runs_batch_and_a_profile_only_model_through_its_profiles() {
    let home = tempfile::tempdir().unwrap();
    let studio = Studio::open(home.path(), FakeConnector, Arc::new(Quiet)).unwrap();
    // Before connecting, the bundled table: current generations, profile-only models by their profiles only.
    let bundled: Vec<String> = block_on(studio.model_list()).models.into_iter().map(|m| m.id).collect();
    assert!(bundled.iter().any(|id| id == "us.anthropic.claude-opus-4-6-v1"), "{bundled:?}");
    assert!(!bundled.iter().any(|id| id == "anthropic.claude-opus-4-6-v1"), "{bundled:?}");
    block_on(studio.connect(false, &AccessOptions::default())).unwrap();
    let listed = block_on(studio.model_list());
    let ids: Vec<&str> = listed.models.iter().map(|m| m.id.as_str()).collect();
    // Current first, then legacy; Llama (no batch quota) and the inactive EU profile are left out.
    assert_eq!(
        ids,
        [
            "amazon.nova-lite-v1:0",
            "global.anthropic.claude-sonnet-4-6",
            "us.amazon.nova-lite-v1:0",
            "us.anthropic.claude-sonnet-4-6",
            "anthropic.claude-3-5-haiku-20241022-v1:0"
        ]
    );
    assert!(listed.models.iter().filter(|m| m.id.contains("sonnet")).all(|m| m.profile && m.provider == "Anthropic"));
    assert_eq!(listed.models.last().map(|m| m.lifecycle.as_str()), Some("LEGACY"));
}

#[test]
fn without_the_batch_quotas_every_listed_model_is_offered() {
    let mut account = crate::lifecycle::fakes::fake_account_models();
    let narrowed = crate::ports::batch_offer(&account).len();
    account.batch_model_names = Err("AccessDenied".into());
    let all = crate::ports::batch_offer(&account);
    assert_eq!(all.len(), narrowed + 2, "Llama and its profile come back");
    assert!(!all.iter().any(|m| m.id == "anthropic.claude-sonnet-4-6"), "still never the profile-only model's own id");
}

#[test]
fn the_open_sheet_is_paged_rendered_and_analysed_and_its_absence_is_a_code() {
    let home = tempfile::tempdir().unwrap();
    let studio = Studio::open(&home.path().join("app"), FakeConnector, Arc::new(Quiet)).unwrap();
    let missing = studio.sheet_rows(0, 10).unwrap_err();
    let shown = AppError::from(missing);
    assert_eq!((shown.code, shown.fix.as_deref()), (ErrorCode::NotFound, Some("open one in the Data step")));

    let sheet = home.path().join("reviews.csv");
    std::fs::write(&sheet, "id,Review Text\n1,great\n2,bad\n").unwrap();
    let mut seen = 0;
    let summary = studio.open_sheet(&sheet, None, |rows| seen = rows).unwrap();
    assert_eq!(summary.rows, 2);
    assert_eq!(studio.sheet_rows(1, 10).unwrap(), vec![vec!["2".to_string(), "bad".to_string()]]);
    let rendered = studio.render_row("Rate: {{ row[\"Review Text\"] | upper }}", None, 2).unwrap();
    assert_eq!(rendered.prompt, "Rate: BAD");
    let analysis = studio.analyze_template("{{ Review Txt }}", None).unwrap();
    assert_eq!(analysis.prompt.unknown[0].suggestion.as_deref(), Some("Review Text"));
    let totals = studio.prompt_totals("{{id}}: {{Review Text}}", None).unwrap();
    assert_eq!(totals.rows, 2);

    // The app's own folder is never opened from the window.
    let inside = home.path().join("app").join("copied.csv");
    std::fs::write(&inside, "id\n1\n").unwrap();
    let refused = AppError::from(studio.open_sheet(&inside, None, |_| ()).unwrap_err());
    assert_eq!(refused.code, ErrorCode::InvalidInput, "{}", refused.message);
}

#[test]
fn the_job_plan_follows_the_connections_quotas() {
    let home = tempfile::tempdir().unwrap();
    let limits = batch_core::limits::Limits { max_records_per_job: 1000, ..Default::default() };
    let studio = Studio::open(home.path(), LimitedConnector(limits), Arc::new(Quiet)).unwrap();
    let model = "amazon.nova-lite-v1:0";
    let defaults = block_on(studio.job_plan(model, 2500)).unwrap();
    assert_eq!(
        (defaults.parts, defaults.most_records, defaults.defaults.as_deref()),
        (vec![2500], 100_000, Some("not connected")),
        "not connected: AWS's default quotas, labelled so"
    );
    block_on(studio.connect(true, &AccessOptions::default())).unwrap();
    let plan = block_on(studio.job_plan(model, 2500)).unwrap();
    assert_eq!((plan.parts, plan.most_records, plan.least_records), (vec![834, 833, 833], 1000, 100));
    assert_eq!(plan.defaults, None, "the account's own quotas");
    // The account's quotas are read once a session, however often the plan is asked for.
    assert_eq!(block_on(studio.job_plan(model, 2600)).unwrap().parts, [867, 867, 866]);
    let (connection, _) = block_on(studio.connected()).unwrap();
    assert_eq!(connection.quota_reads.load(std::sync::atomic::Ordering::SeqCst), 1);
    let refused = AppError::from(block_on(studio.job_plan("not a model!", 10)).unwrap_err());
    assert_eq!(refused.code, ErrorCode::InvalidInput);
}

#[test]
fn choices_are_remembered_across_sessions_and_unknown_names_never_stored() {
    let home = tempfile::tempdir().unwrap();
    let studio = Studio::open(home.path(), FakeConnector, Arc::new(Quiet)).unwrap();
    // As the window sends them: the choices' JSON, here with a name the choices do not have.
    let sent = r#"{"maxTokens": 300, "awsSecretAccessKey": "wJalrXUtnFEMI"}"#;
    studio.remember_choices(serde_json::from_str(sent).unwrap()).unwrap();
    studio.remember_window_size(900, 700).unwrap();
    drop(studio);
    let again = Studio::open(home.path(), FakeConnector, Arc::new(Quiet)).unwrap();
    assert_eq!(again.choices().max_tokens, Some(300));
    assert_eq!(again.window_size(), Some((900, 700)));
    let saved = std::fs::read_to_string(home.path().join("settings.json")).unwrap();
    assert!(!saved.contains("wJalrXUtnFEMI"), "{saved}");
}

#[test]
fn each_failure_reaches_the_window_with_its_code_and_a_fix_worded_for_it() {
    let not_connected = AppError::from(StudioError::NotConnected("not connected".into()));
    assert_eq!(not_connected.code, ErrorCode::NotConnected);
    assert_eq!(not_connected.fix.as_deref(), Some("choose an AWS profile or the offline sandbox in the Connect step"));
    let throttled = ServiceError::new(FailureKind::Throttled, "CreateModelInvocationJob", "slow down");
    let shown = AppError::from(StudioError::Lifecycle(LifecycleError::Service(throttled)));
    assert_eq!((shown.code, shown.message.as_str()), (ErrorCode::Throttled, "CreateModelInvocationJob: slow down"));
    let denied = ServiceError::new(FailureKind::AccessDenied, "ListBuckets", "AccessDenied: no");
    assert_eq!(AppError::from(StudioError::Service(denied)).code, ErrorCode::AccessDenied);
    assert_eq!(AppError::from(StudioError::Lifecycle(LifecycleError::Cancelled)).code, ErrorCode::Cancelled);
    let refused = StudioError::Lifecycle(LifecycleError::Refused("run r1 has not ended".into()));
    assert_eq!(AppError::from(refused).code, ErrorCode::Conflict);
    let invalid = AppError::from(StudioError::Invalid("model: not valid".into()));
    assert_eq!((invalid.code, invalid.fix), (ErrorCode::InvalidInput, None));
}

#[test]
fn a_refusal_reaches_the_window_with_its_remedy_worded_in_steps_and_controls_never_flags() {
    let waiting = StudioError::Lifecycle(LifecycleError::Blocked {
        message: "run r1 has not ended".into(),
        remedy: Remedy::WaitForRun { run: "r1".into() },
    });
    let shown = AppError::from(waiting);
    assert_eq!(shown.code, ErrorCode::Conflict);
    assert_eq!(shown.remedy, Some(Remedy::WaitForRun { run: "r1".into() }));
    assert_eq!(shown.fix.as_deref(), Some("wait in the Jobs step until run r1 has ended"));

    let few = batch_core::plan::PlanError::TooFewRecords { rows: 60, min: 100 };
    let shown = AppError::from(StudioError::Prepare(few.into()));
    assert_eq!((shown.code, shown.remedy.clone()), (ErrorCode::InvalidInput, Some(Remedy::SendOnDemand)));
    let fix = shown.fix.unwrap_or_default();
    assert!(fix.contains("On demand") && fix.contains("Submit step"), "{fix}");
    assert!(!shown.message.contains("--") && !fix.contains("--"), "{} / {fix}", shown.message);

    let converse = batch_core::model::ModelError::NoInvokeFormat("acme.model-v1:0".into());
    let shown = AppError::from(StudioError::Prepare(batch_core::records::RecordError::from(converse).into()));
    assert_eq!(shown.fix.as_deref(), Some("choose Invocation: Converse in the Model step"));
}

#[test]
fn comparing_a_run_not_yet_fetched_says_to_fetch_it_and_other_refusals_are_input_errors() {
    use crate::fetched_rows::FetchedRowsError;
    use crate::run_comparison::CompareError;
    let unfetched = CompareError::Rows(FetchedRowsError::NotFetched { run: "run-1".into() });
    let shown = AppError::from(StudioError::from(unfetched));
    assert_eq!(shown.code, ErrorCode::Conflict);
    assert_eq!(shown.remedy, Some(Remedy::FetchRun { run: "run-1".into() }));
    assert_eq!(shown.fix.as_deref(), Some("fetch the results of run run-1 in the Jobs step first"));
    let free = AppError::from(StudioError::from(CompareError::NoFields { run: "run-2".into() }));
    assert_eq!((free.code, free.remedy), (ErrorCode::InvalidInput, None));
    assert!(free.message.contains("free-text answers"), "{}", free.message);
}

#[test]
fn a_notebook_s_output_files_open_from_the_window_joined_to_its_dataframe_and_page_like_a_run() {
    let home = tempfile::tempdir().unwrap();
    let work = tempfile::tempdir().unwrap();
    let studio = Studio::open(home.path(), FakeConnector, Arc::new(Quiet)).unwrap();
    // 30 of a notebook's 40 records answered, in another order; its DataFrame, whose index is the record id.
    let model = batch_core::model::ModelId::parse("amazon.nova-lite-v1:0").unwrap();
    let downloads = work.path().join("downloads");
    std::fs::create_dir_all(&downloads).unwrap();
    let lines: String = (0..30)
        .rev()
        .map(|i| {
            let input =
                serde_json::json!({"messages": [{"role": "user", "content": [{"text": format!("Review {i}")}]}]});
            let output =
                batch_core::sandbox_model::respond(model.family(), batch_core::model::InvocationType::Converse, &input)
                    .unwrap();
            format!("{}\n", serde_json::json!({"recordId": i.to_string(), "modelInput": input, "modelOutput": output}))
        })
        .collect();
    std::fs::write(downloads.join("part.jsonl.out"), lines).unwrap();
    let sheet = work.path().join("reviews.csv");
    std::fs::write(&sheet, format!("review\n{}", (0..40).map(|i| format!("text {i}\n")).collect::<String>())).unwrap();
    let text = |path: &std::path::Path| Some(path.to_string_lossy().into_owned());
    let form = OpenJobForm {
        outputs: text(&downloads),
        sheet: text(&sheet),
        row_number_from: Some(0),
        model: Some(model.as_str().into()),
        ..OpenJobForm::default()
    };
    let run = block_on(studio.open_job(form.clone())).unwrap();
    assert!(run.opened && run.has_results, "{run:?}");
    let overview = studio.results_overview(&run.id).unwrap();
    assert_eq!((overview.counts.succeeded, overview.counts.missing), (30, 10));
    assert_eq!(overview.columns[..3], ["review", "record_id", "status"]);
    let page = studio.results_page(&run.id, &crate::results_table::RowFilter::default(), 38, 5).unwrap();
    assert_eq!(page.matching, 40);
    assert_eq!(page.rows[0].1[..3], ["text 38", "38", "missing"]);
    // The row detail's "Prompt sent" is what the record asked, read from the lines that were sent.
    assert_eq!(studio.row_prompt(&run.id, 6).unwrap().prompt, "Review 5");
    assert!(studio.row_prompt(&run.id, 39).unwrap_err().to_string().contains("no record"), "row 39 was never sent");

    // A sheet without a way to its record ids, a folder in the app's own data and no connection are refused.
    let unsaid = OpenJobForm { row_number_from: None, ..form.clone() };
    assert!(block_on(studio.open_job(unsaid)).unwrap_err().to_string().contains("say where each row's record id is"));
    let inside = OpenJobForm { outputs: text(home.path()), sheet: None, ..form };
    assert!(block_on(studio.open_job(inside)).unwrap_err().to_string().contains("the app's own data"));
    let listed = block_on(studio.account_jobs(&AccountJobFilter::default()));
    assert!(matches!(listed, Err(StudioError::NotConnected(_))), "{listed:?}");
}

#[test]
fn the_diagnostics_say_the_build_the_connection_the_folders_and_the_recent_problems_but_not_who_called() {
    let home = tempfile::tempdir().unwrap();
    let studio = Studio::open(home.path(), FakeConnector, Arc::new(Quiet)).unwrap();
    let logs = LogFacts {
        file: Some("/logs/studio.2026-12-03.log".into()),
        recent_problems: vec!["2026-12-03T10:00:00Z WARN bedrock_batch_studio: no sheet open".into()],
    };
    let before = block_on(studio.diagnostics(&LogFacts::default()));
    assert!(before.contains("Connection: not connected"), "{before}");
    assert!(before.contains("Log file: none") && before.contains("Recent problems: none"), "{before}");

    let info = block_on(studio.connect(false, &AccessOptions::default())).unwrap();
    let text = block_on(studio.diagnostics(&logs));
    let version = format!("Bedrock Batch Studio {} (MIT OR Apache-2.0)", env!("CARGO_PKG_VERSION"));
    assert!(text.starts_with(&version), "{text}");
    assert!(text.contains(&format!("Connection: offline sandbox (region {})", info.region)), "{text}");
    assert!(text.contains(&format!("Data folder: {}", home.path().display())), "{text}");
    assert!(text.contains("Log file: /logs/studio.2026-12-03.log"), "{text}");
    assert!(text.contains("Recent problems (oldest first):\n  2026-12-03T10:00:00Z WARN"), "{text}");
    assert!(text.contains(&format!("System: {}", std::env::consts::OS)), "{text}");
    assert!(!text.contains(&info.caller) && !text.contains(&info.account), "who called stays out: {text}");
}
