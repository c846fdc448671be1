//! The Model step's cost check: the open sheet's rows, rendered and written as the run's records would be, for
//! the cost-check use case (CountTokens on a sample, a few rows answered on demand when asked, past runs).

use batch_core::model::{InvocationType, ModelId};
use batch_core::pricing::PriceTable;
use batch_core::records::{InferenceParams, RecordBuilder};
use batch_core::service_tier::Tier;
use serde::Deserialize;
use serde_json::Value;

use super::{Studio, StudioError};
use crate::cost_check::{CostBasis, CostCheck, check_sample};
use crate::history::template_key;
use crate::ports::{Backend, Connector};
use crate::settings::InvocationChoice;

/// The rows of a cost check counted with CountTokens.
const COUNTED_ROWS: u64 = 30;
/// The most rows a cost check answers on demand (they are billed).
const MOST_TEST_ROWS: u32 = 20;

/// What the Model step asks to measure.
#[derive(Debug, Clone, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct MeasureForm {
    /// The prompt template.
    pub template: String,
    /// The system prompt template.
    pub system: Option<String>,
    /// The model or profile.
    pub model: String,
    /// The request body (the family's default when absent).
    pub invocation: Option<InvocationChoice>,
    /// Most answer tokens per row.
    pub max_tokens: u32,
    /// Temperature.
    pub temperature: Option<f64>,
    /// Top-p.
    pub top_p: Option<f64>,
    /// Rows to send.
    pub rows: u64,
    /// Data rows of the open sheet (the sample is spread over them).
    pub sheet_rows: u64,
    /// Their estimated input tokens (the prompt step's estimate).
    pub input_tokens: u64,
    /// Rows to answer on demand to measure the answers (billed; at most 20).
    pub test_rows: u32,
}

impl<C: Connector> Studio<C> {
    /// Measures what the run the form describes will cost: up to 30 of the open sheet's rows (spread over it)
    /// written as its records, counted with CountTokens, the first `test_rows` answered on demand.
    pub async fn measure_cost(&self, form: &MeasureForm) -> Result<CostCheck, StudioError> {
        let (connection, _) = self.connected().await?;
        let model = ModelId::parse(&form.model).map_err(|e| StudioError::Invalid(format!("model: {e}")))?;
        let system = form.system.as_deref().filter(|s| !s.trim().is_empty());
        let params = InferenceParams {
            max_tokens: form.max_tokens.max(1),
            temperature: form.temperature,
            top_p: form.top_p,
            stop_sequences: Vec::new(),
        };
        let builder = RecordBuilder::new(&model, form.invocation.map(InvocationType::from), params, system.is_some())
            .map_err(|e| StudioError::Invalid(e.to_string()))?;
        let records = self.sample_records(&form.template, system, &builder, form.sheet_rows)?;
        let basis = CostBasis {
            model: model.clone(),
            invocation: builder.invocation(),
            rows: form.rows,
            estimated_input: form.input_tokens,
            max_tokens: u64::from(form.max_tokens.max(1)),
            template_key: template_key(&form.template, system),
        };
        let invoker = connection.invoker(&model, builder.invocation(), Tier::OnDemand);
        let test_rows = form.test_rows.min(MOST_TEST_ROWS) as usize;
        Ok(check_sample(
            &basis,
            &records,
            &invoker,
            &self.history,
            (COUNTED_ROWS as usize, test_rows),
            &PriceTable::bundled(),
        )
        .await)
    }

    /// Up to 30 of the open sheet's `sheet_rows` rows, evenly spread, rendered and written as records
    /// (`{"modelInput": …}`).
    fn sample_records(
        &self,
        template: &str,
        system: Option<&str>,
        builder: &RecordBuilder,
        sheet_rows: u64,
    ) -> Result<Vec<Value>, StudioError> {
        let open = self.desk.open();
        let (_, table) = open.as_ref().ok_or_else(|| StudioError::Invalid("open a sheet first (Data step)".into()))?;
        let rows = sheet_rows.max(1);
        let count = COUNTED_ROWS.min(rows);
        let mut records = Vec::new();
        for i in 0..count {
            let row = 1 + if count > 1 { i * (rows - 1) / (count - 1) } else { 0 };
            let rendered = table.render(template, system, row).map_err(|e| StudioError::Invalid(e.to_string()))?;
            let mut line = Vec::new();
            builder.write_line("SAMPLE", &rendered.prompt, rendered.system.as_deref(), &mut line);
            if let Ok(record) = serde_json::from_slice::<Value>(&line) {
                records.push(record);
            }
        }
        Ok(records)
    }
}
