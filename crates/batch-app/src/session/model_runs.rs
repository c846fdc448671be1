//! The window's "send these rows to models A and B": one run per model over the same rows, to compare.

use std::sync::Arc;

use batch_core::model_lifecycle::{LifecycleTable, today};

use super::runs::{RunRow, SubmitForm, invalid};
use super::{Studio, StudioError};
use crate::model_runs::{model_run_name, models_to_compare};
use crate::ports::Connector;
use crate::start_run::{RunTarget, job_name};

impl<C: Connector> Studio<C> {
    /// Sends the form's rows to each of `models` as a run of its own, named after its model, so their answers can
    /// be compared; every model is checked before any row is read. The form's invocation applies to its own
    /// model; the others take their family's default.
    pub async fn submit_to_models(
        self: &Arc<Self>,
        form: SubmitForm,
        models: Vec<String>,
    ) -> Result<Vec<RunRow>, StudioError> {
        let models =
            models_to_compare(&models, !form.answer.columns().is_empty()).map_err(|e| invalid(e.to_string()))?;
        for model in &models {
            LifecycleTable::bundled().check(model, &today(), false)?;
        }
        let target = RunTarget { job_name: form.job_name.clone(), ..RunTarget::default() };
        let base = job_name(&target, &form.sheet).map_err(|e| invalid(e.to_string()))?;
        let mut runs = Vec::with_capacity(models.len());
        for model in models {
            let own = model.as_str() == form.model.trim();
            let one = SubmitForm {
                model: model.as_str().to_string(),
                job_name: Some(model_run_name(&base, &model).as_str().to_string()),
                invocation: if own { form.invocation } else { None },
                ..form.clone()
            };
            runs.push(self.submit(one).await?);
        }
        Ok(runs)
    }
}
