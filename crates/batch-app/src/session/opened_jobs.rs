//! The Jobs step's side of jobs made elsewhere: the account's jobs listed beside the runs, and a job (or output
//! lines on this computer) opened as a run, whose results then show like any run's.

use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::AtomicBool;

use batch_core::model::ModelId;
use batch_core::prepare::{RowKey, SheetJoin};
use batch_core::pricing::PriceTable;
use batch_core::progress::NoProgress;
use batch_core::sheet::SheetOptions;
use serde::{Deserialize, Serialize};

use super::results::save_summary;
use super::runs::{RunRow, TABLE_FILE, invalid};
use super::{RunEvents, Studio, StudioError};
use crate::lifecycle::{JobOrigin, JobSource, JoinedInto, OpenJobRequest, open_local_job};
use crate::ports::{Backend, Connector, JobFilter};

/// Which of the account's jobs to list.
#[derive(Debug, Clone, Default, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct AccountJobFilter {
    /// Only jobs with this status (Completed, InProgress, Failed…).
    pub status: Option<String>,
    /// Only jobs whose name contains this.
    pub name_contains: Option<String>,
    /// Only jobs submitted at or after this time (RFC 3339).
    pub submitted_after: Option<String>,
    /// At most this many (default 100).
    pub limit: Option<u32>,
}

/// A job of the account as the Jobs step lists it.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct AccountJobRow {
    /// Its ARN.
    pub job_arn: String,
    /// Its id (the ARN's last part).
    pub job_id: String,
    /// Its name.
    pub job_name: String,
    /// Its status.
    pub status: String,
    /// The service's message.
    pub message: Option<String>,
    /// Its model or inference profile.
    pub model_id: Option<String>,
    /// When it was submitted.
    pub submit_time: Option<String>,
    /// When it ended.
    pub end_time: Option<String>,
    /// Records processed so far.
    pub processed: Option<u64>,
    /// Records in the job.
    pub total: Option<u64>,
    /// This tool's own, opened here, or made elsewhere.
    pub origin: JobOrigin,
    /// The run holding it, if any.
    pub run: Option<String>,
}

/// A job to open: one of the account's, or output lines on this computer; with the sheet to join, if any.
#[derive(Debug, Clone, Default, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct OpenJobForm {
    /// A job of the account (ARN or id).
    pub job: Option<String>,
    /// Or a folder (or file) of output lines on this computer.
    pub outputs: Option<String>,
    /// With `outputs`: the job's request lines (its input file or folder), if at hand.
    pub requests: Option<String>,
    /// A sheet to join the records to.
    pub sheet: Option<String>,
    /// The sheet's column holding each row's record id.
    pub id_column: Option<String>,
    /// Or the number of the sheet's first data row when the record id is the row number (0 or 1).
    pub row_number_from: Option<u64>,
    /// The job's model, when the files do not say.
    pub model: Option<String>,
}

impl<C: Connector> Studio<C> {
    /// The account's jobs (on the current connection), each marked with its run.
    pub async fn account_jobs(&self, filter: &AccountJobFilter) -> Result<Vec<AccountJobRow>, StudioError> {
        let (connection, _) = self.connected().await?;
        let filter = JobFilter {
            status: filter.status.clone().filter(|s| !s.is_empty()).map(batch_core::aws_names::JobStatus::from),
            name_contains: filter.name_contains.clone().filter(|s| !s.trim().is_empty()),
            limit: Some(filter.limit.unwrap_or(100).clamp(1, 1000) as usize),
            submitted_after: filter.submitted_after.clone().filter(|s| !s.is_empty()),
            submitted_before: None,
        };
        let cancel = AtomicBool::new(false);
        let events = RunEvents { run: String::new(), sink: self.events.clone() };
        let listed = connection.lifecycle(&self.history, &events, &cancel).account_jobs(&filter).await?;
        Ok(listed
            .into_iter()
            .map(|listed| {
                let job = listed.job;
                AccountJobRow {
                    job_id: job.job_arn.rsplit('/').next().unwrap_or(&job.job_arn).to_string(),
                    job_arn: job.job_arn,
                    job_name: job.job_name,
                    status: job.status.as_str().to_string(),
                    message: job.message,
                    model_id: job.config.model_id,
                    submit_time: job.submit_time,
                    end_time: job.end_time,
                    processed: job.counts.processed,
                    total: job.counts.total,
                    origin: listed.origin,
                    run: listed.run,
                }
            })
            .collect())
    }

    /// Opens a job made elsewhere as a run (its results indexed for the Results step); a job that has not ended is
    /// followed in the background like any run.
    pub async fn open_job(self: &Arc<Self>, form: OpenJobForm) -> Result<RunRow, StudioError> {
        let text = |value: &Option<String>| value.as_deref().map(str::trim).filter(|v| !v.is_empty()).map(String::from);
        let (source, name) = match (text(&form.job), text(&form.outputs)) {
            (Some(job), _) => {
                let id = job.rsplit('/').next().unwrap_or(&job).to_string();
                (JobSource::Remote(job), id)
            }
            (None, Some(outputs)) => {
                let path = self.readable_path(Path::new(&outputs), false)?;
                let name = path.file_stem().map_or_else(|| "outputs".into(), |n| n.to_string_lossy().into_owned());
                let requests = match text(&form.requests) {
                    Some(requests) => Some(self.readable_path(Path::new(&requests), false)?),
                    None => None,
                };
                (JobSource::Local { outputs: path, requests }, name)
            }
            (None, None) => return Err(invalid("choose a job of the account, or a folder of output lines")),
        };
        let sheet = match text(&form.sheet) {
            None => None,
            Some(path) => {
                let key = match (text(&form.id_column), form.row_number_from) {
                    (Some(column), _) => RowKey::Column(column),
                    (None, Some(first)) if first <= 1 => RowKey::RowNumber { first },
                    _ => {
                        return Err(invalid(
                            "say where each row's record id is: a column of the sheet, or the row number from 0 or 1",
                        ));
                    }
                };
                let path = self.readable_path(Path::new(&path), true)?;
                Some(SheetJoin { path, options: SheetOptions::default(), key })
            }
        };
        let model = text(&form.model).map(|m| ModelId::parse(&m)).transpose().map_err(|e| invalid(e.to_string()))?;
        let safe: String = name.chars().map(|c| if c.is_ascii_alphanumeric() || c == '-' { c } else { '_' }).collect();
        let out_dir = self.home.join("opened").join(safe);
        let mut request = OpenJobRequest {
            source,
            sheet,
            model,
            answer: batch_core::answer::AnswerShape::default(),
            out_dir: out_dir.clone(),
            into: JoinedInto::Index(out_dir.join(TABLE_FILE)),
            excel_safe: false,
            prices: PriceTable::bundled(),
            sandbox: false,
        };
        let events = RunEvents { run: String::new(), sink: self.events.clone() };
        let report = match &request.source {
            JobSource::Local { .. } => open_local_job(&self.history, &request, &events, &NoProgress).await?,
            JobSource::Remote(_) => {
                let (connection, _) = self.connected().await?;
                request.sandbox = connection.sandbox();
                let cancel = AtomicBool::new(false);
                connection.lifecycle(&self.history, &events, &cancel).open_job(&request, &NoProgress).await?
            }
        };
        match &report.fetched {
            Some(fetched) => save_summary(&out_dir, &fetched.summary)?,
            None => self.drive_in_background(report.run.clone(), request.sandbox),
        }
        self.run_row(&report.run)
    }
}
