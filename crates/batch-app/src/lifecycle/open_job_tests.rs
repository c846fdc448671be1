//! Use-case tests of opening jobs made elsewhere, against the in-memory fakes: a notebook's job read from the
//! account, retried with its own lines and ids, and output lines on disk opened with no AWS.

use std::collections::HashSet;

use batch_core::aws_names::S3Uri;
use batch_core::model::{InvocationType, ModelId};
use batch_core::prepare::{RowKey, SheetJoin};
use batch_core::pricing::PriceTable;
use batch_core::progress::NoProgress;
use batch_core::remedy::{HasRemedy, Remedy};
use batch_core::service_tier::Tier;
use batch_core::sheet::SheetOptions;
use serde_json::json;

use super::fakes::{Outcome, SandboxInvoker};
use super::tests::World;
use super::*;
use crate::history::{JobSettings, RunState};
use crate::ports::NewJob;

const MODEL: &str = "amazon.nova-lite-v1:0";
const NO_WAIT: Pacing = super::tests::NO_WAIT;

fn block_on<F: std::future::Future>(future: F) -> F::Output {
    super::tests::tokio_test(future)
}

/// A notebook's record: its DataFrame index as the id, a Converse body.
fn line(index: usize) -> String {
    json!({"recordId": index.to_string(), "modelInput": {
        "messages": [{"role": "user", "content": [{"text": format!("Review {index}: is it good?")}]}],
        "inferenceConfig": {"maxTokens": 50}}})
    .to_string()
}

/// What the opened-job tests do with the lifecycle tests' world.
trait OpenedWorld {
    /// A job of `rows` records created straight through the job API, as a notebook does; returns its ARN.
    fn notebook_job(&self, rows: usize) -> String;
    /// Opening `source` into `<dir>/opened`, joined to `sheet`.
    fn request(&self, source: JobSource, sheet: Option<SheetJoin>) -> OpenJobRequest;
    /// Fetching `run` into `<dir>/opened`.
    fn fetch_opened(&self, run: &str) -> FetchReport;
}

impl OpenedWorld for World {
    fn notebook_job(&self, rows: usize) -> String {
        let input = S3Uri::parse("s3://team-bucket/notebook/reviews.jsonl").unwrap();
        let text: String = (0..rows).map(|i| line(i) + "\n").collect();
        self.cloud.put_object(&input, text.into_bytes());
        let job = NewJob {
            job_name: "notebook-reviews".into(),
            role_arn: "arn:aws:iam::123456789012:role/NotebookRole".into(),
            model_id: MODEL.into(),
            input_uri: input,
            output_uri: S3Uri::parse("s3://team-bucket/out/").unwrap(),
            invocation: InvocationType::Converse,
            settings: JobSettings::default(),
            request_token: "notebook-token".into(),
        };
        block_on(crate::ports::JobsApi::create(&self.cloud, &job)).unwrap()
    }

    fn request(&self, source: JobSource, sheet: Option<SheetJoin>) -> OpenJobRequest {
        OpenJobRequest {
            source,
            sheet,
            model: None,
            answer: batch_core::answer::AnswerShape::default(),
            out_dir: self.dir.path().join("opened"),
            into: JoinedInto::Export(None),
            excel_safe: false,
            prices: PriceTable::bundled(),
            sandbox: false,
        }
    }

    fn fetch_opened(&self, run: &str) -> FetchReport {
        let request = FetchRequest {
            run: run.to_string(),
            out_dir: self.dir.path().join("opened"),
            input: None,
            into: JoinedInto::Export(None),
            excel_safe: false,
            prices: PriceTable::bundled(),
        };
        block_on(self.lifecycle().fetch(&request, &NoProgress)).unwrap()
    }
}

fn export_ids(path: &std::path::Path) -> Vec<(String, String)> {
    let mut reader = csv::Reader::from_path(path).unwrap();
    let headers = reader.headers().unwrap().clone();
    let at = |name: &str| headers.iter().position(|h| h == name).unwrap();
    let (id, status) = (at("record_id"), at("status"));
    reader.records().map(|r| r.unwrap()).map(|r| (r[id].to_string(), r[status].to_string())).collect()
}

#[test]
fn a_notebook_s_job_opens_as_a_run_and_its_missing_records_are_retried_with_their_own_lines() {
    let world = World::new(Outcome::Half);
    let arn = world.notebook_job(240);
    let lifecycle = world.lifecycle();
    // Opened while it runs: nothing is joined yet, but the run is tracked like one of the tool's own.
    world.cloud.hold(true);
    let early = block_on(lifecycle.open_job(&world.request(JobSource::Remote(arn.clone()), None), &NoProgress));
    let early = early.unwrap();
    assert!(early.fetched.is_none() && early.opened.as_ref().is_some_and(|o| o.records == 240), "{early:?}");
    let run = early.run.clone();
    assert_eq!(world.history.lock().unwrap().run(&run).unwrap().state, RunState::Running);
    // A job already in the history is not opened twice.
    let again = block_on(lifecycle.open_job(&world.request(JobSource::Remote(arn.clone()), None), &NoProgress));
    let again = again.unwrap_err();
    assert_eq!(again.remedy(), Some(Remedy::FetchRun { run: run.clone() }), "{again}");

    world.cloud.hold(false);
    block_on(lifecycle.drive(&run, Until::Ended)).unwrap();
    let fetched = world.fetch_opened(&run);
    assert_eq!((fetched.summary.rows, fetched.summary.succeeded, fetched.summary.missing), (240, 120, 120));
    let rows = export_ids(std::path::Path::new(&fetched.summary.export.path));
    let ids: Vec<&str> = rows.iter().map(|(id, _)| id.as_str()).collect();
    let expected: Vec<String> = (0..240).map(|i| i.to_string()).collect();
    assert_eq!(ids, expected, "every record once, in the input's order, under its own id");
    assert_eq!(rows[0].1, "succeeded");
    assert_eq!(rows[239].1, "missing");

    // The retry sends the missing records' own lines, under their own ids, to the job's own role and buckets.
    let retry = lifecycle.record_retry(&RetryRequest::of(&run)).unwrap();
    block_on(lifecycle.drive(retry.as_str(), Until::Ended)).unwrap();
    let retried = world.history.lock().unwrap().run(retry.as_str()).unwrap();
    assert_eq!(retried.role_arn, "arn:aws:iam::123456789012:role/NotebookRole");
    assert!(retried.input_uri.starts_with("s3://team-bucket/notebook/"), "{}", retried.input_uri);
    let merged = world.fetch_opened(&run);
    assert_eq!((merged.summary.rows, merged.summary.succeeded, merged.summary.missing), (240, 180, 60));
    let missing: HashSet<String> = export_ids(std::path::Path::new(&merged.summary.export.path))
        .into_iter()
        .filter(|(_, s)| s == "missing")
        .map(|r| r.0)
        .collect();
    let expected: HashSet<String> = (180..240).map(|i| i.to_string()).collect();
    assert_eq!(missing, expected, "each retry answers the first half of what it sent");
}

#[test]
fn output_lines_on_disk_open_with_no_aws_joined_to_a_sheet_and_retried_on_demand() {
    let world = World::new(Outcome::Complete);
    // Renamed downloads: 30 of a notebook's 40 records answered, in another order, in a file without .jsonl.out.
    let downloads = world.dir.path().join("downloads");
    std::fs::create_dir_all(&downloads).unwrap();
    let model = ModelId::parse(MODEL).unwrap();
    let answered: String = (0..30)
        .rev()
        .map(|i| {
            let input: serde_json::Value = serde_json::from_str(&line(i)).unwrap();
            let output =
                batch_core::sandbox_model::respond(model.family(), InvocationType::Converse, &input["modelInput"]);
            json!({"recordId": i.to_string(), "modelInput": input["modelInput"], "modelOutput": output.unwrap()})
                .to_string()
                + "\n"
        })
        .collect();
    std::fs::write(downloads.join("results-final.jsonl"), answered).unwrap();
    let requests = world.dir.path().join("reviews.jsonl");
    std::fs::write(&requests, (0..40).map(|i| line(i) + "\n").collect::<String>()).unwrap();
    // The notebook's DataFrame, joined by its index (row number from 0).
    let sheet = world.dir.path().join("reviews.csv");
    std::fs::write(&sheet, format!("review\n{}", (0..40).map(|i| format!("text {i}\n")).collect::<String>())).unwrap();
    let join = SheetJoin { path: sheet, options: SheetOptions::default(), key: RowKey::RowNumber { first: 0 } };
    let source = JobSource::Local { outputs: downloads.clone(), requests: Some(requests) };
    let mut request = world.request(source, Some(join));
    request.model = Some(model.clone());
    let lifecycle = world.lifecycle();
    let opened = block_on(lifecycle.open_job(&request, &NoProgress)).unwrap();
    let summary = &opened.fetched.as_ref().unwrap().summary;
    assert_eq!((summary.rows, summary.succeeded, summary.missing), (40, 30, 10));
    let plan = opened.opened.as_ref().unwrap();
    assert_eq!((plan.unmatched_records, plan.rows_without_record), (0, 0), "every record has a row");
    assert!(opened.job.is_none());
    let run = world.history.lock().unwrap().run(&opened.run).unwrap();
    assert_eq!((run.state, run.tier, run.model_id.as_str()), (RunState::Fetched, Tier::OnDemand, MODEL));

    // Opened from files, it has no role or bucket for a batch job: the way on is on demand.
    let batch = lifecycle.record_retry(&RetryRequest::of(&opened.run)).unwrap_err();
    assert_eq!(batch.remedy(), Some(Remedy::RetryOnDemand { run: opened.run.clone() }), "{batch}");
    // The 10 missing records go on demand, from their own lines, and merge into the same rows.
    let options = crate::on_demand::OnDemandOptions {
        concurrency: 2,
        requests_per_minute: 60_000.0,
        min_requests_per_minute: 600.0,
        attempts: 3,
        pacing: NO_WAIT,
    };
    let invoker = std::sync::Arc::new(SandboxInvoker::new(&model, InvocationType::Converse, Tier::OnDemand));
    let sent = block_on(lifecycle.retry_on_demand(&opened.run, invoker.clone(), options)).unwrap();
    assert_eq!((sent.rows, sent.succeeded), (10, 10));
    let merged = world.fetch_opened(&opened.run);
    assert_eq!((merged.summary.rows, merged.summary.succeeded, merged.summary.missing), (40, 40, 0));
    let rows = export_ids(std::path::Path::new(&merged.summary.export.path));
    assert_eq!(rows[39].0, "39");
    // Opened again into the same folder: the same run, its retry still merged; into another: refused.
    let again = block_on(lifecycle.open_job(&request, &NoProgress)).unwrap();
    assert_eq!(again.run, opened.run);
    assert_eq!(again.fetched.as_ref().unwrap().summary.succeeded, 40);
    let elsewhere = OpenJobRequest { out_dir: world.dir.path().join("elsewhere"), ..request.clone() };
    let refused = block_on(lifecycle.open_job(&elsewhere, &NoProgress)).unwrap_err();
    assert_eq!(refused.remedy(), Some(Remedy::FetchRun { run: opened.run.clone() }), "{refused}");
    // The downloads folder was only read.
    let names: Vec<String> =
        std::fs::read_dir(&downloads).unwrap().map(|e| e.unwrap().file_name().to_string_lossy().into()).collect();
    assert_eq!(names, ["results-final.jsonl"]);
}
