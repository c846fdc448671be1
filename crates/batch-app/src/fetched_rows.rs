//! A fetched run's rows joined afresh from its downloaded outputs — whatever format its export took — into a
//! writer of the caller's: what comparing runs and retrying rows of a status read.

use std::collections::HashSet;
use std::path::PathBuf;
use std::sync::Mutex;

use batch_core::export::{ExportError, ResultFields, RowWriter};
use batch_core::prepare::{PLAN_FILE, PreparedPlan};
use batch_core::pricing::PriceTable;
use batch_core::progress::NoProgress;
use batch_core::results::{ResultsRequest, ResultsSummary, Status, join_results_into};
use batch_core::sheet::Row;

use crate::history::{History, HistoryError, Run};
use crate::results_table::FieldValue;

/// Why a fetched run's rows could not be read.
#[derive(Debug, thiserror::Error)]
pub enum FetchedRowsError {
    /// The run was never fetched.
    #[error("run {run} has no results yet; fetch it first (`bedrock-batch fetch {run} --out DIR`)")]
    NotFetched {
        /// The run.
        run: String,
    },
    /// The history could not be read.
    #[error(transparent)]
    History(#[from] HistoryError),
    /// A filter names a field the answer does not have.
    #[error("run {run}'s answer has no field {name:?} (its fields: {fields}); pick one of them")]
    UnknownField {
        /// The run.
        run: String,
        /// The name asked for.
        name: String,
        /// The answer's fields.
        fields: String,
    },
    /// Its outputs or plan could not be read.
    #[error("run {run}: {detail}")]
    Unreadable {
        /// The run.
        run: String,
        /// What failed.
        detail: String,
    },
}

/// A fetched run (the original of its retry chain, whose results hold every attempt) and its plan.
pub struct FetchedRun {
    /// The run.
    pub run: Run,
    /// Its plan.
    pub plan: PreparedPlan,
    results_dir: PathBuf,
}

impl FetchedRun {
    /// The fetched run `target` names (a run or job id; a retry stands for its original).
    pub fn find(history: &Mutex<History>, target: &str) -> Result<Self, FetchedRowsError> {
        let run = {
            let history = history.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
            let run = history.run_of(target)?;
            history.root_run(run.id.as_str())?
        };
        let id = run.id.to_string();
        let results_dir = run.results_dir.clone().ok_or(FetchedRowsError::NotFetched { run: id.clone() })?;
        let plan = PreparedPlan::read(&run.prepared_dir.join(PLAN_FILE))
            .map_err(|e| FetchedRowsError::Unreadable { run: id, detail: e.to_string() })?;
        Ok(Self { run, plan, results_dir })
    }

    /// Joins the run's downloaded outputs to its sheet into `writer`; returns the join's summary.
    pub fn join_into<'a>(
        &self,
        prices: &PriceTable,
        writer: Box<dyn RowWriter + 'a>,
    ) -> Result<ResultsSummary, FetchedRowsError> {
        let request = ResultsRequest {
            input: PathBuf::from(&self.plan.input.path),
            sheet: None,
            prepared: self.run.prepared_dir.clone(),
            outputs: self.results_dir.join("outputs"),
            // Only the folder counts (the join's scratch files): the rows go to the writer, not to a file.
            export: self.results_dir.join("rows"),
            excel_safe: false,
            prices: prices.clone(),
            unfinished_list: None,
            allow_no_outputs: true,
        };
        join_results_into(&request, &NoProgress, "rows", Box::new(move |_| Ok(writer)))
            .map_err(|e| FetchedRowsError::Unreadable { run: self.run.id.to_string(), detail: e.to_string() })
    }

    /// The record ids of the rows whose status is one of `statuses` (any status when none is given) and, with
    /// `field`, whose answer field has that value (a list field: holds it).
    pub fn record_ids_where(
        &self,
        statuses: &[Status],
        field: Option<&FieldValue>,
    ) -> Result<HashSet<String>, FetchedRowsError> {
        let at = match field {
            None => None,
            Some(wanted) => {
                let fields = self.plan.templates.answer.columns();
                let found = fields.iter().position(|f| f.name == wanted.name);
                Some(found.ok_or_else(|| FetchedRowsError::UnknownField {
                    run: self.run.id.to_string(),
                    name: wanted.name.clone(),
                    fields: fields.iter().map(|f| f.name.as_str()).collect::<Vec<_>>().join(", "),
                })?)
            }
        };
        struct Pick<'a> {
            statuses: &'a [Status],
            field: Option<(usize, &'a str)>,
            ids: &'a mut HashSet<String>,
        }
        impl RowWriter for Pick<'_> {
            fn write(&mut self, _: &Row, result: &ResultFields<'_>) -> Result<(), ExportError> {
                let status = self.statuses.is_empty() || self.statuses.contains(&result.status);
                let value =
                    self.field.is_none_or(|(at, value)| result.answer.get(at).is_some_and(|c| c.matches(value)));
                if status && value {
                    self.ids.insert(result.record_id.to_string());
                }
                Ok(())
            }
            fn finish(self: Box<Self>) -> Result<(), ExportError> {
                Ok(())
            }
        }
        let mut ids = HashSet::new();
        let field = at.zip(field).map(|(at, wanted)| (at, wanted.value.as_str()));
        self.join_into(&PriceTable::bundled(), Box::new(Pick { statuses, field, ids: &mut ids }))?;
        Ok(ids)
    }
}
