//! No service at all: the ports of a use case that works on local files only (output lines opened with no AWS),
//! answering any remote call that it needs a connection.

use std::path::Path;
use std::sync::atomic::AtomicBool;

use batch_core::aws_names::S3Uri;
use batch_core::batch_backlog::ModelBacklog;

use super::{
    Downloaded, FailureKind, JobFilter, JobSnapshot, JobsApi, NewJob, ObjectTransfer, ServiceError, TransferProgress,
    UploadJournal,
};

/// Ports with no service behind them.
#[derive(Debug, Clone, Copy, Default)]
pub struct NoService;

fn offline(operation: &'static str) -> ServiceError {
    ServiceError::new(
        FailureKind::Invalid,
        operation,
        "this needs a connection to AWS (or the sandbox), and only local files were opened",
    )
}

impl JobsApi for NoService {
    async fn create(&self, _job: &NewJob) -> Result<String, ServiceError> {
        Err(offline("CreateModelInvocationJob"))
    }

    async fn get(&self, _job: &str) -> Result<JobSnapshot, ServiceError> {
        Err(offline("GetModelInvocationJob"))
    }

    async fn stop(&self, _job: &str) -> Result<(), ServiceError> {
        Err(offline("StopModelInvocationJob"))
    }

    async fn list(&self, _filter: &JobFilter) -> Result<Vec<JobSnapshot>, ServiceError> {
        Err(offline("ListModelInvocationJobs"))
    }

    async fn backlog(&self, _model_id: &str) -> Result<ModelBacklog, ServiceError> {
        Err(offline("GetMetricData"))
    }
}

impl ObjectTransfer for NoService {
    async fn upload_part(
        &self,
        _journal: &dyn UploadJournal,
        _file: &Path,
        _target: &S3Uri,
        _progress: &dyn TransferProgress,
        _cancel: &AtomicBool,
    ) -> Result<bool, ServiceError> {
        Err(offline("upload"))
    }

    async fn download_folder(
        &self,
        _prefix: &S3Uri,
        _dir: &Path,
        _progress: &dyn TransferProgress,
    ) -> Result<Downloaded, ServiceError> {
        Err(offline("download"))
    }
}
