//! The desktop session without a window, in the offline sandbox: submit from a sheet with a row selection,
//! follow the run in the background, fetch and index its results when it ends, page and export them, retry
//! the missing rows, survive a restart, and check access over pasted documents.

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use batch_app::lifecycle::Event;
use batch_app::ports::AccessOptions;
use batch_app::results_table::{FieldValue, RowFilter};
use batch_app::row_selection::{FilterOp, RowSelection};
use batch_app::session::{AccessDocuments, AccessForm, RunOutcome, Studio, StudioEvents, SubmitForm, TestRowForm};
use batch_app::sheet_pages::SheetTable;
use batch_connect::Backends;
use batch_core::answer::AnswerShape;
use batch_core::iam::{CheckStatus, Verdict};
use batch_core::model::ModelId;
use batch_core::prepare::Revision;
use batch_core::results::Status;
use batch_core::service_tier::Tier;
use batch_core::sheet::SheetOptions;

#[derive(Default)]
struct Recorded {
    events: Mutex<Vec<(String, Event)>>,
    bytes: Mutex<u64>,
    ended: Mutex<Vec<RunOutcome>>,
}

impl StudioEvents for Recorded {
    fn run_event(&self, run: &str, event: &Event) {
        self.events.lock().unwrap().push((run.to_string(), event.clone()));
    }
    fn run_bytes(&self, _run: &str, bytes: u64) {
        *self.bytes.lock().unwrap() += bytes;
    }
    fn run_ended(&self, _run: &str, outcome: &RunOutcome) {
        self.ended.lock().unwrap().push(outcome.clone());
    }
}

impl Recorded {
    async fn wait_for_end(&self, count: usize) -> RunOutcome {
        for _ in 0..600 {
            if let Some(outcome) = self.ended.lock().unwrap().get(count - 1) {
                return outcome.clone();
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        panic!("no run ended within 30 s");
    }
}

/// A sheet of `rows` rows: id, a region (every 4th EU), a text.
fn sheet(dir: &Path, rows: usize) -> PathBuf {
    let path = dir.join("tickets.csv");
    let mut text = String::from("id,region,text\n");
    for i in 1..=rows {
        let region = if i % 4 == 0 { "EU" } else { "US" };
        text.push_str(&format!("{i},{region},\"ticket {i}: the app, it crashes\"\n"));
    }
    std::fs::write(&path, text).unwrap();
    path
}

fn form(sheet: PathBuf, selection: RowSelection, tags: Vec<(String, String)>) -> SubmitForm {
    SubmitForm {
        sheet,
        worksheet: None,
        selection,
        template: "Classify: {{text}} ({{region}})".into(),
        system: Some("Answer with one word.".into()),
        model: "us.anthropic.claude-haiku-4-5-20251001-v1:0".into(),
        invocation: None,
        max_tokens: 50,
        temperature: Some(0.0),
        top_p: None,
        role_arn: None,
        input_uri: None,
        output_uri: None,
        job_name: Some("tickets-eu".into()),
        timeout_hours: 24,
        tags,
        send: Tier::Batch,
        max_cost: None,
        deadline: None,
        max_queue: None,
        fallback_budget: None,
        local_offset_minutes: 0,
        answer: AnswerShape::FreeText,
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_run_goes_from_sheet_to_indexed_results_and_an_export() {
    let dir = tempfile::tempdir().unwrap();
    let input = sheet(dir.path(), 600);
    let events = Arc::new(Recorded::default());
    let studio = Studio::open(&dir.path().join("home"), Backends::default(), events.clone()).unwrap();
    let error = studio.submit(form(input.clone(), RowSelection::All, vec![])).await.err().unwrap();
    assert!(error.to_string().contains("not connected"), "{error}");

    let info = studio.connect(true, &AccessOptions::default()).await.unwrap();
    assert!(info.sandbox);
    let eu = RowSelection::Filter { column: "region".into(), op: FilterOp::Equals, value: "EU".into() };
    let row = studio.submit(form(input.clone(), eu, vec![])).await.unwrap();
    assert_eq!((row.total, row.sandbox, row.job_name.as_str()), (150, true, "tickets-eu"));

    let outcome = events.wait_for_end(1).await;
    assert_eq!(outcome.error, None);
    assert_eq!((outcome.run.as_str(), outcome.job_name.as_str()), (row.id.as_str(), "tickets-eu"));
    assert!(!outcome.stopped);
    assert_eq!(
        (outcome.title().as_str(), outcome.body().as_str()),
        ("tickets-eu ended", "150 succeeded, 0 failed, 0 missing")
    );
    let counts = outcome.counts.unwrap();
    assert_eq!((counts.succeeded, counts.failed, counts.missing), (150, 0, 0));
    assert!(*events.bytes.lock().unwrap() > 0, "upload progress was reported");
    {
        let seen = events.events.lock().unwrap();
        assert!(seen.iter().any(|(run, e)| run == &row.id && matches!(e, Event::JobCreated { .. })));
        assert!(
            seen.iter().any(|(_, e)| matches!(e, Event::JobStatus { status, .. } if status.as_str() == "Completed"))
        );
    }

    let listed = studio.runs().unwrap();
    assert_eq!(listed.len(), 1);
    assert_eq!((listed[0].processed, listed[0].has_results, listed[0].active), (150, true, false));
    assert_eq!(listed[0].statuses, ["Completed"]);

    let overview = studio.results_overview(&row.id).unwrap();
    assert_eq!(&overview.columns[..4], ["id", "region", "text", "record_id"]);
    assert!(overview.summary.as_ref().expect("a summary after the fetch").tokens.output_from_outputs > 0);
    assert!(!overview.output_tokens.is_empty());
    let page = studio.results_page(&row.id, &RowFilter::default(), 0, 5).unwrap();
    assert_eq!(page.matching, 150);
    assert_eq!(page.rows[0].1[..2], ["4".to_string(), "EU".into()], "the first EU row of the sheet");
    let found = studio
        .results_page(&row.id, &RowFilter { status: None, search: Some("ticket 400:".into()), field: None }, 0, 5)
        .unwrap();
    assert_eq!(found.rows.iter().map(|r| r.1[0].as_str()).collect::<Vec<_>>(), ["400"]);
    // The prompt sent for a row of the results, rendered from the run's templates on that row.
    let sent = studio.row_prompt(&row.id, 1).unwrap();
    assert_eq!(sent.prompt, "Classify: ticket 4: the app, it crashes (EU)");
    assert_eq!(sent.system.as_deref(), Some("Answer with one word."));
    let beyond = studio.row_prompt(&row.id, 151).unwrap_err().to_string();
    assert!(beyond.contains("between 1 and 150"), "{beyond}");

    let export = dir.path().join("export.csv");
    let said = studio.export(&row.id, export.clone(), true).await.unwrap();
    assert!(said.starts_with("150 rows written"), "{said}");
    let text = std::fs::read_to_string(&export).unwrap();
    assert_eq!(text.lines().count(), 151);
    assert!(text.lines().next().unwrap().starts_with("id,region,text,record_id,status,output"));

    // A new session over the same folder (the app restarted) still knows the run and its results — and
    // rebuilds the results table from the downloaded outputs when it is gone (a run fetched by the CLI).
    drop(studio);
    let table = dir.path().join("home/runs/tickets-eu/results/results.db");
    std::fs::remove_file(&table).unwrap();
    let again = Studio::open(&dir.path().join("home"), Backends::default(), events.clone()).unwrap();
    assert_eq!(again.runs().unwrap()[0].id, row.id);
    assert!(again.runs().unwrap()[0].has_results);
    let last = again.results_page(&row.id, &RowFilter::default(), 149, 5).unwrap();
    assert_eq!((last.matching, last.rows[0].1[0].as_str()), (150, "600"));
    assert!(table.is_file(), "rebuilt");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn missing_rows_are_retried_and_merged() {
    let dir = tempfile::tempdir().unwrap();
    let input = sheet(dir.path(), 400);
    let events = Arc::new(Recorded::default());
    let studio = Studio::open(&dir.path().join("home"), Backends::default(), events.clone()).unwrap();
    studio.connect(true, &AccessOptions::default()).await.unwrap();
    // Above the spend cap nothing is recorded: the refusal gives the numbers and the window's fix.
    let capped = SubmitForm { max_cost: Some(0.000_001), ..form(input.clone(), RowSelection::All, vec![]) };
    let refused = batch_app::error::AppError::from(studio.submit(capped).await.err().unwrap());
    assert!(refused.message.contains("more than the spend cap of $0.0000"), "{}", refused.message);
    assert_eq!(refused.fix.as_deref(), Some("change Spend cap (Submit step)"));
    assert!(studio.runs().unwrap().is_empty(), "nothing was recorded");
    // The sandbox's fault tag: only half of each file is processed (PartiallyCompleted).
    let partial = vec![("emulator-fault".to_string(), "partial".to_string())];
    let mut first = form(input, RowSelection::First { count: 400 }, partial);
    first.job_name = Some("tickets-partial".into());
    let row = studio.submit(first).await.unwrap();
    let counts = events.wait_for_end(1).await.counts.unwrap();
    assert_eq!((counts.succeeded, counts.missing), (200, 200));
    let first_folder = dir.path().join("home/runs/tickets-partial");
    assert!(first_folder.join("prepared/plan.json").is_file());
    let missing =
        studio.results_page(&row.id, &RowFilter { status: Some(Status::Missing), search: None, field: None }, 0, 1000);
    assert_eq!(missing.unwrap().matching, 200);

    // Two retries asked at once (a double click, or the CLI and the app): one is submitted, the other refused.
    let ask = || {
        let (studio, run) = (studio.clone(), row.id.clone());
        tokio::spawn(async move { studio.retry(&run, Tier::Batch, None, Revision::default()).await })
    };
    let (one, other) = (ask(), ask());
    let (one, other) = (one.await.unwrap(), other.await.unwrap());
    let (retry, refused) = match (one, other) {
        (Ok(retry), Err(refused)) | (Err(refused), Ok(retry)) => (retry, refused),
        (one, other) => {
            panic!("exactly one retry must be submitted: {:?} and {:?}", one.map(|r| r.id), other.map(|r| r.id))
        }
    };
    assert!(refused.to_string().contains("has not ended"), "{refused}");
    assert_eq!((retry.retry_of.as_deref(), retry.total), (Some(row.id.as_str()), 200));
    let merged = events.wait_for_end(2).await;
    assert_eq!(merged.run, row.id, "the retry's results are merged into the original's");
    let counts = merged.counts.unwrap();
    assert_eq!((counts.succeeded, counts.missing), (300, 100), "the retry was partial too (same tags)");
    assert_eq!(counts.succeeded + counts.failed + counts.missing, 400, "every row is accounted for");

    let error = studio.stop(&row.id).await.unwrap();
    assert_eq!(error.id, row.id, "stopping an ended run changes nothing");

    // A new run given the same job name gets a folder of its own: the first run's files stay as they were.
    let plan_before = std::fs::read(first_folder.join("prepared/plan.json")).unwrap();
    let mut again = form(sheet(dir.path(), 120), RowSelection::All, vec![]);
    again.job_name = Some("tickets-partial".into());
    studio.submit(again).await.unwrap();
    events.wait_for_end(3).await;
    assert!(dir.path().join("home/runs/tickets-partial-2/prepared/plan.json").is_file());
    assert_eq!(std::fs::read(first_folder.join("prepared/plan.json")).unwrap(), plan_before);
    let merged_again = studio.results_overview(&row.id).unwrap().counts;
    assert_eq!((merged_again.succeeded, merged_again.missing), (300, 100), "the first run's results are intact");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn rows_chosen_by_a_filter_are_retried_and_each_keeps_its_attempts() {
    let dir = tempfile::tempdir().unwrap();
    let input = sheet(dir.path(), 400);
    let events = Arc::new(Recorded::default());
    let studio = Studio::open(&dir.path().join("home"), Backends::default(), events.clone()).unwrap();
    studio.connect(true, &AccessOptions::default()).await.unwrap();
    let partial = vec![("emulator-fault".to_string(), "partial".to_string())];
    let row = studio.submit(form(input, RowSelection::First { count: 400 }, partial)).await.unwrap();
    let counts = events.wait_for_end(1).await.counts.unwrap();
    assert_eq!((counts.succeeded, counts.missing), (200, 200));

    // Not the rows that fell short: the ones the table shows for a filter (here, every succeeded row).
    let succeeded = RowFilter { status: Some(Status::Succeeded), search: None, field: None };
    assert_eq!(studio.matching_record_ids(&row.id, &succeeded).unwrap().len(), 200);
    let retry = studio.retry(&row.id, Tier::Batch, Some(succeeded), Revision::default()).await.unwrap();
    assert_eq!(retry.total, 200, "exactly the rows the filter showed");
    let merged = events.wait_for_end(2).await;
    let counts = merged.counts.unwrap();
    assert_eq!((counts.succeeded, counts.missing), (200, 200), "answered again, none lost, none gained");

    // The rows the retry answered again have two attempts, the newest (the retry's) chosen and first.
    let mut retried = 0;
    for number in 1..=400 {
        let attempts = studio.row_attempts(&row.id, number).unwrap();
        if attempts.is_empty() {
            continue;
        }
        retried += 1;
        let runs: Vec<Option<&str>> = attempts.iter().map(|a| a.run.as_deref()).collect();
        assert_eq!(runs, [Some(retry.id.as_str()), Some(row.id.as_str())], "row {number}");
        assert!(attempts.iter().all(|a| a.model_id.is_some() && a.attempt.status == Status::Succeeded));
    }
    assert_eq!(retried, 100, "the retry was partial too: half of its 200 rows were answered");
    let nothing = RowFilter { status: None, search: Some("no such text".into()), field: None };
    let nothing = studio.retry(&row.id, Tier::Batch, Some(nothing), Revision::default());
    assert!(nothing.await.unwrap_err().to_string().contains("no row matches"));

    // The answered rows again, rendered anew for another model with more tokens and another template.
    let answered = RowFilter { status: Some(Status::Succeeded), search: None, field: None };
    let revision = Revision {
        model: Some(ModelId::parse("us.amazon.nova-pro-v1:0").unwrap()),
        max_tokens: Some(120),
        template: Some("Sort this ticket: {{text}} — region {{region}}, id {{id}}".into()),
    };
    let revised = studio.retry(&row.id, Tier::Batch, Some(answered), revision).await.unwrap();
    assert_eq!((revised.model_id.as_str(), revised.total), ("us.amazon.nova-pro-v1:0", 200));
    let counts = events.wait_for_end(3).await.counts.unwrap();
    assert_eq!((counts.succeeded, counts.missing), (200, 200), "merged into the same rows");
    // The chain's second retry, prepared beside the run's own parts.
    let plan = dir.path().join("home/runs/tickets-eu/prepared/retries/retry-2/plan.json");
    let plan: serde_json::Value = serde_json::from_slice(&std::fs::read(plan).unwrap()).unwrap();
    assert_eq!(plan["model"]["params"]["max_tokens"], 120);
    assert!(plan["templates"]["prompt"].as_str().unwrap().starts_with("Sort this ticket"));
    let mut answered_anew = 0;
    for number in 1..=400 {
        let attempts = studio.row_attempts(&row.id, number).unwrap();
        let Some(newest) = attempts.first() else { continue };
        if newest.run.as_deref() == Some(revised.id.as_str()) {
            answered_anew += 1;
            assert_eq!(newest.model_id.as_deref(), Some("us.amazon.nova-pro-v1:0"), "row {number}");
            assert_eq!(newest.attempt.status, Status::Succeeded);
            assert_eq!(attempts.len(), 3, "row {number}: the original, the first retry and this one");
            // The prompt shown is the one that got the chosen answer: the changed template's.
            let sent = studio.row_prompt(&row.id, number).unwrap();
            assert!(sent.prompt.starts_with("Sort this ticket: ticket"), "row {number}: {}", sent.prompt);
        } else if attempts.is_empty() {
            assert!(studio.row_prompt(&row.id, number).unwrap().prompt.starts_with("Classify: ticket"));
        }
    }
    assert_eq!(answered_anew, 100);
    // Its cost is priced at the run's own model: the summary says so.
    let warnings = studio.results_overview(&row.id).unwrap().summary.unwrap().warnings;
    assert!(warnings.iter().any(|w| w.contains("retried with us.amazon.nova-pro-v1:0")), "{warnings:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_same_rows_go_to_two_models_as_a_run_each_and_compare() {
    let dir = tempfile::tempdir().unwrap();
    let input = sheet(dir.path(), 300);
    let events = Arc::new(Recorded::default());
    let studio = Studio::open(&dir.path().join("home"), Backends::default(), events.clone()).unwrap();
    studio.connect(true, &AccessOptions::default()).await.unwrap();
    let labels = AnswerShape::Classify { labels: vec!["bug".into(), "question".into()], multi: false, other: true };
    let mut sample = form(input, RowSelection::First { count: 200 }, vec![]);
    sample.job_name = Some("tickets".into());
    let models = vec!["us.anthropic.claude-haiku-4-5-20251001-v1:0".to_string(), "us.amazon.nova-pro-v1:0".into()];

    // Free-text answers cannot be compared, and one model is no comparison: refused before any row is read.
    let free = studio.submit_to_models(sample.clone(), models.clone()).await.unwrap_err();
    assert!(free.to_string().contains("define labels or fields"), "{free}");
    sample.answer = labels;
    let one = studio.submit_to_models(sample.clone(), vec![models[0].clone(), models[0].clone()]).await.unwrap_err();
    assert!(one.to_string().contains("two or more different models"), "{one}");
    assert!(studio.runs().unwrap().is_empty(), "nothing was sent");

    let runs = studio.submit_to_models(sample, models.clone()).await.unwrap();
    let names: Vec<(&str, &str, u64)> =
        runs.iter().map(|r| (r.job_name.as_str(), r.model_id.as_str(), r.total)).collect();
    assert_eq!(
        names,
        [
            ("tickets-claude-haiku-4-5-20251001-v1-0", models[0].as_str(), 200),
            ("tickets-nova-pro-v1-0", models[1].as_str(), 200)
        ]
    );
    events.wait_for_end(2).await;
    let ids: Vec<String> = runs.iter().map(|r| r.id.clone()).collect();
    let compared = studio.compare_runs(&ids, None).unwrap();
    let totals: Vec<(&str, u64)> = compared.totals.iter().map(|t| (t.model_id.as_str(), t.rows)).collect();
    assert_eq!(totals, [(models[0].as_str(), 200), (models[1].as_str(), 200)]);
    assert!(compared.warnings.is_empty(), "the same rows: {:?}", compared.warnings);
    let label = &compared.comparison.fields[0];
    assert_eq!(label.compared, 200, "every row answered by both");
    assert!(label.agreed <= label.compared && !label.confusion.is_empty());

    // The label is a filter of the results table: its rows are exactly those whose label cell says so.
    let all = studio.results_page(&ids[1], &RowFilter::default(), 0, 1000).unwrap();
    let overview = studio.results_overview(&ids[1]).unwrap();
    let at = overview.columns.iter().position(|c| c == "label").unwrap();
    let bugs = all.rows.iter().filter(|(_, cells)| cells[at] == "bug").count() as u64;
    let field = Some(FieldValue { name: "label".into(), value: "bug".into() });
    let filtered = studio.results_page(&ids[1], &RowFilter { field, ..RowFilter::default() }, 0, 1000).unwrap();
    assert_eq!(filtered.matching, bugs);
    assert!(bugs > 0 && filtered.rows.iter().all(|(_, cells)| cells[at] == "bug"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn access_is_checked_over_pasted_documents_in_the_sandbox() {
    let dir = tempfile::tempdir().unwrap();
    let studio = Studio::open(&dir.path().join("home"), Backends::default(), Arc::new(Recorded::default())).unwrap();
    studio.connect(true, &AccessOptions::default()).await.unwrap();
    let mut form = AccessForm {
        role_arn: None,
        input_uri: None,
        output_uri: None,
        model: "us.anthropic.claude-haiku-4-5-20251001-v1:0".into(),
        documents: None,
    };
    let error = studio.check_access(&form).await.err().unwrap();
    assert!(error.to_string().contains("paste the role's trust"), "{error}");

    // The generated fixes pass.
    form.documents = Some(AccessDocuments::default());
    let error = studio.check_access(&form).await.err().unwrap();
    assert!(error.to_string().contains("trust policy"), "{error}");
    let fixes = {
        form.documents = Some(AccessDocuments { trust: "{\"Statement\": []}".into(), ..Default::default() });
        studio.check_access(&form).await.unwrap().fixes
    };
    // The profile's destination models come from the emulator's GetInferenceProfile, into the checks and fixes.
    for region in ["us-east-1", "us-east-2", "us-west-2"] {
        let arn = format!("arn:aws:bedrock:{region}::foundation-model/anthropic.claude-haiku-4-5-20251001-v1:0");
        assert!(fixes.caller.contains(&arn), "{arn} in {}", fixes.caller);
    }
    assert!(fixes.caller.contains("bedrock:InvokeModel"), "{}", fixes.caller);
    form.documents = Some(fixes.clone());
    let view = studio.check_access(&form).await.unwrap();
    assert!(view.offline);
    assert!(!view.notes.iter().any(|n| n.contains("bundled model table")), "{:?}", view.notes);
    assert_eq!(view.report.verdict, Verdict::Pass, "{:#?}", view.report);

    // A trust policy that names the account root instead of the Bedrock service fails, with the fix.
    let broken = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::000000000000:root"},"Action":"sts:AssumeRole"}]}"#;
    form.documents = Some(AccessDocuments { trust: broken.into(), ..fixes });
    let view = studio.check_access(&form).await.unwrap();
    assert_eq!(view.report.verdict, Verdict::Fail);
    let trust = view.report.checks.iter().find(|c| c.id == "trust.bedrock_principal").unwrap();
    assert_eq!(trust.status, CheckStatus::Fail);
    assert!(trust.fix.as_deref().unwrap().contains("bedrock.amazonaws.com"));

    form.documents = Some(AccessDocuments { trust: "{not json".into(), ..Default::default() });
    let error = studio.check_access(&form).await.err().unwrap();
    assert!(error.to_string().contains("trust policy"), "{error}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn models_are_listed_and_one_row_is_tested_through_converse() {
    let dir = tempfile::tempdir().unwrap();
    let input = sheet(dir.path(), 10);
    let studio = Studio::open(&dir.path().join("home"), Backends::default(), Arc::new(Recorded::default())).unwrap();
    studio.connect(true, &AccessOptions::default()).await.unwrap();

    // Through the real SDK: ListFoundationModels and ListInferenceProfiles, served by the emulator.
    let listed = studio.model_list().await;
    assert_eq!(listed.note, None, "the sandbox's list is the account's: {:?}", listed.note);
    let models = listed.models;
    let lite = models.iter().find(|m| m.id == "amazon.nova-lite-v1:0").expect("a model run in the Region");
    assert!(!lite.profile && lite.batch_priced && lite.provider == "Amazon" && lite.name == "Nova Lite");
    let legacy = models.iter().find(|m| m.id.ends_with("anthropic.claude-sonnet-4-20250514-v1:0")).expect("legacy");
    assert_eq!(legacy.lifecycle, "LEGACY", "the emulator says what the lifecycle table says");
    let profile = models.iter().find(|m| m.id.starts_with("us.anthropic.claude-haiku-4-5")).expect("a profile");
    assert!(profile.profile && profile.lifecycle == "ACTIVE");
    // A profile-only model is offered through its profiles only; a model past its end of life not at all.
    assert!(models.iter().any(|m| m.id == "us.anthropic.claude-sonnet-4-6"));
    assert!(!models.iter().any(|m| m.id == "anthropic.claude-sonnet-4-6" || m.id.contains("claude-3-haiku")));
    // A model past its end of life is refused before anything is prepared, with the model as the remedy.
    let ended = SubmitForm {
        model: "anthropic.claude-3-haiku-20240307-v1:0".into(),
        ..form(input.clone(), RowSelection::All, vec![])
    };
    let refused = batch_app::error::AppError::from(studio.submit(ended).await.unwrap_err());
    assert!(refused.message.contains("end of life on 2026-09-10"), "{}", refused.message);
    assert_eq!(refused.remedy, Some(batch_core::remedy::Remedy::change(batch_core::remedy::Setting::Model)));
    assert_eq!(refused.fix.as_deref(), Some("change the model (Model step)"));

    let (_, table) = SheetTable::build(&input, &SheetOptions::default(), &dir.path().join("sheet.db")).unwrap();
    let mut test = TestRowForm {
        row: 8,
        template: "Classify: {{text}}".into(),
        system: Some("One word.".into()),
        model: profile.id.clone(),
        max_tokens: 20,
        temperature: Some(0.0),
        top_p: None,
    };
    let view = studio.test_row(&test, test.render(&table).unwrap()).await.unwrap();
    assert_eq!(view.prompt, "Classify: ticket 8: the app, it crashes");
    assert_eq!(view.system.as_deref(), Some("One word."));
    assert!(view.sandbox);
    assert!(view.answer.answer.contains("sandbox answer"), "{:?}", view.answer);
    assert!(view.answer.input_tokens > 0 && view.answer.output_tokens > 0);
    assert_eq!(view.answer.stop_reason, "end_turn");
    assert!(view.answer.on_demand_usd.is_some_and(|usd| usd > 0.0));

    test.row = 99;
    let error = test.render(&table).unwrap_err();
    assert!(error.to_string().contains("99"), "{error}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn s3_is_browsed_and_a_running_job_is_stopped() {
    let dir = tempfile::tempdir().unwrap();
    let input = sheet(dir.path(), 300);
    let events = Arc::new(Recorded::default());
    let studio = Studio::open(&dir.path().join("home"), Backends::default(), events.clone()).unwrap();
    studio.connect(true, &AccessOptions::default()).await.unwrap();
    // A job held in progress (the sandbox's fault tag), stopped while it runs.
    let held = vec![("emulator-fault".to_string(), "hold".to_string())];
    let mut held_form = form(input, RowSelection::All, held);
    held_form.job_name = Some("tickets-slow".into());
    let row = studio.submit(held_form).await.unwrap();
    let mut stopped = None;
    for _ in 0..6000 {
        let listed = &studio.runs().unwrap()[0];
        // Stopped once it runs (validated, so the stop keeps the records it processed).
        if listed.statuses.iter().any(|s| s == "InProgress") {
            stopped = Some(studio.stop(&row.id).await.unwrap());
            break;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    let stopped = stopped.expect("the job reached InProgress");
    assert!(stopped.stopped, "the run says it was stopped: {stopped:?}");
    let outcome = events.wait_for_end(1).await;
    assert!(outcome.stopped && outcome.title() == "tickets-slow stopped", "{outcome:?}");
    let counts = outcome.counts.expect("a stopped run is fetched too");
    assert_eq!(counts.succeeded + counts.failed + counts.missing, 300, "every row is accounted for");
    assert_eq!(counts.missing, 150, "the stopped job processed the first half of its records: {counts:?}");
    let statuses = &studio.runs().unwrap()[0].statuses;
    assert!(statuses.iter().all(|s| s == "Stopped"), "{statuses:?}");

    // The buckets, then one level at a time; the part uploaded for the run is there.
    let top = studio.browse_s3("").await.unwrap();
    let names: Vec<&str> = top.entries.iter().map(|e| e.name.as_str()).collect();
    assert_eq!(names, ["sandbox-input", "sandbox-output"]);
    let batch = studio.browse_s3("s3://sandbox-input/batch").await.unwrap();
    assert_eq!(batch.location, "s3://sandbox-input/batch/");
    assert_eq!(batch.parent.as_deref(), Some("s3://sandbox-input/"));
    let run_folder = batch.entries.iter().find(|e| e.name == row.id).expect("the run's folder");
    assert!(run_folder.folder);
    let parts = studio.browse_s3(&run_folder.uri).await.unwrap();
    let part = parts.entries.iter().find(|e| !e.folder).expect("the uploaded part");
    assert!(part.name.ends_with(".jsonl") && part.size.is_some_and(|s| s > 0), "{part:?}");
    let error = studio.browse_s3("s3://no-such-bucket/").await.err().unwrap();
    assert!(error.to_string().contains("no-such-bucket") || error.to_string().contains("NoSuchBucket"), "{error}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_run_left_running_when_the_app_quit_is_taken_up_at_the_next_launch() {
    let dir = tempfile::tempdir().unwrap();
    let home = dir.path().join("home");
    let input = sheet(dir.path(), 120);
    // The first session submits a run whose job is held in progress, then the app quits.
    {
        let events = Arc::new(Recorded::default());
        let studio = Studio::open(&home, Backends::default(), events.clone()).unwrap();
        studio.connect(true, &AccessOptions::default()).await.unwrap();
        let held = vec![("emulator-fault".to_string(), "hold".to_string())];
        let row = studio.submit(form(input.clone(), RowSelection::All, held)).await.unwrap();
        let mut running = false;
        for _ in 0..6000 {
            if studio.runs().unwrap()[0].statuses.iter().any(|s| s == "InProgress") {
                running = true;
                break;
            }
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
        assert!(running, "the job reached InProgress");
        assert!(events.ended.lock().unwrap().is_empty(), "{:?}", row.id);
        // Quitting: this process stops following the run (its tasks would otherwise outlive the session here).
        studio.stop_background(Duration::from_secs(10)).await;
    }
    // The next launch connects (the sandbox), which takes the unfinished run up again; the job is let go.
    let events = Arc::new(Recorded::default());
    let studio = Studio::open(&home, Backends::default(), events.clone()).unwrap();
    studio.connect(true, &AccessOptions::default()).await.unwrap();
    let run = studio.runs().unwrap().remove(0);
    assert!(run.active, "followed again after the restart: {run:?}");
    let jobs = bedrock_emulator::FileRegistry::open(
        bedrock_emulator::RegistryConfig::default(),
        &home.join("sandbox").join("bedrock-jobs.json"),
    )
    .unwrap();
    assert_eq!(jobs.with(|r| r.release(None)).unwrap().unwrap(), 1);
    let outcome = events.wait_for_end(1).await;
    assert_eq!((outcome.run.as_str(), outcome.error.as_deref()), (run.id.as_str(), None));
    let counts = outcome.counts.unwrap();
    assert_eq!((counts.succeeded, counts.failed, counts.missing), (120, 0, 0), "fetched and indexed");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_run_past_its_deadline_is_stopped_and_finished_on_demand_within_the_approved_budget() {
    let dir = tempfile::tempdir().unwrap();
    let input = sheet(dir.path(), 150);
    let events = Arc::new(Recorded::default());
    let studio = Studio::open(&dir.path().join("home"), Backends::default(), events.clone()).unwrap();
    studio.connect(true, &AccessOptions::default()).await.unwrap();
    // A deadline the window cannot read is refused before anything is prepared.
    let unreadable = SubmitForm { deadline: Some("teatime".into()), ..form(input.clone(), RowSelection::All, vec![]) };
    let refused = batch_app::error::AppError::from(studio.submit(unreadable).await.unwrap_err());
    assert!(refused.message.contains("not a deadline"), "{}", refused.message);
    // The sandbox holds the job in progress: it cannot end by its deadline, three seconds away.
    let held = vec![("emulator-fault".to_string(), "hold".to_string())];
    let late = SubmitForm {
        deadline: Some("+0.05m".into()),
        fallback_budget: Some(5.0),
        ..form(input, RowSelection::All, held)
    };
    let row = studio.submit(late).await.unwrap();
    let ended = events.wait_for_end(1).await;
    assert_eq!(ended.run, row.id);
    let counts = ended.counts.expect("fetched");
    assert_eq!((counts.succeeded, counts.failed, counts.missing), (150, 0, 0), "every row answered by the end");
    let notice = ended.notice.unwrap_or_default();
    assert!(notice.contains("deadline") && notice.contains("answered on demand"), "{notice}");
    assert!(events.events.lock().unwrap().iter().any(|(_, e)| matches!(e, Event::DeadlineReached { .. })));
    let overview = studio.results_overview(&row.id).unwrap();
    let tiers: Vec<Tier> = overview.summary.unwrap().tiers.iter().map(|t| t.tier).collect();
    assert!(tiers.contains(&Tier::OnDemand), "{tiers:?}");
}
