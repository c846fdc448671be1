//! What the history holds: runs, their parts (one `.jsonl` and one job each), uploads and jobs.

use std::path::PathBuf;

use batch_core::aws_names::{ClientRequestToken, JobName, JobStatus, RoleArn, S3Uri};
use batch_core::record_id::fnv1a;
use batch_core::service_tier::Tier;
use serde::{Deserialize, Serialize};

use crate::ports::PartUpload;

/// A run's id, `run-YYYYMMDD-HHMMSS-xxxxxx`: sortable by time, unique per start.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
#[serde(transparent)]
pub struct RunId(pub(crate) String);

impl RunId {
    /// A new id from the current time and a per-process nonce.
    pub fn generate() -> Self {
        let stamp: String = batch_core::clock::now_rfc3339().chars().filter(char::is_ascii_digit).collect();
        let nanos =
            std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.as_nanos()).unwrap_or(0);
        let mut nonce = fnv1a(format!("{nanos}-{}", std::process::id()).as_bytes(), 0);
        let suffix: String = (0..6)
            .map(|_| {
                let c = b"abcdefghijklmnopqrstuvwxyz0123456789"[(nonce % 36) as usize] as char;
                nonce /= 36;
                c
            })
            .collect();
        let (date, time) = stamp.split_at(stamp.len().min(8));
        Self(format!("run-{date}-{time}-{suffix}"))
    }

    /// The id as text.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The client request token for part `part` of this run (stable, so re-submitting is idempotent).
    pub fn request_token(&self, part: usize) -> ClientRequestToken {
        ClientRequestToken::for_part(&self.0, part)
    }
}

impl std::fmt::Display for RunId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

/// Where a run is in its life.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub enum RunState {
    /// Parts are being uploaded.
    Uploading,
    /// Jobs are being created.
    Submitting,
    /// Jobs exist; some have not ended.
    Running,
    /// Every job has ended.
    Ended,
    /// Outputs were downloaded and joined.
    Fetched,
}

impl RunState {
    pub(crate) fn as_str(self) -> &'static str {
        match self {
            Self::Uploading => "uploading",
            Self::Submitting => "submitting",
            Self::Running => "running",
            Self::Ended => "ended",
            Self::Fetched => "fetched",
        }
    }

    pub(crate) fn parse(text: &str) -> Option<Self> {
        [Self::Uploading, Self::Submitting, Self::Running, Self::Ended, Self::Fetched]
            .into_iter()
            .find(|s| s.as_str() == text)
    }

    /// True while the run still needs work after a restart (uploads, submissions or polling).
    pub fn is_unfinished(self) -> bool {
        matches!(self, Self::Uploading | Self::Submitting | Self::Running)
    }
}

/// A part to record with a new run.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewPart {
    /// The prepared `.jsonl` file name.
    pub file: String,
    /// Records in it.
    pub records: u64,
    /// Its size.
    pub bytes: u64,
    /// Where it is uploaded.
    pub input_uri: S3Uri,
}

/// A VPC for the job's S3 access.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct VpcSettings {
    /// 1–16 subnet ids.
    pub subnet_ids: Vec<String>,
    /// 1–5 security group ids.
    pub security_group_ids: Vec<String>,
}

/// How a run's jobs are created: kept with the run so any later process creates the remaining jobs alike.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct JobSettings {
    /// Hours before an unfinished job expires (24–168).
    pub timeout_hours: u32,
    /// Tags on every job.
    pub tags: Vec<(String, String)>,
    /// VPC configuration, if any.
    pub vpc: Option<VpcSettings>,
    /// KMS key for the output, if any.
    pub output_kms_key: Option<String>,
    /// Submitted plus in-progress jobs allowed per model at once (this tool's cap).
    pub max_concurrent_jobs: usize,
    /// When the run must be finished (RFC 3339, UTC): the jobs not ended by then are stopped, and what they wrote
    /// is kept.
    pub deadline: Option<String>,
    /// The longest a job may wait in the queue (Submitted, Validating, Scheduled), in minutes, before it is
    /// stopped as at the deadline.
    pub max_queue_minutes: Option<u64>,
}

impl Default for JobSettings {
    fn default() -> Self {
        Self {
            timeout_hours: 24,
            tags: Vec::new(),
            vpc: None,
            output_kms_key: None,
            max_concurrent_jobs: 10,
            deadline: None,
            max_queue_minutes: None,
        }
    }
}

/// How a run's records are answered.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RunDestination {
    /// By batch jobs, which read the run's uploaded parts and write into the output folder.
    Batch {
        /// The service role.
        role_arn: RoleArn,
        /// The run's input folder.
        input_uri: S3Uri,
        /// The jobs' output folder.
        output_uri: S3Uri,
    },
    /// By on-demand calls on this tier (Standard or Flex) from this machine: nothing is uploaded.
    OnDemand(Tier),
}

/// A run to record.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewRun {
    /// The prepared folder.
    pub prepared_dir: PathBuf,
    /// Model or inference profile.
    pub model_id: String,
    /// Batch jobs (with their role and locations) or on-demand calls.
    pub destination: RunDestination,
    /// Base of the jobs' names.
    pub job_name: JobName,
    /// True for the offline sandbox (answers from the sandbox model).
    pub sandbox: bool,
    /// The run this one retries, if any.
    pub retry_of: Option<RunId>,
    /// Its parts, in order (none for an on-demand run: its parts are the prepared plan's, never uploaded).
    pub parts: Vec<NewPart>,
    /// How its jobs are created.
    pub settings: JobSettings,
    /// What was submitted where: the same prepared parts sent to the same target give the same key, so a
    /// repeated submit finds this run instead of recording a second one.
    pub submission: String,
    /// The prepared parts' fingerprint when recorded; a part is never uploaded once its file has changed.
    pub parts_fingerprint: String,
}

/// What recording a run did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Recorded {
    /// A new run was recorded under this id.
    New(RunId),
    /// The same prepared parts were recorded for the same target before: this run, which is continued.
    Continued(Box<Run>),
}

impl Recorded {
    /// The run's id, new or continued.
    pub fn id(&self) -> &RunId {
        match self {
            Self::New(id) => id,
            Self::Continued(run) => &run.id,
        }
    }
}

/// A recorded run.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Run {
    /// Its id.
    pub id: RunId,
    /// When it was recorded (UTC).
    pub created_at: String,
    /// The prepared folder.
    pub prepared_dir: PathBuf,
    /// Model or inference profile.
    pub model_id: String,
    /// The service role (empty for an on-demand run).
    pub role_arn: String,
    /// The run's input folder (empty for an on-demand run).
    pub input_uri: String,
    /// The jobs' output folder (empty for an on-demand run).
    pub output_uri: String,
    /// How its records are answered: by batch jobs, or on demand (Standard or Flex).
    pub tier: Tier,
    /// Base of the jobs' names.
    pub job_name: String,
    /// True for the offline sandbox.
    pub sandbox: bool,
    /// The run this one retries.
    pub retry_of: Option<RunId>,
    /// Where it is.
    pub state: RunState,
    /// Where its joined results were written.
    pub results_dir: Option<PathBuf>,
    /// How its jobs are created.
    pub settings: JobSettings,
    /// The user stopped the run: no part is uploaded or submitted any more, and it ends when the jobs it has
    /// end (the rows of parts never submitted count as missing).
    pub stop_requested: bool,
    /// The prepared parts' fingerprint when recorded (absent for runs recorded by older versions).
    pub parts_fingerprint: Option<String>,
    /// True for a job made elsewhere and opened here (its records keep their own ids).
    pub opened: bool,
}

/// The submission key of a job made elsewhere and opened here: `opened:` and the job's ARN or the output lines'
/// folder.
pub fn opened_submission(source: &str) -> String {
    format!("{OPENED_PREFIX}{source}")
}

/// The start of an opened job's submission key.
pub(crate) const OPENED_PREFIX: &str = "opened:";

/// A recorded part.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Part {
    /// 1-based part number.
    pub part: usize,
    /// The prepared file name.
    pub file: String,
    /// Records.
    pub records: u64,
    /// Bytes.
    pub bytes: u64,
    /// Upload target.
    pub input_uri: String,
    /// Upload progress.
    pub upload: PartUpload,
}

/// Whether the job's creation was confirmed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum JobState {
    /// Recorded before CreateModelInvocationJob; no answer seen yet (re-send with the same token).
    Creating,
    /// The service answered with the job's ARN.
    Created,
}

/// A recorded job (one per part).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct JobRecord {
    /// Its run.
    pub run_id: RunId,
    /// Its part.
    pub part: usize,
    /// The job name sent.
    pub job_name: String,
    /// The idempotency token sent.
    pub request_token: String,
    /// The job's ARN, once known.
    pub job_arn: Option<String>,
    /// Whether creation was confirmed.
    pub state: JobState,
    /// The last status seen.
    pub status: Option<JobStatus>,
    /// The service's message (failure reason).
    pub message: Option<String>,
    /// Records in the job, as the service counts them.
    pub total_records: Option<u64>,
    /// Records processed so far.
    pub processed_records: Option<u64>,
    /// Records that succeeded.
    pub success_records: Option<u64>,
    /// Records that failed.
    pub error_records: Option<u64>,
    /// When the service accepted the job.
    pub submitted_at: Option<String>,
    /// When this record last changed.
    pub updated_at: String,
    /// When it was first seen out of Bedrock's queue (running or ended).
    pub started_at: Option<String>,
}

/// Record counts reported for a job.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct JobCounts {
    /// Records in the job.
    pub total: Option<u64>,
    /// Processed so far.
    pub processed: Option<u64>,
    /// Succeeded.
    pub succeeded: Option<u64>,
    /// Failed.
    pub failed: Option<u64>,
}
