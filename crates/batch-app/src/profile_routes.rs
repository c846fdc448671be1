//! A cross-Region profile's destination models, as the account lists them, put into an access check's setup so
//! its checks and fix policies name the foundation model in every Region the profile routes to.

use batch_core::iam::AccessSetup;

use crate::ports::Backend;

/// Fills `setup.profile_models` from the account's GetInferenceProfile when the model is a profile id; returns a
/// note when the account's answer could not be read (the bundled model table is used instead).
pub async fn resolve_profile_models<B: Backend>(backend: &B, setup: &mut AccessSetup) -> Option<String> {
    if setup.model_id.profile_prefix().is_none() || setup.model_id.as_str().starts_with("arn:") {
        return None;
    }
    match backend.profile_models(&setup.model_id).await {
        Ok(models) if !models.is_empty() => {
            setup.profile_models = Some(models);
            None
        }
        Ok(_) => None,
        Err(error) => Some(format!(
            "the profile's destination Regions are taken from the bundled model table: the account's could not be read ({})",
            error.message.lines().next().unwrap_or_default()
        )),
    }
}
