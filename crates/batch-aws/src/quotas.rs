//! Bedrock's batch quotas for a model: read from Service Quotas when allowed (the account's applied
//! values, then AWS defaults), else this tool's defaults — always saying which.

use aws_config::SdkConfig;
use aws_sdk_servicequotas::types::ServiceQuota;
use batch_app::ports::{BatchQuotas, OnDemandQuotas, QuotaSource, ServiceError};
use batch_core::limits::{GB, Limits};
use batch_core::model_catalogue::{quota_names_model as names_model, words};

use crate::failure::service_error;

/// Applies `(quota name, value)` pairs to the defaults for `model_id`; the matched model name, if any.
/// Where several model names match, the longest (most specific) wins.
pub fn apply_quotas(pairs: &[(String, f64)], model_id: &str) -> Option<(Limits, u64, String)> {
    let model = pairs
        .iter()
        .filter_map(|(name, _)| name.split_once(" for ").map(|(_, m)| m.trim().to_string()))
        .filter(|m| names_model(m, model_id))
        .max_by_key(|m| words(m).len())?;
    let mut limits = Limits::default();
    let mut concurrent = 10;
    for (name, value) in pairs {
        let Some((what, for_model)) = name.split_once(" for ") else { continue };
        if for_model.trim() != model {
            continue;
        }
        let n = value.max(0.0) as u64;
        let what = what.to_ascii_lowercase();
        if what.starts_with("minimum number of records per batch inference job") {
            limits.min_records_per_job = n;
        } else if what.starts_with("records per batch inference job") {
            limits.max_records_per_job = n;
        } else if what.starts_with("records per input file per batch inference job") {
            limits.max_records_per_file = n;
        } else if what.starts_with("batch inference input file size") {
            limits.max_file_bytes = n * GB;
        } else if what.starts_with("batch inference job size") {
            limits.max_job_bytes = n * GB;
        } else if what.starts_with("sum of in-progress and submitted batch inference jobs using a base model") {
            concurrent = n;
        }
    }
    Some((limits, concurrent, model))
}

/// A quota's name and value, when it has both.
fn named(quota: &ServiceQuota) -> Option<(String, f64)> {
    Some((quota.quota_name()?.to_string(), quota.value()?))
}

/// One page of Bedrock's quotas: the account's applied values, or AWS's defaults.
async fn quota_page(
    client: &aws_sdk_servicequotas::Client,
    applied: bool,
    token: Option<String>,
) -> Result<(Vec<(String, f64)>, Option<String>), ServiceError> {
    let next = |t: Option<&str>| t.map(str::to_string);
    if applied {
        let page = client.list_service_quotas().service_code("bedrock").set_next_token(token).send().await;
        let page = page.map_err(|e| service_error("ListServiceQuotas", e))?;
        Ok((page.quotas().iter().filter_map(named).collect(), next(page.next_token())))
    } else {
        let page = client.list_aws_default_service_quotas().service_code("bedrock").set_next_token(token).send().await;
        let page = page.map_err(|e| service_error("ListAWSDefaultServiceQuotas", e))?;
        Ok((page.quotas().iter().filter_map(named).collect(), next(page.next_token())))
    }
}

/// Every page of one list.
async fn all_quotas(client: &aws_sdk_servicequotas::Client, applied: bool) -> Result<Vec<(String, f64)>, ServiceError> {
    let mut pairs = Vec::new();
    let mut token = None;
    loop {
        let (page, next) = quota_page(client, applied, token).await?;
        pairs.extend(page);
        match next {
            Some(next) => token = Some(next),
            None => return Ok(pairs),
        }
    }
}

/// The model names Bedrock's batch quotas are written for ("Records per batch inference job for Claude Haiku 4.5"
/// names Claude Haiku 4.5): the models that can run batch in this account and Region.
pub async fn batch_model_names(config: &SdkConfig) -> Result<Vec<String>, ServiceError> {
    let client = aws_sdk_servicequotas::Client::new(config);
    let pairs = all_quotas(&client, false).await?;
    Ok(batch_names(&pairs))
}

/// The model names of the batch quotas among `pairs`, each once.
fn batch_names(pairs: &[(String, f64)]) -> Vec<String> {
    let mut names: Vec<String> = pairs
        .iter()
        .filter(|(name, _)| name.to_ascii_lowercase().contains("batch inference"))
        .filter_map(|(name, _)| Some(name.split_once(" for ")?.1.trim().to_string()))
        .collect();
    names.sort();
    names.dedup();
    names
}

/// Reads the quotas for `model_id`: the account's applied values, else AWS's defaults; never fails — when
/// Service Quotas cannot be read or lists nothing for the model, this tool's defaults, with the reason.
pub async fn batch_quotas(config: &SdkConfig, model_id: &str) -> BatchQuotas {
    let client = aws_sdk_servicequotas::Client::new(config);
    let mut failure = None;
    for applied in [true, false] {
        match all_quotas(&client, applied).await {
            Ok(pairs) => {
                if let Some((limits, max_concurrent_jobs, matched)) = apply_quotas(&pairs, model_id) {
                    return BatchQuotas { limits, max_concurrent_jobs, source: QuotaSource::ServiceQuotas { matched } };
                }
            }
            Err(error) => failure = Some(error),
        }
    }
    BatchQuotas::defaults(match failure {
        Some(error) => format!("Service Quotas could not be read: {}", error.message.lines().next().unwrap_or("")),
        None => format!("Service Quotas lists no batch quotas for {model_id}"),
    })
}

/// The on-demand request and token quotas for `model_id` among `pairs`: "On-demand InvokeModel requests per
/// minute for …" for a model's own id, "Cross-region model inference … per minute for …" for a profile (the
/// on-demand ones when a profile's are not listed). The most specific model name wins, as for batch quotas.
pub fn apply_on_demand_quotas(pairs: &[(String, f64)], model_id: &str) -> Option<OnDemandQuotas> {
    let profile = batch_core::model::ModelId::parse(model_id).is_ok_and(|id| id.base_id() != id.without_arn());
    let prefixes: &[&str] =
        if profile { &["cross-region model inference", "on-demand invokemodel"] } else { &["on-demand invokemodel"] };
    for prefix in prefixes {
        let ours: Vec<(&str, &str, f64)> = pairs
            .iter()
            .filter_map(|(name, value)| {
                let (what, model) = name.split_once(" for ")?;
                let what_lower = what.to_ascii_lowercase();
                let kind = what_lower.strip_prefix(prefix)?.trim().to_string();
                names_model(model.trim(), model_id).then_some((
                    model.trim(),
                    if kind.starts_with("requests") {
                        "requests"
                    } else if kind.starts_with("tokens") {
                        "tokens"
                    } else {
                        ""
                    },
                    *value,
                ))
            })
            .filter(|(_, kind, _)| !kind.is_empty())
            .collect();
        let Some(best) = ours.iter().map(|(model, _, _)| *model).max_by_key(|m| words(m).len()) else { continue };
        let value = |kind: &str| ours.iter().find(|(m, k, _)| *m == best && *k == kind).map(|(_, _, v)| *v);
        return Some(OnDemandQuotas {
            requests_per_minute: value("requests"),
            tokens_per_minute: value("tokens"),
            source: format!("Service Quotas' \"{prefix}\" quotas for {best}"),
        });
    }
    None
}

/// The on-demand quotas of `model_id`: the account's applied values, else AWS's defaults; never fails.
pub async fn on_demand_quotas(config: &SdkConfig, model_id: &str) -> OnDemandQuotas {
    let client = aws_sdk_servicequotas::Client::new(config);
    let mut failure = None;
    for applied in [true, false] {
        match all_quotas(&client, applied).await {
            Ok(pairs) => {
                if let Some(found) = apply_on_demand_quotas(&pairs, model_id) {
                    return found;
                }
            }
            Err(error) => failure = Some(error),
        }
    }
    OnDemandQuotas::unknown(match failure {
        Some(error) => format!("Service Quotas could not be read: {}", error.message.lines().next().unwrap_or("")),
        None => format!("Service Quotas lists no on-demand quota for {model_id}"),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pairs() -> Vec<(String, f64)> {
        [
            ("Minimum number of records per batch inference job for Claude Haiku 4.5", 100.0),
            ("Records per batch inference job for Claude Haiku 4.5", 100_000.0),
            ("Records per input file per batch inference job for Claude Haiku 4.5", 100_000.0),
            ("Batch inference input file size (in GB) for Claude Haiku 4.5", 1.0),
            ("Batch inference job size (in GB) for Claude Haiku 4.5", 5.0),
            ("Sum of in-progress and submitted batch inference jobs using a base model for Claude Haiku 4.5", 20.0),
            ("Batch inference job size (in GB) for Nova Lite V1", 100.0),
            ("Batch inference job size (in GB) for Nova 2 Lite", 7.0),
            ("On-demand InvokeModel requests per minute for Claude Haiku 4.5", 500.0),
        ]
        .into_iter()
        .map(|(n, v)| (n.to_string(), v))
        .collect()
    }

    #[test]
    fn quotas_are_matched_to_model_ids_by_their_display_names() {
        let (limits, concurrent, matched) =
            apply_quotas(&pairs(), "us.anthropic.claude-haiku-4-5-20251001-v1:0").unwrap();
        assert_eq!(matched, "Claude Haiku 4.5");
        assert_eq!(limits.max_records_per_job, 100_000);
        assert_eq!(limits.max_job_bytes, 5 * GB);
        assert_eq!(concurrent, 20);
        let (nova, _, matched) = apply_quotas(&pairs(), "amazon.nova-lite-v1:0").unwrap();
        assert_eq!(matched, "Nova Lite V1");
        assert_eq!(nova.max_job_bytes, 100 * GB);
        // "Nova 2 Lite" must not match Nova Lite V1's id, nor the other way round.
        assert_eq!(apply_quotas(&pairs(), "amazon.nova-2-lite-v1:0").unwrap().2, "Nova 2 Lite");
        assert!(apply_quotas(&pairs(), "meta.llama3-1-8b-instruct-v1:0").is_none());
    }

    #[test]
    fn on_demand_quotas_are_read_for_a_model_and_for_a_profile() {
        let mut all = pairs();
        all.push(("On-demand InvokeModel tokens per minute for Claude Haiku 4.5".into(), 2_000_000.0));
        all.push(("Cross-region model inference requests per minute for Claude Haiku 4.5".into(), 1_000.0));
        all.push(("Cross-region model inference tokens per minute for Claude Haiku 4.5".into(), 4_000_000.0));
        let own = apply_on_demand_quotas(&all, "anthropic.claude-haiku-4-5-20251001-v1:0").unwrap();
        assert_eq!((own.requests_per_minute, own.tokens_per_minute), (Some(500.0), Some(2_000_000.0)));
        let profile = apply_on_demand_quotas(&all, "us.anthropic.claude-haiku-4-5-20251001-v1:0").unwrap();
        assert_eq!((profile.requests_per_minute, profile.tokens_per_minute), (Some(1_000.0), Some(4_000_000.0)));
        assert!(profile.source.contains("cross-region"), "{}", profile.source);
        assert!(apply_on_demand_quotas(&all, "amazon.nova-lite-v1:0").is_none());
    }

    #[test]
    fn the_batch_quotas_name_the_models_that_run_batch() {
        // The on-demand quota names a model too, but not as one that runs batch.
        let mut with_on_demand_only = pairs();
        with_on_demand_only.push(("On-demand InvokeModel requests per minute for Llama 3.1 8B Instruct".into(), 1.0));
        assert_eq!(batch_names(&with_on_demand_only), ["Claude Haiku 4.5", "Nova 2 Lite", "Nova Lite V1"]);
    }
}
