//! ListFoundationModels', GetFoundationModel's, ListInferenceProfiles' and GetInferenceProfile's answers: the
//! bundled model table's models Bedrock still serves, with their lifecycles, and their cross-Region profiles.

use batch_core::model::ModelId;
use batch_core::model_catalogue::{BatchRoute, ModelCatalogue, OutputKind};
use batch_core::model_lifecycle::today;
use serde_json::{Value, json};

use crate::error::ApiError;

/// ListFoundationModels' filters, as its query string gives them.
#[derive(Debug, Default)]
pub(crate) struct ModelFilter {
    /// `byProvider`: the provider's name, any case.
    pub(crate) provider: Option<String>,
    /// `byOutputModality`: TEXT, IMAGE or EMBEDDING.
    pub(crate) output_modality: Option<String>,
    /// `byInferenceType`: ON_DEMAND or PROVISIONED.
    pub(crate) inference_type: Option<String>,
    /// `byCustomizationType`: FINE_TUNING, CONTINUED_PRE_TRAINING or DISTILLATION.
    pub(crate) customization_type: Option<String>,
}

impl ModelFilter {
    /// Checks each filter as the service model constrains it.
    pub(crate) fn validate(&self) -> Result<(), ApiError> {
        let refuse = |field: &str, value: &str, rule: &str| {
            ApiError::validation(format!(
                "1 validation error detected: Value '{value}' at '{field}' failed to satisfy constraint: {rule}"
            ))
        };
        let enums: [(&str, &Option<String>, &[&str]); 3] = [
            ("byOutputModality", &self.output_modality, &["TEXT", "IMAGE", "EMBEDDING"]),
            ("byInferenceType", &self.inference_type, &["ON_DEMAND", "PROVISIONED"]),
            (
                "byCustomizationType",
                &self.customization_type,
                &["FINE_TUNING", "CONTINUED_PRE_TRAINING", "DISTILLATION"],
            ),
        ];
        for (field, value, allowed) in enums {
            if let Some(value) = value
                && !allowed.contains(&value.as_str())
            {
                return Err(refuse(
                    field,
                    value,
                    &format!("Member must satisfy enum value set: [{}]", allowed.join(", ")),
                ));
            }
        }
        if let Some(provider) = &self.provider
            && !((1..=63).contains(&provider.len())
                && provider.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b' '))
        {
            return Err(refuse(
                "byProvider",
                provider,
                "Member must satisfy regular expression pattern: [A-Za-z0-9- ]{1,63}",
            ));
        }
        Ok(())
    }

    fn admits(&self, summary: &Value) -> bool {
        let has = |list: &str, wanted: &Option<String>| {
            wanted.as_ref().is_none_or(|w| summary[list].as_array().is_some_and(|l| l.iter().any(|v| v == w.as_str())))
        };
        self.provider
            .as_ref()
            .is_none_or(|p| summary["providerName"].as_str().is_some_and(|n| n.eq_ignore_ascii_case(p)))
            && has("outputModalities", &self.output_modality)
            && has("inferenceTypesSupported", &self.inference_type)
            && has("customizationsSupported", &self.customization_type)
    }
}

/// `{"modelSummaries": [...]}` for `region`: the models `filter` admits.
pub(crate) fn foundation_models(region: &str, filter: &ModelFilter) -> Value {
    let summaries: Vec<Value> = model_summaries(region).into_iter().filter(|summary| filter.admits(summary)).collect();
    json!({ "modelSummaries": summaries })
}

/// GetFoundationModel: `{"modelDetails": …}` for a model id or its ARN.
pub(crate) fn foundation_model(region: &str, identifier: &str) -> Result<Value, ApiError> {
    use crate::error::ErrorKind;
    let id = identifier.rsplit_once(":foundation-model/").map_or(identifier, |(_, id)| id);
    ModelId::parse(id).map_err(|_| {
        ApiError::validation(format!(
            "1 validation error detected: Value '{identifier}' at 'modelIdentifier' failed to satisfy constraint: \
             Member must satisfy regular expression pattern"
        ))
    })?;
    model_summaries(region)
        .into_iter()
        .find(|summary| summary["modelId"] == id)
        .map(|details| json!({ "modelDetails": details }))
        .ok_or_else(|| ApiError::new(ErrorKind::ResourceNotFound, "The specified model identifier was not found."))
}

/// Every model of the bundled table Bedrock still serves today, as ListFoundationModels summarises them: a model
/// reachable only through profiles does not list `ON_DEMAND`, and each carries its lifecycle.
fn model_summaries(region: &str) -> Vec<Value> {
    let catalogue = ModelCatalogue::bundled();
    let today = today();
    catalogue
        .models
        .iter()
        .filter(|(_, model)| !model.lifecycle.ended_by(&today))
        .map(|(id, model)| {
            let embedding = model.output == OutputKind::Embedding;
            // The service model's InferenceType has ON_DEMAND and PROVISIONED only: a model served only through
            // profiles lists neither (AWS has been seen to answer an undeclared INFERENCE_PROFILE; the app reads
            // only whether ON_DEMAND is there).
            let inference_types: &[&str] = if model.batch == BatchRoute::InRegion { &["ON_DEMAND"] } else { &[] };
            let mut lifecycle = json!({ "status": model.lifecycle.status });
            if let Some(day) = &model.lifecycle.end_of_life {
                lifecycle["endOfLifeTime"] = json!(format!("{day}T00:00:00Z"));
            }
            json!({
                "modelArn": format!("arn:aws:bedrock:{region}::foundation-model/{id}"),
                "modelId": id,
                "modelName": model.name,
                "providerName": model.provider,
                "inputModalities": ["TEXT"],
                "outputModalities": [if embedding { "EMBEDDING" } else { "TEXT" }],
                "responseStreamingSupported": !embedding,
                "customizationsSupported": [],
                "inferenceTypesSupported": inference_types,
                "modelLifecycle": lifecycle
            })
        })
        .collect()
}

/// ListInferenceProfiles' query: `typeEquals`, `maxResults` and `nextToken`.
#[derive(Debug, Default)]
pub(crate) struct ProfileQuery {
    /// `SYSTEM_DEFINED` or `APPLICATION`.
    pub(crate) type_equals: Option<String>,
    /// 1 to 1000.
    pub(crate) max_results: Option<String>,
    /// The token of an earlier page.
    pub(crate) next_token: Option<String>,
}

/// `{"inferenceProfileSummaries": [...], "nextToken": …}`: a page of the cross-Region profiles whose geography
/// routes through `region` (and the global ones). The emulator defines no application profiles.
pub(crate) fn inference_profiles(region: &str, account: &str, query: &ProfileQuery) -> Result<Value, ApiError> {
    let refuse = |field: &str, value: &str, rule: &str| {
        ApiError::validation(format!(
            "1 validation error detected: Value '{value}' at '{field}' failed to satisfy constraint: {rule}"
        ))
    };
    if let Some(kind) = &query.type_equals
        && !["SYSTEM_DEFINED", "APPLICATION"].contains(&kind.as_str())
    {
        return Err(refuse("typeEquals", kind, "Member must satisfy enum value set: [SYSTEM_DEFINED, APPLICATION]"));
    }
    let max = match &query.max_results {
        None => 1000,
        Some(text) => match text.parse::<usize>() {
            Ok(n) if (1..=1000).contains(&n) => n,
            _ => return Err(refuse("maxResults", text, "Member must have value between 1 and 1000")),
        },
    };
    let start = match &query.next_token {
        None => 0,
        Some(token) => token.parse::<usize>().map_err(|_| ApiError::validation("The pagination token is invalid."))?,
    };
    let all: Vec<Value> = if query.type_equals.as_deref() == Some("APPLICATION") {
        Vec::new()
    } else {
        profile_summaries(region, account)
    };
    let page: Vec<Value> = all.iter().skip(start).take(max).cloned().collect();
    let mut answer = json!({ "inferenceProfileSummaries": page });
    if start + max < all.len() {
        answer["nextToken"] = json!((start + max).to_string());
    }
    Ok(answer)
}

/// GetInferenceProfile: the profile with this id or ARN.
pub(crate) fn inference_profile(region: &str, account: &str, identifier: &str) -> Result<Value, ApiError> {
    use crate::error::ErrorKind;
    let id = identifier.rsplit_once(":inference-profile/").map_or(identifier, |(_, id)| id);
    profile_summaries(region, account)
        .into_iter()
        .find(|profile| profile["inferenceProfileId"] == id)
        .ok_or_else(|| ApiError::new(ErrorKind::ResourceNotFound, "The specified inference profile was not found."))
}

/// The bundled table's cross-Region profiles that `region` can use, as ListInferenceProfiles summarises them:
/// each lists the foundation-model ARN of every destination Region (a global profile the Region-less ARN).
fn profile_summaries(region: &str, account: &str) -> Vec<Value> {
    let catalogue = ModelCatalogue::bundled();
    catalogue
        .offered(&today())
        .into_iter()
        .filter(|offer| offer.profile)
        .filter_map(|offer| {
            let geo = offer.id.profile_prefix()?.to_string();
            let destinations = catalogue.destinations(&offer.id)?;
            let model = offer.id.base_id();
            let arns: Vec<Value> = if destinations.is_empty() {
                vec![json!({ "modelArn": format!("arn:aws:bedrock:::foundation-model/{model}") })]
            } else if destinations.iter().any(|r| r == region) {
                destinations
                    .iter()
                    .map(|r| json!({ "modelArn": format!("arn:aws:bedrock:{r}::foundation-model/{model}") }))
                    .collect()
            } else {
                return None;
            };
            let label = if geo == "global" { "Global".to_string() } else { geo.to_uppercase() };
            Some(json!({
                "inferenceProfileName": format!("{label} {}", offer.model.name),
                "inferenceProfileArn": format!("arn:aws:bedrock:{region}:{account}:inference-profile/{}", offer.id),
                "inferenceProfileId": offer.id.as_str(),
                "description": format!("Routes requests to {} in {label} Regions", offer.model.name),
                "models": arns,
                "status": "ACTIVE",
                "type": "SYSTEM_DEFINED"
            }))
        })
        .collect()
}
