//! The Prompt step's answer shape: what a shape gives for the chosen model (schema, columns, how it is sent),
//! asked of the core so the rule lives once.

use batch_core::answer::{AnswerPreview, AnswerShape};
use batch_core::model::ModelId;

use super::Studio;
use crate::ports::Connector;
use crate::settings::InvocationChoice;

impl<C: Connector> Studio<C> {
    /// The schema, columns and delivery of `shape` for `model` (not chosen yet, or not an id: none) called with
    /// `invocation` (the family's default when absent), or why the shape cannot run.
    pub fn answer_preview(
        &self,
        shape: &AnswerShape,
        model: Option<&str>,
        invocation: Option<InvocationChoice>,
    ) -> AnswerPreview {
        let model = model.and_then(|m| ModelId::parse(m).ok());
        shape.preview(model.as_ref(), invocation.map(Into::into))
    }
}
