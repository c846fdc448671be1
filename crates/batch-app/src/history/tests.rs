//! History tests: what survives a restart, upload resume, and why a crash can neither lose nor duplicate a job.

use std::path::Path;

use batch_core::aws_names::{JobName, JobStatus, RoleArn, S3Uri};

use super::*;

fn new_run(parts: usize) -> NewRun {
    let input = S3Uri::parse("s3://analytics-in/batch/run1").unwrap();
    NewRun {
        prepared_dir: "/data/prepared".into(),
        model_id: "amazon.nova-lite-v1:0".into(),
        destination: RunDestination::Batch {
            role_arn: RoleArn::parse("arn:aws:iam::123456789012:role/BedrockBatchRole").unwrap(),
            input_uri: input.clone(),
            output_uri: S3Uri::parse("s3://analytics-out/batch/").unwrap(),
        },
        job_name: JobName::parse("reviews").unwrap(),
        sandbox: false,
        retry_of: None,
        parts: (1..=parts)
            .map(|i| NewPart {
                file: format!("part-{i:03}.jsonl"),
                records: 100,
                bytes: 5000,
                input_uri: input.join(&format!("part-{i:03}.jsonl")),
            })
            .collect(),
        settings: JobSettings {
            tags: vec![("team".into(), "insights".into())],
            max_concurrent_jobs: 2,
            ..JobSettings::default()
        },
        submission: "submission-1".into(),
        parts_fingerprint: "parts-1".into(),
    }
}

fn path(dir: &tempfile::TempDir) -> std::path::PathBuf {
    dir.path().join("nested/history.sqlite")
}

#[test]
fn runs_and_parts_survive_reopening() {
    let dir = tempfile::tempdir().unwrap();
    let id = {
        let mut history = History::open(&path(&dir)).unwrap();
        history.create_run(&new_run(3)).unwrap()
    };
    let history = History::open(&path(&dir)).unwrap();
    let run = history.run(id.as_str()).unwrap();
    assert_eq!(run.state, RunState::Uploading);
    assert_eq!(run.role_arn, "arn:aws:iam::123456789012:role/BedrockBatchRole");
    assert_eq!(run.settings.tags, [("team".to_string(), "insights".to_string())]);
    assert_eq!(run.settings.max_concurrent_jobs, 2);
    let parts = history.parts(&id).unwrap();
    assert_eq!(parts.len(), 3);
    assert_eq!(parts[2].input_uri, "s3://analytics-in/batch/run1/part-003.jsonl");
    assert!(parts.iter().all(|p| p.upload == PartUpload::NotStarted));
    assert_eq!(history.unfinished_runs().unwrap().len(), 1);
    assert!(matches!(history.run("run-nope"), Err(HistoryError::NotFound(_))));
}

#[test]
fn an_interrupted_upload_resumes_from_its_recorded_chunks() {
    let dir = tempfile::tempdir().unwrap();
    let (id, chunk) = {
        let mut history = History::open(&path(&dir)).unwrap();
        let id = history.create_run(&new_run(1)).unwrap();
        history.begin_upload(&id, 1, "upload-abc").unwrap();
        let chunk = UploadedChunk { chunk: 1, etag: "\"e1\"".into(), checksum: "crc32c:AAAA".into() };
        history.record_chunk(&id, 1, &chunk).unwrap();
        (id, chunk) // the process dies here, before chunk 2
    };
    let mut history = History::open(&path(&dir)).unwrap();
    assert_eq!(history.parts(&id).unwrap()[0].upload, PartUpload::InProgress { upload_id: "upload-abc".into() });
    assert_eq!(history.chunks(&id, 1).unwrap(), [chunk], "only the unsent chunks are sent again");
    history.complete_upload(&id, 1, "\"final\"").unwrap();
    assert_eq!(history.parts(&id).unwrap()[0].upload, PartUpload::Uploaded { etag: "\"final\"".into() });
    assert!(history.chunks(&id, 1).unwrap().is_empty());
}

#[test]
fn a_new_upload_of_a_part_forgets_the_chunks_of_the_old_one() {
    let mut history = History::in_memory().unwrap();
    let id = history.create_run(&new_run(1)).unwrap();
    history.begin_upload(&id, 1, "upload-old").unwrap();
    let chunk = UploadedChunk { chunk: 1, etag: "\"e1\"".into(), checksum: String::new() };
    history.record_chunk(&id, 1, &chunk).unwrap();
    // The server no longer knows "upload-old" (for example it restarted): the part starts over.
    history.begin_upload(&id, 1, "upload-new").unwrap();
    assert_eq!(history.parts(&id).unwrap()[0].upload, PartUpload::InProgress { upload_id: "upload-new".into() });
    assert!(history.chunks(&id, 1).unwrap().is_empty(), "chunks of another upload are never completed with this one");
}

#[test]
fn a_crash_between_intent_and_answer_resends_the_same_token() {
    let dir = tempfile::tempdir().unwrap();
    let (id, token) = {
        let mut history = History::open(&path(&dir)).unwrap();
        let id = history.create_run(&new_run(2)).unwrap();
        let intent = history.intend_job(&id, 1, "reviews-p001").unwrap();
        assert_eq!(intent.state, JobState::Creating);
        (id, intent.request_token) // killed right after CreateModelInvocationJob was sent
    };
    let mut history = History::open(&path(&dir)).unwrap();
    let pending = history.pending_creations().unwrap();
    assert_eq!(pending.len(), 1);
    assert_eq!(pending[0].request_token, token, "the retry sends the same token, so the service makes no second job");
    let again = history.intend_job(&id, 1, "another-name").unwrap();
    assert_eq!((again.request_token.as_str(), again.job_name.as_str()), (token.as_str(), "reviews-p001"));
    let arn = "arn:aws:bedrock:us-east-1:123456789012:model-invocation-job/abc123def456";
    let created = history.record_job_created(&token, arn).unwrap();
    assert_eq!((created.state, created.job_arn.as_deref()), (JobState::Created, Some(arn)));
    assert!(history.pending_creations().unwrap().is_empty());
    // The same answer recorded again (a retried create returning the same job) changes nothing.
    assert_eq!(history.record_job_created(&token, arn).unwrap().job_arn.as_deref(), Some(arn));
    // An ARN already belonging to part 1 cannot be recorded for part 2.
    let other = history.intend_job(&id, 2, "reviews-p002").unwrap();
    assert!(matches!(history.record_job_created(&other.request_token, arn), Err(HistoryError::Conflict { .. })));
}

#[test]
fn statuses_and_counts_are_tracked_and_listed() {
    let mut history = History::in_memory().unwrap();
    let id = history.create_run(&new_run(1)).unwrap();
    let intent = history.intend_job(&id, 1, "reviews-p001").unwrap();
    let arn = "arn:aws:bedrock:us-east-1:123456789012:model-invocation-job/q1w2e3r4t5y6";
    history.record_job_created(&intent.request_token, arn).unwrap();
    let counts = JobCounts { total: Some(100), processed: Some(40), succeeded: Some(39), failed: Some(1) };
    let job = history.record_job_status(arn, &JobStatus::InProgress, None, counts).unwrap();
    assert_eq!((job.status, job.processed_records), (Some(JobStatus::InProgress), Some(40)));
    history
        .record_job_status(arn, &JobStatus::Failed, Some("role cannot read s3://analytics-in"), JobCounts::default())
        .unwrap();
    history.set_run_state(&id, RunState::Ended).unwrap();
    assert!(history.unfinished_runs().unwrap().is_empty());
    let listed = serde_json::to_value(history.jobs().unwrap()).unwrap();
    assert_eq!(listed[0]["job_arn"], arn);
    assert_eq!(listed[0]["status"], "Failed");
    assert_eq!(listed[0]["message"], "role cannot read s3://analytics-in");
    assert!(matches!(
        history.record_job_status("arn:unknown", &JobStatus::Completed, None, JobCounts::default()),
        Err(HistoryError::NotFound(_))
    ));
}

#[test]
fn a_newer_schema_is_refused_and_run_ids_are_unique() {
    let dir = tempfile::tempdir().unwrap();
    let file = path(&dir);
    drop(History::open(&file).unwrap());
    rusqlite::Connection::open(&file).unwrap().execute_batch("PRAGMA user_version = 99;").unwrap();
    let err = History::open(&file).err().unwrap();
    assert!(err.to_string().contains("newer version"), "{err}");
    let ids: std::collections::HashSet<String> = (0..200).map(|_| RunId::generate().as_str().to_string()).collect();
    assert_eq!(ids.len(), 200);
    assert!(Path::new(&History::default_path()).ends_with("history.sqlite"));
}

#[test]
fn jobs_are_found_by_arn_or_bare_id_and_active_ones_count_against_the_model_cap() {
    let mut history = History::in_memory().unwrap();
    let id = history.create_run(&new_run(3)).unwrap();
    let arn = |n: usize| format!("arn:aws:bedrock:us-east-1:123456789012:model-invocation-job/job{n:09}");
    for part in 1..=3 {
        let job = history.intend_job(&id, part, "reviews").unwrap();
        if part < 3 {
            history.record_job_created(&job.request_token, &arn(part)).unwrap();
        }
    }
    // Two created, none ended: both take a slot; the one never confirmed does not.
    assert_eq!(history.active_jobs_for_model("amazon.nova-lite-v1:0").unwrap(), 2);
    assert_eq!(history.active_jobs_for_model("amazon.nova-pro-v1:0").unwrap(), 0);
    history.record_job_status(&arn(1), &JobStatus::from("Completed".to_string()), None, JobCounts::default()).unwrap();
    assert_eq!(history.active_jobs_for_model("amazon.nova-lite-v1:0").unwrap(), 1);
    assert_eq!(history.job("job000000002").unwrap().part, 2);
    assert_eq!(history.job(&arn(1)).unwrap().part, 1);
    assert!(matches!(history.job("job000000009"), Err(HistoryError::NotFound(_))));
    let run = history.job("job000000002").unwrap().run_id;
    assert_eq!(history.run_of("job000000002").unwrap().id, run, "a job's id names its run");
    assert_eq!(history.run_of(&arn(1)).unwrap().id, run, "so does its ARN");
    assert_eq!(history.run_of(run.as_str()).unwrap().id, run, "and the run's own id");
    assert!(matches!(history.run_of("job000000009"), Err(HistoryError::NotFound(what)) if what.contains("run or job")));
}

#[test]
fn a_retry_chain_leads_back_to_its_original_run() {
    let mut history = History::in_memory().unwrap();
    let original = history.create_run(&new_run(1)).unwrap();
    let retry = history.create_run(&NewRun { retry_of: Some(original.clone()), ..new_run(1) }).unwrap();
    let again = history.create_run(&NewRun { retry_of: Some(retry.clone()), ..new_run(1) }).unwrap();
    for id in [&original, &retry, &again] {
        assert_eq!(history.root_run(id.as_str()).unwrap().id, original);
    }
    assert!(history.root_run("run-nope").is_err());
}

#[test]
fn processes_opening_a_new_history_at_once_all_succeed_and_migrate_it_once() {
    // Six openers racing on a fresh file, several times over: each must get a usable, fully migrated history.
    for round in 0..8 {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join(format!("history-{round}.sqlite"));
        let start = std::sync::Arc::new(std::sync::Barrier::new(6));
        let openers: Vec<_> = (0..6)
            .map(|_| {
                let (file, start) = (file.clone(), start.clone());
                std::thread::spawn(move || {
                    start.wait();
                    History::open(&file).map(|history| history.runs().map(|runs| runs.len()))
                })
            })
            .collect();
        for opener in openers {
            match opener.join().unwrap() {
                Ok(Ok(0)) => {}
                other => panic!("round {round}: an opener failed: {other:?}"),
            }
        }
        let version: usize =
            rusqlite::Connection::open(&file).unwrap().query_row("PRAGMA user_version", [], |r| r.get(0)).unwrap();
        assert_eq!(version, super::schema::current_version());
    }
}

#[test]
fn runs_come_in_the_order_they_were_recorded_even_within_one_second() {
    let mut history = History::in_memory().unwrap();
    // Two ids of the same second sort by their random suffix, the later one first.
    let first = RunId("run-20261203-120000-zzzzzz".into());
    let second = RunId("run-20261203-120000-aaaaaa".into());
    history.record_run(&first, &new_run(1), false).unwrap();
    history.record_run(&second, &NewRun { retry_of: Some(first.clone()), ..new_run(1) }, false).unwrap();
    let ids: Vec<String> = history.runs().unwrap().into_iter().map(|r| r.id.to_string()).collect();
    assert_eq!(ids, [first.to_string(), second.to_string()], "a chain's retries oldest first");
}
