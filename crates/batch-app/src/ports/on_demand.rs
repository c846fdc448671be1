//! One record answered on demand: the port the on-demand path sends each record's body through.

use std::future::Future;

use batch_core::service_tier::Tier;
use serde_json::Value;

use super::ServiceError;

/// Sends one record's `modelInput` on demand (Converse, or InvokeModel with the native body) to the model, tier
/// and invocation type it was made for, and answers the response body as a batch job would have written it.
pub trait RecordInvoker: Send + Sync {
    /// The tier its calls are answered on (written into the answers' manifest).
    fn tier(&self) -> Tier;

    /// The response body for `model_input`, or the service's refusal.
    fn invoke(&self, model_input: &Value) -> impl Future<Output = Result<Value, ServiceError>> + Send;
    /// The input tokens the model would bill for `model_input` (CountTokens: free, nothing is generated).
    fn count_tokens(&self, model_input: &Value) -> impl Future<Output = Result<u64, ServiceError>> + Send;
}
