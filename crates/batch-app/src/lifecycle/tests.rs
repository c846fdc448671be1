//! Use-case tests of the lifecycle against the in-memory fakes of the ports: what a repeated submit, a
//! chain of retries and a resume with a broken run do, with no server and no clock.

use std::path::Path;
use std::sync::Mutex;
use std::sync::atomic::AtomicBool;
use std::time::Duration;

use batch_core::aws_names::{JobName, RoleArn, S3Uri};
use batch_core::pricing::PriceTable;
use batch_core::progress::NoProgress;
use batch_core::remedy::{HasRemedy, Remedy};
use batch_core::service_tier::Tier;

use super::fakes::{FakeCloud, Outcome, prepared};
use super::*;
use crate::history::{History, JobSettings, Recorded, RunState};

/// Polls and retries without waiting.
pub(super) const NO_WAIT: Pacing = Pacing {
    poll_initial: Duration::from_millis(1),
    poll_max: Duration::from_millis(1),
    retry_base: Duration::from_millis(1),
    retry_max: Duration::from_millis(1),
    create_attempts: 3,
};

fn submit_request(prepared: &Path) -> SubmitRequest {
    SubmitRequest {
        prepared_dir: prepared.to_path_buf(),
        role_arn: RoleArn::parse("arn:aws:iam::123456789012:role/BedrockBatchRole").unwrap(),
        input_uri: S3Uri::parse("s3://in-bucket/batch").unwrap(),
        output_uri: S3Uri::parse("s3://out-bucket/results").unwrap(),
        job_name: JobName::parse("reviews").unwrap(),
        settings: JobSettings::default(),
        sandbox: false,
        retry_of: None,
        new_run: false,
    }
}

/// A history and a fake cloud in a temporary folder (also the opened-job tests').
pub(super) struct World {
    pub(super) dir: tempfile::TempDir,
    pub(super) history: Mutex<History>,
    pub(super) cloud: FakeCloud,
    cancel: AtomicBool,
}

impl World {
    pub(super) fn new(outcome: Outcome) -> Self {
        let dir = tempfile::tempdir().unwrap();
        let history = Mutex::new(History::open(&dir.path().join("history.sqlite")).unwrap());
        Self { dir, history, cloud: FakeCloud::new(outcome), cancel: AtomicBool::new(false) }
    }

    pub(super) fn lifecycle(&self) -> Lifecycle<'_, FakeCloud, FakeCloud> {
        Lifecycle::new(&self.history, &self.cloud, &self.cloud, &Quiet, NO_WAIT, &self.cancel)
    }

    fn fetch(&self, run: &RunId) -> FetchReport {
        self.fetch_into(run, JoinedInto::Export(None))
    }

    fn fetch_into(&self, run: &RunId, into: JoinedInto) -> FetchReport {
        let request = FetchRequest {
            run: run.to_string(),
            out_dir: self.dir.path().join("results"),
            input: None,
            into,
            excel_safe: false,
            prices: PriceTable::bundled(),
        };
        tokio_test(self.lifecycle().fetch(&request, &NoProgress)).unwrap()
    }
}

use crate::history::RunId;

/// Runs a future to its end on a fresh current-thread runtime.
pub(super) fn tokio_test<F: std::future::Future>(future: F) -> F::Output {
    tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap().block_on(future)
}

#[test]
fn a_repeated_submit_continues_the_recorded_run_and_never_creates_a_second_job() {
    let world = World::new(Outcome::Complete);
    let prepared = prepared(world.dir.path(), "prepared", 100);
    let lifecycle = world.lifecycle();
    let first = lifecycle.record_run(&submit_request(&prepared)).unwrap();
    let Recorded::New(run) = first else { panic!("the first submit records a run: {first:?}") };
    tokio_test(lifecycle.drive(run.as_str(), Until::Submitted)).unwrap();
    assert_eq!(world.cloud.jobs_created(), 3);

    // The same submit again, under another default job name a minute later: the same run, no new job.
    let again = SubmitRequest { job_name: JobName::parse("reviews-later").unwrap(), ..submit_request(&prepared) };
    let Recorded::Continued(continued) = lifecycle.record_run(&again).unwrap() else { panic!("not continued") };
    assert_eq!(continued.id, run);
    assert_eq!(continued.job_name, "reviews", "the run keeps its name");
    let report = tokio_test(lifecycle.drive(continued.id.as_str(), Until::Ended)).unwrap();
    assert!(report.ended());
    assert_eq!(world.cloud.jobs_created(), 3, "one job per part, however often the submit is repeated");
    assert_eq!(world.history.lock().unwrap().runs().unwrap().len(), 1);

    // Another target, or an explicit new run, records a second run.
    let elsewhere =
        SubmitRequest { output_uri: S3Uri::parse("s3://out-bucket/other").unwrap(), ..submit_request(&prepared) };
    assert!(matches!(lifecycle.record_run(&elsewhere).unwrap(), Recorded::New(_)));
    let explicit = SubmitRequest { new_run: true, ..submit_request(&prepared) };
    let Recorded::New(second) = lifecycle.record_run(&explicit).unwrap() else { panic!("--new-run records a run") };
    assert_ne!(second, run);
}

#[test]
fn parts_prepared_again_into_a_recorded_folder_are_never_uploaded_for_the_earlier_run() {
    let world = World::new(Outcome::Complete);
    let prepared = prepared(world.dir.path(), "prepared", 20);
    let lifecycle = world.lifecycle();
    let run = lifecycle.record_run(&submit_request(&prepared)).unwrap().id().clone();
    // Before the upload, the folder is prepared again from another sheet: a new submit is a new run…
    std::fs::remove_dir_all(&prepared).unwrap();
    let again = self::prepared(world.dir.path(), "prepared", 30);
    assert!(matches!(lifecycle.record_run(&submit_request(&again)).unwrap(), Recorded::New(_)));
    // …and the earlier run refuses to upload what is there now.
    let error = tokio_test(lifecycle.drive(run.as_str(), Until::Submitted)).unwrap_err();
    assert!(error.to_string().contains("changed since run"), "{error}");
    assert_eq!(world.cloud.jobs_created(), 0);
}

#[test]
fn a_fetch_feeds_the_results_index_from_the_join_with_every_row_an_export_gets() {
    use crate::results_table::{ResultsTable, RowFilter};
    let world = World::new(Outcome::Half);
    let prepared = prepared(world.dir.path(), "prepared", 40);
    let lifecycle = world.lifecycle();
    let run = lifecycle.record_run(&submit_request(&prepared)).unwrap().id().clone();
    tokio_test(lifecycle.drive(run.as_str(), Until::Ended)).unwrap();

    let table = world.dir.path().join("results").join("results.db");
    let direct = world.fetch_into(&run, JoinedInto::Index(table.clone()));
    assert_eq!(direct.summary.export.format, "results index");
    assert!(!world.dir.path().join("results").join("results.csv").exists(), "no export file in between");
    let exported = world.fetch(&run);
    assert_eq!((direct.summary.succeeded, direct.summary.missing), (20, 20));
    assert_eq!(direct.summary.rows, exported.summary.rows);

    // The index the join fed equals the one built from the export the same join writes, row by row.
    let fed = ResultsTable::open(&table).unwrap();
    let from_export =
        ResultsTable::build(Path::new(&exported.summary.export.path), &world.dir.path().join("from-export.db"))
            .unwrap();
    assert_eq!(fed.columns(), from_export.columns());
    assert_eq!(fed.counts().unwrap(), from_export.counts().unwrap());
    let all = RowFilter::default();
    let page = fed.page(&all, 0, 100).unwrap();
    assert_eq!(page.matching, 40);
    assert_eq!(page, from_export.page(&all, 0, 100).unwrap());
}

#[test]
fn a_run_can_be_retried_again_as_long_as_rows_remain_unanswered() {
    let world = World::new(Outcome::Half);
    let prepared = prepared(world.dir.path(), "prepared", 40);
    let lifecycle = world.lifecycle();
    let run = lifecycle.record_run(&submit_request(&prepared)).unwrap().id().clone();
    tokio_test(lifecycle.drive(run.as_str(), Until::Ended)).unwrap();
    assert_eq!(world.fetch(&run).summary.missing, 20);

    // Each retry answers half of what is left; each fetch leaves the chain ready for the next retry.
    for left in [10, 5, 2] {
        let retry = lifecycle.record_retry(&RetryRequest::of(run.as_str())).unwrap();
        tokio_test(lifecycle.drive(retry.as_str(), Until::Ended)).unwrap();
        let fetched = world.fetch(&run);
        assert_eq!((fetched.summary.rows, fetched.summary.missing), (40, left));
        let states: Vec<RunState> = world.history.lock().unwrap().runs().unwrap().iter().map(|r| r.state).collect();
        assert!(states.iter().all(|s| *s == RunState::Fetched), "{states:?}");
    }
    // Fewer rows than a job's minimum are left: refused, with the reason and the way on: on demand.
    let error = lifecycle.record_retry(&RetryRequest::of(run.as_str())).unwrap_err();
    assert!(error.to_string().contains("fewer than the 5 records"), "{error}");
    assert_eq!(error.remedy(), Some(Remedy::RetryOnDemand { run: run.to_string() }));
    // Once every row is answered there is nothing to retry.
    world.cloud.set_outcome(Outcome::Complete);
    let explicit = SubmitRequest { new_run: true, ..submit_request(&prepared) };
    let whole = lifecycle.record_run(&explicit).unwrap().id().clone();
    tokio_test(lifecycle.drive(whole.as_str(), Until::Ended)).unwrap();
    assert_eq!(world.fetch(&whole).summary.missing, 0);
    let error = lifecycle.record_retry(&RetryRequest::of(whole.as_str())).unwrap_err();
    assert!(error.to_string().contains("nothing to retry"), "{error}");
}

#[test]
fn rows_below_the_batch_minimum_are_retried_on_demand_and_merged_by_the_next_fetch() {
    let world = World::new(Outcome::Half);
    let prepared = prepared(world.dir.path(), "prepared", 40);
    let lifecycle = world.lifecycle();
    let run = lifecycle.record_run(&submit_request(&prepared)).unwrap().id().clone();
    tokio_test(lifecycle.drive(run.as_str(), Until::Ended)).unwrap();
    // Before a fetch, the retry does not know which rows to send.
    let options = crate::on_demand::OnDemandOptions {
        concurrency: 3,
        requests_per_minute: 60_000.0,
        min_requests_per_minute: 600.0,
        attempts: 3,
        pacing: NO_WAIT,
    };
    let model = batch_core::model::ModelId::parse("amazon.nova-lite-v1:0").unwrap();
    let invoker = std::sync::Arc::new(super::fakes::SandboxInvoker::new(
        &model,
        batch_core::model::InvocationType::Converse,
        Tier::OnDemand,
    ));
    let early = tokio_test(lifecycle.retry_on_demand(run.as_str(), invoker.clone(), options)).unwrap_err();
    assert!(matches!(early.remedy(), Some(Remedy::FetchRun { .. })), "{early}");
    assert_eq!(world.fetch(&run).summary.missing, 20);

    let quote = lifecycle.quote_retry(run.as_str(), Tier::OnDemand, &PriceTable::bundled()).unwrap();
    assert_eq!((quote.estimate.rows, quote.estimate.max_output_tokens), (20, 20 * 50), "{quote:?}");
    assert!(quote.estimate.most_usd.is_some() && quote.estimate.input_tokens > 0, "{quote:?}");
    assert!(!quote.continues);
    let sent = tokio_test(lifecycle.retry_on_demand(run.as_str(), invoker.clone(), options)).unwrap();
    assert_eq!((sent.rows, sent.succeeded, sent.failed, sent.calls, sent.stopped), (20, 20, 0, 20, false));
    assert_eq!(invoker.calls.load(std::sync::atomic::Ordering::SeqCst), 20, "exactly the missing rows");
    // The retry is a run of the chain, listed in the history; it ended, so the chain is fetched before any retry.
    let retry = world.history.lock().unwrap().runs().unwrap().into_iter().find(|r| r.tier.is_on_demand()).unwrap();
    assert_eq!((retry.retry_of.as_ref(), retry.state), (Some(&run), RunState::Ended));
    let merged = world.fetch(&run);
    assert_eq!((merged.summary.rows, merged.summary.succeeded, merged.summary.missing), (40, 40, 0));
    let tiers: Vec<(Tier, u64)> = merged.summary.tiers.iter().map(|t| (t.tier, t.rows)).collect();
    assert_eq!(tiers, [(Tier::Batch, 20), (Tier::OnDemand, 20)], "each row carries the tier that answered it");
    // Asked again with nothing left, nothing is sent.
    let error = tokio_test(lifecycle.retry_on_demand(run.as_str(), invoker.clone(), options)).unwrap_err();
    assert!(error.to_string().contains("nothing to retry"), "{error}");
    assert_eq!(invoker.calls.load(std::sync::atomic::Ordering::SeqCst), 20);
}

#[test]
fn a_sheet_below_the_batch_minimum_is_answered_on_demand_resumed_without_paying_twice_and_fetched() {
    let world = World::new(Outcome::Complete);
    let prepared = super::fakes::prepared_within(world.dir.path(), "small", 3, 1);
    let lifecycle = world.lifecycle();
    let request = OnDemandRequest {
        prepared_dir: prepared.clone(),
        job_name: JobName::parse("small").unwrap(),
        tier: Tier::Flex,
        sandbox: false,
        retry_of: None,
        new_run: false,
    };
    let run = lifecycle.record_on_demand(&request).unwrap().id().clone();
    let options = crate::on_demand::OnDemandOptions {
        concurrency: 2,
        requests_per_minute: 60_000.0,
        min_requests_per_minute: 600.0,
        attempts: 3,
        pacing: NO_WAIT,
    };
    let model = batch_core::model::ModelId::parse("amazon.nova-lite-v1:0").unwrap();
    let invoker = |tier| {
        std::sync::Arc::new(super::fakes::SandboxInvoker::new(
            &model,
            batch_core::model::InvocationType::Converse,
            tier,
        ))
    };
    // An invoker of another tier is refused: the run's rows are priced on its own.
    let wrong = tokio_test(lifecycle.answer_on_demand(run.as_str(), invoker(Tier::OnDemand), options)).unwrap_err();
    assert!(wrong.to_string().contains("answered on flex"), "{wrong}");
    // A stop before anything is sent leaves the run unfinished; a resume hands it back to be continued.
    world.cancel.store(true, std::sync::atomic::Ordering::SeqCst);
    let flex = invoker(Tier::Flex);
    let stopped = tokio_test(lifecycle.answer_on_demand(run.as_str(), flex.clone(), options)).unwrap();
    assert!(stopped.stopped && stopped.calls == 0, "{stopped:?}");
    let blocked = tokio_test(lifecycle.drive(run.as_str(), Until::Ended)).unwrap_err();
    assert_eq!(blocked.remedy(), Some(Remedy::ContinueOnDemand { run: run.to_string() }));
    let early_fetch = FetchRequest {
        run: run.to_string(),
        out_dir: world.dir.path().join("early"),
        input: None,
        into: JoinedInto::Export(None),
        excel_safe: false,
        prices: PriceTable::bundled(),
    };
    let early = tokio_test(lifecycle.fetch(&early_fetch, &NoProgress)).unwrap_err();
    assert_eq!(early.remedy(), Some(Remedy::ContinueOnDemand { run: run.to_string() }), "{early}");
    world.cancel.store(false, std::sync::atomic::Ordering::SeqCst);
    let resumed = tokio_test(lifecycle.resume(false, Until::Ended)).unwrap();
    assert_eq!(resumed.on_demand.iter().map(|r| &r.id).collect::<Vec<_>>(), [&run]);
    let sent = tokio_test(lifecycle.answer_on_demand(run.as_str(), flex.clone(), options)).unwrap();
    assert_eq!((sent.rows, sent.succeeded, sent.calls, sent.stopped), (3, 3, 3, false));
    // A crash after the second answer was written: its last answer is lost, and only that row is sent again.
    let answers = answers_dir(&world.history.lock().unwrap().run(run.as_str()).unwrap()).join("part-001");
    let file = answers.join("part-001.jsonl.out");
    let text = std::fs::read_to_string(&file).unwrap();
    let kept: Vec<&str> = text.lines().take(2).collect();
    std::fs::write(&file, format!("{}\n", kept.join("\n"))).unwrap();
    world.history.lock().unwrap().set_run_state(&run, RunState::Running).unwrap();
    let again = tokio_test(lifecycle.answer_on_demand(run.as_str(), flex.clone(), options)).unwrap();
    assert_eq!((again.already_answered, again.calls, again.succeeded), (2, 1, 3), "{again:?}");
    assert_eq!(flex.calls.load(std::sync::atomic::Ordering::SeqCst), 4, "three rows, one of them twice");
    // A repeated send of the same prepared parts continues the same run.
    assert_eq!(lifecycle.record_on_demand(&request).unwrap().id(), &run);
    // The fetch joins the answers as a job's outputs, each row marked Flex and priced at Flex's rate.
    let fetched = world.fetch(&run);
    assert_eq!((fetched.summary.rows, fetched.summary.succeeded, fetched.jobs), (3, 3, 0));
    let tiers: Vec<(Tier, u64)> = fetched.summary.tiers.iter().map(|t| (t.tier, t.rows)).collect();
    assert_eq!(tiers, [(Tier::Flex, 3)]);
    let tier = &fetched.summary.tiers[0];
    let price = PriceTable::bundled().lookup(&model).unwrap();
    let expected = (tier.input_tokens as f64 * price.input + tier.output_tokens as f64 * price.output) / 2.0 / 1e6;
    assert!((fetched.summary.cost_usd.unwrap() - expected).abs() < 1e-12);
    assert_eq!(tier.basis, "manifests");
    // The fetch keeps what was estimated beside what was billed, for the next estimates of this model.
    let past = world.history.lock().unwrap().past_estimates("amazon.nova-lite-v1:0", None).unwrap();
    assert_eq!(past.len(), 1);
    assert_eq!((past[0].run_id.as_str(), past[0].rows, past[0].answered_rows), (run.as_str(), 3, 3));
    assert_eq!(past[0].billed_input, tier.input_tokens);
    assert!(crate::history::billed_ratio(&past).is_some_and(|r| r > 0.0));
    // Fetched again, the run's line is replaced, not added.
    world.fetch(&run);
    assert_eq!(world.history.lock().unwrap().past_estimates("amazon.nova-lite-v1:0", None).unwrap().len(), 1);
}

#[test]
fn a_deadline_stops_the_jobs_and_the_rows_left_go_on_demand_within_the_approved_budget() {
    let world = World::new(Outcome::Complete);
    let prepared = prepared(world.dir.path(), "prepared", 40);
    let lifecycle = world.lifecycle();
    world.cloud.hold(true);
    // The deadline is a second away: the held job is still running then.
    let deadline = batch_core::clock::rfc3339_from_unix(batch_core::clock::unix_now() + 1);
    let settings = JobSettings { deadline: Some(deadline), ..JobSettings::default() };
    let request = SubmitRequest { settings, ..submit_request(&prepared) };
    let run = lifecycle.record_run(&request).unwrap().id().clone();
    let report = tokio_test(lifecycle.drive(run.as_str(), Until::Ended)).unwrap();
    let reason = report.deadline_stop.clone().expect("the deadline stopped the run");
    assert!(reason.contains("deadline") && reason.contains("has passed"), "{reason}");
    assert!(report.ended() && report.run.stop_requested);
    assert!(report.jobs.iter().all(|j| j.status == Some(batch_core::aws_names::JobStatus::Stopped)));
    // Every row is accounted for: what the stopped job wrote (nothing, here) and the rest as missing.
    assert_eq!(world.fetch(&run).summary.missing, 40);

    // Within the budget approved beforehand the rows go on demand at once; above it, the cost is for the user.
    let prices = PriceTable::bundled();
    let tight = lifecycle.deadline_fallback(run.as_str(), Tier::OnDemand, &prices, Some(0.000_001)).unwrap();
    assert!(!tight.approved && tight.quote.estimate.rows == 40, "{tight:?}");
    assert!(!lifecycle.deadline_fallback(run.as_str(), Tier::OnDemand, &prices, None).unwrap().approved);
    let fallback = lifecycle.deadline_fallback(run.as_str(), Tier::OnDemand, &prices, Some(10.0)).unwrap();
    assert!(fallback.approved);
    let model = batch_core::model::ModelId::parse("amazon.nova-lite-v1:0").unwrap();
    let invoker = std::sync::Arc::new(super::fakes::SandboxInvoker::new(
        &model,
        batch_core::model::InvocationType::Converse,
        Tier::OnDemand,
    ));
    let options = crate::on_demand::OnDemandOptions::new(true, None, None, NO_WAIT);
    let sent = tokio_test(lifecycle.retry_on_demand(run.as_str(), invoker, options)).unwrap();
    assert_eq!((sent.rows, sent.succeeded), (40, 40));
    let finished = world.fetch(&run);
    assert_eq!((finished.summary.succeeded, finished.summary.missing), (40, 0), "every row answered by the end");
}

#[test]
fn a_job_waiting_in_the_queue_longer_than_allowed_is_stopped() {
    let world = World::new(Outcome::Complete);
    let prepared = prepared(world.dir.path(), "prepared", 40);
    let lifecycle = world.lifecycle();
    world.cloud.hold(true);
    world.cloud.queue_held(true);
    let settings = JobSettings { max_queue_minutes: Some(0), ..JobSettings::default() };
    let run = lifecycle.record_run(&SubmitRequest { settings, ..submit_request(&prepared) }).unwrap().id().clone();
    let report = tokio_test(lifecycle.drive(run.as_str(), Until::Ended)).unwrap();
    let reason = report.deadline_stop.expect("the queue limit stopped the run");
    assert!(reason.contains("waited in Bedrock's queue"), "{reason}");
    // Without a limit the same queued job is followed, not stopped.
    let again = SubmitRequest { new_run: true, ..submit_request(&prepared) };
    let waiting = lifecycle.record_run(&again).unwrap().id().clone();
    let report = tokio_test(lifecycle.drive(waiting.as_str(), Until::Submitted)).unwrap();
    assert!(report.deadline_stop.is_none() && !report.run.stop_requested);
}

#[test]
fn resuming_reports_a_run_that_cannot_be_followed_and_follows_the_others() {
    let world = World::new(Outcome::Complete);
    let lifecycle = world.lifecycle();
    world.cloud.hold(true);
    let mut runs = Vec::new();
    for name in ["first", "second", "third"] {
        let prepared = prepared(world.dir.path(), name, 10);
        let run = lifecycle.record_run(&submit_request(&prepared)).unwrap().id().clone();
        tokio_test(lifecycle.drive(run.as_str(), Until::Submitted)).unwrap();
        runs.push(run);
    }
    // The service no longer knows the first run's job (another region, a lost job…).
    let broken_arn = world.history.lock().unwrap().run_jobs(&runs[0]).unwrap()[0].job_arn.clone().unwrap();
    world.cloud.forget(&broken_arn);
    world.cloud.hold(false);

    let resumed = tokio_test(lifecycle.resume(false, Until::Ended)).unwrap();
    let mut followed: Vec<&RunId> = resumed.reports.iter().map(|r| &r.run.id).collect();
    let mut others = vec![&runs[1], &runs[2]];
    followed.sort_by_key(|id| id.as_str());
    others.sort_by_key(|id| id.as_str());
    assert_eq!(followed, others);
    assert!(resumed.reports.iter().all(RunReport::ended));
    assert_eq!(resumed.broken.len(), 1);
    assert_eq!(resumed.broken[0].0, runs[0]);
    assert!(resumed.broken[0].1.to_string().contains("ResourceNotFoundException"), "{}", resumed.broken[0].1);
    assert!(world.history.lock().unwrap().run(runs[0].as_str()).unwrap().state.is_unfinished(), "kept, not lost");
}

/// Keeps every event.
#[derive(Default)]
struct Recorder(Mutex<Vec<Event>>);

impl LifecycleEvents for Recorder {
    fn event(&self, event: &Event) {
        self.0.lock().unwrap().push(event.clone());
    }
}

#[test]
fn parts_past_the_account_s_job_quota_wait_for_a_slot_instead_of_failing() {
    let world = World::new(Outcome::Complete);
    // The tool's cap allows ten jobs, the account only one at a time; the first job runs until released.
    world.cloud.set_quota(1);
    world.cloud.hold(true);
    let prepared = prepared(world.dir.path(), "prepared", 100);
    let events = Recorder::default();
    let lifecycle = Lifecycle::new(&world.history, &world.cloud, &world.cloud, &events, NO_WAIT, &world.cancel);
    let run = lifecycle.record_run(&submit_request(&prepared)).unwrap().id().clone();
    let submitted = tokio_test(lifecycle.drive(run.as_str(), Until::Submitted)).unwrap();
    let created = submitted.jobs.iter().filter(|j| j.job_arn.is_some()).count();
    assert_eq!((created, submitted.waiting_parts), (1, 2), "{submitted:?}");
    assert_eq!(submitted.run.state, RunState::Submitting, "not failed: waiting");
    let waited = events.0.lock().unwrap().iter().any(|e| {
        matches!(e, Event::Waiting { reason, .. } if reason.contains("ServiceQuotaExceededException") && reason.contains("waits until one of the model's jobs ends"))
    });
    assert!(waited, "the wait is said");
    // Once a slot frees, each waiting part gets its job: every part once, the run ends.
    world.cloud.hold(false);
    let ended = tokio_test(lifecycle.drive(run.as_str(), Until::Ended)).unwrap();
    assert!(ended.ended() && ended.jobs.iter().all(|j| j.job_arn.is_some()), "{ended:?}");
    assert_eq!(world.cloud.jobs_created(), 3);
}

#[test]
fn a_throttled_create_waits_and_tries_again_and_each_part_gets_one_job() {
    let world = World::new(Outcome::Complete);
    // Two throttled answers, then the service takes the create: within the three attempts a create gets.
    world.cloud.throttle(2);
    let prepared = prepared(world.dir.path(), "prepared", 100);
    let events = Recorder::default();
    let lifecycle = Lifecycle::new(&world.history, &world.cloud, &world.cloud, &events, NO_WAIT, &world.cancel);
    let run = lifecycle.record_run(&submit_request(&prepared)).unwrap().id().clone();
    let ended = tokio_test(lifecycle.drive(run.as_str(), Until::Ended)).unwrap();
    assert!(ended.ended() && ended.jobs.iter().all(|j| j.job_arn.is_some()), "{ended:?}");
    assert_eq!(world.cloud.jobs_created(), 3, "one job a part, none twice");
    let waits = events.0.lock().unwrap().iter().filter(|e| {
        matches!(e, Event::Waiting { reason, seconds } if reason.contains("ThrottlingException") && *seconds > 0.0)
    }).count();
    assert_eq!(waits, 2, "each throttled answer is a wait with its backoff said");

    // Throttled past the attempts a create gets, the drive fails with the service's words and creates nothing.
    world.cloud.throttle(3);
    let again = lifecycle.record_run(&SubmitRequest { new_run: true, ..submit_request(&prepared) }).unwrap();
    let failed = tokio_test(lifecycle.drive(again.id().as_str(), Until::Submitted)).unwrap_err();
    assert!(failed.to_string().contains("ThrottlingException"), "{failed}");
    assert_eq!(world.cloud.jobs_created(), 3);
}

#[test]
fn stopping_a_run_stops_its_running_job_and_submits_none_of_its_waiting_parts() {
    let world = World::new(Outcome::Complete);
    world.cloud.set_quota(1);
    world.cloud.hold(true);
    let prepared = prepared(world.dir.path(), "prepared", 100);
    let lifecycle = world.lifecycle();
    let run = lifecycle.record_run(&submit_request(&prepared)).unwrap().id().clone();
    let submitted = tokio_test(lifecycle.drive(run.as_str(), Until::Submitted)).unwrap();
    assert_eq!(submitted.waiting_parts, 2, "{submitted:?}");
    assert_eq!(tokio_test(lifecycle.stop_run(run.as_str())).unwrap(), 1, "the one running job is stopped");
    world.cloud.hold(false);
    let ended = tokio_test(lifecycle.drive(run.as_str(), Until::Ended)).unwrap();
    assert!(ended.ended() && ended.run.stop_requested, "{ended:?}");
    assert_eq!(world.cloud.jobs_created(), 1, "no waiting part was submitted after the stop");
    // Its fetch accounts for every row: the stopped job's and the unsubmitted parts' rows are missing.
    let fetched = world.fetch(&run);
    assert_eq!(fetched.summary.succeeded + fetched.summary.failed + fetched.summary.missing, 100);
    assert!(fetched.summary.missing >= 60, "{:?}", fetched.summary);
}

#[test]
fn the_model_s_backlog_is_read_while_jobs_run_and_says_when_it_clears() {
    use batch_core::batch_backlog::ModelBacklog;
    use batch_core::clock::{unix_from_rfc3339, unix_now};
    let world = World::new(Outcome::Complete);
    let prepared = prepared(world.dir.path(), "prepared", 40);
    let plan = batch_core::prepare::PreparedPlan::read(&prepared.join(batch_core::prepare::PLAN_FILE)).unwrap();
    let per_record = plan.totals.input_tokens as f64 / plan.totals.records as f64;
    let lifecycle = world.lifecycle();
    world.cloud.hold(true);
    // 2,000 records waiting, at 100 of this run's records a minute: 20 minutes.
    let backlog = ModelBacklog {
        records_pending: Some(2_000.0),
        input_tokens_per_minute: Some(100.0 * per_record),
        ..ModelBacklog::default()
    };
    world.cloud.set_backlog(Ok(backlog));
    let run = lifecycle.record_run(&submit_request(&prepared)).unwrap().id().clone();
    let before = unix_now();
    let report = tokio_test(lifecycle.drive(run.as_str(), Until::Submitted)).unwrap();
    let reading = report.progress.backlog.clone().expect("read while the job runs");
    assert_eq!(reading.backlog, Some(backlog));
    let clears = unix_from_rfc3339(reading.clears_at.as_deref().unwrap()).unwrap();
    assert!((before + 20 * 60..=unix_now() + 20 * 60 + 1).contains(&clears), "{reading:?}");
    assert_eq!(world.cloud.backlog_reads(), 1, "one read a drive pass within a minute");
    // The history keeps it: a report from the history alone shows it.
    assert_eq!(run_report(&world.history.lock().unwrap(), run.as_str()).unwrap().progress.backlog, Some(reading));

    // Metrics that cannot be read are said so, and the run goes on.
    world.cloud.set_backlog(Err(crate::ports::ServiceError::new(
        crate::ports::FailureKind::AccessDenied,
        "GetMetricData",
        "AccessDeniedException: not authorized to perform cloudwatch:GetMetricData",
    )));
    let report = tokio_test(lifecycle.drive(run.as_str(), Until::Submitted)).unwrap();
    let unreadable = report.progress.backlog.and_then(|b| b.unreadable).unwrap_or_default();
    assert!(unreadable.contains("cloudwatch:GetMetricData"), "{unreadable}");

    // Once the jobs end, the backlog is neither read nor shown.
    world.cloud.hold(false);
    let reads = world.cloud.backlog_reads();
    let report = tokio_test(lifecycle.drive(run.as_str(), Until::Ended)).unwrap();
    assert!(report.ended() && report.progress.backlog.is_none());
    assert_eq!(world.cloud.backlog_reads(), reads, "no job left running at the first pass");
}
