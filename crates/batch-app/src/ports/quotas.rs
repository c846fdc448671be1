//! Bedrock's batch quotas for one model, as the backend found them (the account's, or defaults, saying which).

use batch_core::limits::Limits;
use serde::Serialize;

/// AWS's default quota of submitted plus in-progress batch jobs per model.
pub const DEFAULT_CONCURRENT_JOBS: u64 = 100;

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
    /// AWS's default quotas (100 concurrent jobs a model, the default [`Limits`]), with the reason they stand in
    /// for the account's.
    pub fn defaults(reason: impl Into<String>) -> Self {
        Self {
            limits: Limits::default(),
            max_concurrent_jobs: DEFAULT_CONCURRENT_JOBS,
            source: QuotaSource::Defaults { reason: reason.into() },
        }
    }
}

/// The account's on-demand quotas of one model (or profile), as far as Service Quotas says them.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct OnDemandQuotas {
    /// Requests a minute allowed.
    pub requests_per_minute: Option<f64>,
    /// Tokens a minute allowed (input plus the answer budget of requests in flight, as Bedrock counts them).
    pub tokens_per_minute: Option<f64>,
    /// Which quotas, or why none could be read.
    pub source: String,
}

impl OnDemandQuotas {
    /// No quota known, with why.
    pub fn unknown(reason: impl Into<String>) -> Self {
        Self { requests_per_minute: None, tokens_per_minute: None, source: reason.into() }
    }
}
