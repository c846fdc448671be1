//! Bedrock's batch quotas for a model: read from Service Quotas when allowed (the account's applied
//! values, then AWS defaults), else this tool's defaults — always saying which.

use aws_config::SdkConfig;
use batch_core::limits::{GB, Limits};
use serde::Serialize;

use crate::failure::service_error;

/// Where the quotas came from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "source", rename_all = "snake_case")]
pub enum QuotaSource {
    /// Service Quotas answered for this model.
    ServiceQuotas {
        /// The model name the quotas were matched by.
        matched: String,
    },
    /// Defaults, with the reason the service's values were not used.
    Defaults {
        /// Why.
        reason: String,
    },
}

/// The batch quotas that apply to one model.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct BatchQuotas {
    /// Record and size limits.
    pub limits: Limits,
    /// Submitted plus in-progress jobs allowed for the model.
    pub max_concurrent_jobs: u64,
    /// Where they came from.
    pub source: QuotaSource,
}

impl BatchQuotas {
    /// This tool's defaults (AWS's documented defaults), with the reason they are used.
    pub fn defaults(reason: impl Into<String>) -> Self {
        Self {
            limits: Limits::default(),
            max_concurrent_jobs: 10,
            source: QuotaSource::Defaults { reason: reason.into() },
        }
    }
}

/// The words of a name, lowercased, letters and digits only.
fn words(text: &str) -> Vec<String> {
    text.split(|c: char| !c.is_ascii_alphanumeric()).filter(|w| !w.is_empty()).map(str::to_ascii_lowercase).collect()
}

/// True when every word of a quota's model name appears, in order, among the model id's words
/// ("Claude Haiku 4.5" ↔ `anthropic.claude-haiku-4-5-20251001-v1:0`; "Nova Lite V1" ↔ `amazon.nova-lite-v1:0`).
fn names_model(display: &str, model_id: &str) -> bool {
    let id = words(model_id);
    let mut at = 0;
    for word in words(display) {
        match id[at..].iter().position(|w| *w == word) {
            Some(found) => at += found + 1,
            None => return false,
        }
    }
    true
}

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

/// Reads the quotas for `model_id`; never fails — falls back to the defaults with the reason.
pub async fn batch_quotas(config: &SdkConfig, model_id: &str) -> BatchQuotas {
    let client = aws_sdk_servicequotas::Client::new(config);
    let mut pairs = Vec::new();
    for applied in [true, false] {
        let mut page_token = None;
        loop {
            let result = if applied {
                client
                    .list_service_quotas()
                    .service_code("bedrock")
                    .set_next_token(page_token.clone())
                    .send()
                    .await
                    .map(|o| {
                        let quotas: Vec<(String, f64)> =
                            o.quotas().iter().filter_map(|q| Some((q.quota_name()?.to_string(), q.value()?))).collect();
                        (quotas, o.next_token().map(str::to_string))
                    })
                    .map_err(|e| service_error("ListServiceQuotas", e))
            } else {
                client
                    .list_aws_default_service_quotas()
                    .service_code("bedrock")
                    .set_next_token(page_token.clone())
                    .send()
                    .await
                    .map(|o| {
                        let quotas: Vec<(String, f64)> =
                            o.quotas().iter().filter_map(|q| Some((q.quota_name()?.to_string(), q.value()?))).collect();
                        (quotas, o.next_token().map(str::to_string))
                    })
                    .map_err(|e| service_error("ListAWSDefaultServiceQuotas", e))
            };
            match result {
                Ok((quotas, next)) => {
                    pairs.extend(quotas);
                    page_token = next;
                    if page_token.is_none() {
                        break;
                    }
                }
                Err(error) => {
                    if pairs.is_empty() && !applied {
                        return BatchQuotas::defaults(format!(
                            "Service Quotas could not be read ({})",
                            error.message.lines().next().unwrap_or("")
                        ));
                    }
                    break;
                }
            }
        }
        if let Some((limits, concurrent, matched)) = apply_quotas(&pairs, model_id) {
            return BatchQuotas {
                limits,
                max_concurrent_jobs: concurrent,
                source: QuotaSource::ServiceQuotas { matched },
            };
        }
    }
    BatchQuotas::defaults(format!("Service Quotas lists no batch quotas for {model_id}"))
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
}
