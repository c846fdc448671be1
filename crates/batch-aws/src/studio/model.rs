//! The Model step's calls: the account's models and inference profiles, and "test one row now".

use std::path::PathBuf;

use batch_core::model::ModelId;
use batch_core::prepare::{PreviewRequest, preview};
use batch_core::sheet::SheetOptions;
use serde::{Deserialize, Serialize};

use super::{Studio, StudioError};
use crate::models::{ModelChoice, TestAnswer, TestParams, converse_once, list_models};

/// One row to send on demand.
#[derive(Debug, Clone, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct TestRowForm {
    /// The sheet.
    pub sheet: PathBuf,
    /// Its worksheet.
    pub worksheet: Option<String>,
    /// The 1-based data row.
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
    /// True when the stand-in model answered (sandbox).
    pub sandbox: bool,
}

impl Studio {
    /// The models and inference profiles the connection lists (the sandbox lists the bundled ones).
    pub async fn models(&self) -> Result<Vec<ModelChoice>, StudioError> {
        let (connection, _) = self.connected().await?;
        Ok(list_models(connection.jobs.client()).await?)
    }

    /// Renders one row and sends it through an on-demand Converse call.
    pub async fn test_row(&self, form: TestRowForm) -> Result<TestRowView, StudioError> {
        let (connection, info) = self.connected().await?;
        let model = ModelId::parse(&form.model).map_err(|e| StudioError::Invalid(format!("model: {e}")))?;
        let request = PreviewRequest {
            input: form.sheet.clone(),
            sheet: SheetOptions { sheet: form.worksheet.clone(), delimiter: None },
            template: form.template.clone(),
            system: form.system.clone().filter(|s| !s.trim().is_empty()),
            row: form.row.max(1),
        };
        let rendered = tokio::task::spawn_blocking(move || preview(&request))
            .await
            .map_err(|e| StudioError::Invalid(format!("internal error: {e}")))?
            .map_err(|e| StudioError::Invalid(e.to_string()))?;
        let params = TestParams { max_tokens: form.max_tokens, temperature: form.temperature, top_p: form.top_p };
        let answer =
            converse_once(&connection.runtime, &model, rendered.system.as_deref(), &rendered.prompt, &params).await?;
        Ok(TestRowView {
            row: rendered.row,
            prompt: rendered.prompt,
            system: rendered.system,
            answer,
            sandbox: info.sandbox,
        })
    }
}
