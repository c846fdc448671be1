//! The Model step's calls: the account's models and inference profiles, and "test one row now".

use batch_core::model::ModelId;
use batch_core::model_lifecycle::today;
use batch_core::plan::likely_part_rows;
use serde::{Deserialize, Serialize};

use super::{ModelList, Studio, StudioError};
use crate::ports::{
    Backend, BatchQuotas, Connector, OnDemandPrompt, QuotaSource, TestAnswer, TestParams, batch_offer, bundled_models,
};
use crate::sheet_pages::{RenderedPrompt, SheetTable};

/// How the rows split into jobs, and the quotas that decide it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct JobPlan {
    /// Records in each job, in order.
    pub parts: Vec<u64>,
    /// Most records a job may hold.
    pub most_records: u64,
    /// Fewest records a job accepts.
    pub least_records: u64,
    /// Why AWS's default quotas stand in for the account's, when they do (not connected, Service Quotas
    /// unreadable, no quota named for the model).
    pub defaults: Option<String>,
}

/// One row to send on demand.
#[derive(Debug, Clone, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct TestRowForm {
    /// The 1-based data row of the open sheet.
    pub row: u64,
    /// The prompt template.
    pub template: String,
    /// The system prompt template.
    pub system: Option<String>,
    /// The model or profile.
    pub model: String,
    /// Most answer tokens.
    pub max_tokens: u32,
    /// Temperature.
    pub temperature: Option<f64>,
    /// Top-p.
    pub top_p: Option<f64>,
}

/// The test's prompt and answer.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct TestRowView {
    /// The row sent.
    pub row: u64,
    /// The rendered prompt.
    pub prompt: String,
    /// The rendered system prompt.
    pub system: Option<String>,
    /// The answer.
    pub answer: TestAnswer,
    /// True when the sandbox model answered (sandbox).
    pub sandbox: bool,
}

impl TestRowForm {
    /// Renders the form's row from the open sheet's page cache (one row read, whatever the sheet's size).
    pub fn render(&self, sheet: &SheetTable) -> Result<RenderedPrompt, StudioError> {
        let system = self.system.as_deref().filter(|s| !s.trim().is_empty());
        sheet.render(&self.template, system, self.row.max(1)).map_err(|e| StudioError::Invalid(e.to_string()))
    }
}

impl<C: Connector> Studio<C> {
    /// How `rows` rows of `model` split into jobs under the connection's quotas for it (the defaults before a
    /// connection, and where the account's cannot be read): what Submit will prepare.
    pub async fn job_plan(&self, model: &str, rows: u64) -> Result<JobPlan, StudioError> {
        let model = ModelId::parse(model).map_err(|e| StudioError::Invalid(format!("model: {e}")))?;
        let quotas = match self.connected().await {
            Ok((connection, info)) => self.model_quotas(&connection, &info, model.as_str()).await,
            Err(_) => BatchQuotas::defaults("not connected"),
        };
        let limits = quotas.limits;
        Ok(JobPlan {
            parts: likely_part_rows(rows, &limits),
            most_records: limits.max_records_per_part(),
            least_records: limits.min_records_per_job,
            defaults: match quotas.source {
                QuotaSource::Defaults { reason } => Some(reason),
                QuotaSource::ServiceQuotas { .. } => None,
            },
        })
    }

    /// The Model step's list: the account's models and profiles that run batch, or the bundled table's with a note
    /// saying why; a note too when the account's batch quotas could not be read to narrow the list.
    pub async fn model_list(&self) -> ModelList {
        let listed = match self.connected().await {
            Ok((connection, _)) => connection.models().await.map_err(StudioError::from),
            Err(error) => Err(error),
        };
        match listed {
            Ok(account) => ModelList {
                models: batch_offer(&account),
                note: account.batch_model_names.err().map(|why| {
                    format!("every listed model is shown, though some may not run batch: the batch quotas could not be read ({why})")
                }),
            },
            Err(error) => ModelList {
                models: bundled_models(&today()),
                note: Some(format!("the bundled model list is shown: the account's could not be listed ({error})")),
            },
        }
    }

    /// Sends the form's row, rendered (see [`TestRowForm::render`]), through an on-demand Converse call.
    pub async fn test_row(&self, form: &TestRowForm, rendered: RenderedPrompt) -> Result<TestRowView, StudioError> {
        let (connection, info) = self.connected().await?;
        let model = ModelId::parse(&form.model).map_err(|e| StudioError::Invalid(format!("model: {e}")))?;
        let params = TestParams { max_tokens: form.max_tokens, temperature: form.temperature, top_p: form.top_p };
        let prompt = OnDemandPrompt {
            model: &model,
            system: rendered.system.as_deref(),
            prompt: &rendered.prompt,
            params: &params,
        };
        let answer = connection.converse(prompt).await?;
        Ok(TestRowView {
            row: rendered.row,
            prompt: rendered.prompt,
            system: rendered.system,
            answer,
            sandbox: info.sandbox,
        })
    }
}
