//! The history as the upload journal of one part of a run.

use std::sync::{Mutex, MutexGuard, PoisonError};

use super::{History, HistoryError, RunId};
use crate::ports::{JournalError, PartUpload, UploadJournal, UploadedChunk};

/// Part `part` of run `run`'s upload, journalled in the history.
pub struct HistoryJournal<'a> {
    history: &'a Mutex<History>,
    run: &'a RunId,
    part: usize,
}

impl<'a> HistoryJournal<'a> {
    /// The journal of part `part` (1-based) of `run`.
    pub fn new(history: &'a Mutex<History>, run: &'a RunId, part: usize) -> Self {
        Self { history, run, part }
    }

    fn lock(&self) -> MutexGuard<'_, History> {
        self.history.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

fn journal_error(error: HistoryError) -> JournalError {
    JournalError(error.to_string())
}

impl UploadJournal for HistoryJournal<'_> {
    fn state(&self) -> Result<PartUpload, JournalError> {
        let parts = self.lock().parts(self.run).map_err(journal_error)?;
        Ok(parts.into_iter().find(|p| p.part == self.part).map_or(PartUpload::NotStarted, |p| p.upload))
    }

    fn intend(&self) -> Result<(), JournalError> {
        self.lock().intend_upload(self.run, self.part).map_err(journal_error)
    }

    fn begin(&self, upload_id: &str) -> Result<(), JournalError> {
        self.lock().begin_upload(self.run, self.part, upload_id).map_err(journal_error)
    }

    fn record_chunk(&self, chunk: &UploadedChunk) -> Result<(), JournalError> {
        self.lock().record_chunk(self.run, self.part, chunk).map_err(journal_error)
    }

    fn chunks(&self) -> Result<Vec<UploadedChunk>, JournalError> {
        self.lock().chunks(self.run, self.part).map_err(journal_error)
    }

    fn complete(&self, etag: &str) -> Result<(), JournalError> {
        self.lock().complete_upload(self.run, self.part, etag).map_err(journal_error)
    }
}
