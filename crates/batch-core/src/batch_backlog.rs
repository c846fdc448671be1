//! Bedrock's batch backlog for one model, as its CloudWatch metrics (namespace `AWS/Bedrock/Batch`, dimension
//! `ModelId`) tell it: records (and, for Claude models, tokens) waiting, and the tokens processed a minute. The
//! backlog is the account's, not one run's: the time it takes to clear is when the last queued record of this
//! model, ours included, is likely done.

use serde::{Deserialize, Serialize};

/// The CloudWatch namespace Bedrock publishes its batch metrics in.
pub const NAMESPACE: &str = "AWS/Bedrock/Batch";
/// The dimension the metrics are published by.
pub const MODEL_DIMENSION: &str = "ModelId";
/// Records submitted and not yet processed.
pub const RECORDS_PENDING: &str = "NumberOfRecordsPendingProcessing";
/// Input tokens waiting (published for Anthropic Claude models only).
pub const TOKENS_PENDING: &str = "NumberOfTokensPendingProcessing";
/// Input tokens processed in the last minute.
pub const INPUT_TOKENS_PER_MINUTE: &str = "NumberOfInputTokensProcessedPerMinute";
/// Output tokens generated in the last minute.
pub const OUTPUT_TOKENS_PER_MINUTE: &str = "NumberOfOutputTokensProcessedPerMinute";

/// The latest value of each batch metric of a model (none: not published in the window asked for).
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct ModelBacklog {
    /// Records waiting to be processed.
    pub records_pending: Option<f64>,
    /// Input tokens waiting to be processed.
    pub tokens_pending: Option<f64>,
    /// Input tokens processed a minute.
    pub input_tokens_per_minute: Option<f64>,
    /// Output tokens generated a minute.
    pub output_tokens_per_minute: Option<f64>,
}

impl ModelBacklog {
    /// True when no metric had a value.
    pub fn is_empty(&self) -> bool {
        *self == Self::default()
    }

    /// Minutes until the backlog clears at the current pace: the tokens waiting over the tokens processed a
    /// minute when both are published, else the records waiting over the records a minute that pace makes at
    /// `input_tokens_per_record`. Zero when nothing waits; none when the pace is unknown or nil.
    pub fn minutes_to_clear(&self, input_tokens_per_record: Option<f64>) -> Option<f64> {
        if self.records_pending == Some(0.0) || self.tokens_pending == Some(0.0) {
            return Some(0.0);
        }
        let pace = self.input_tokens_per_minute.filter(|p| p.is_finite() && *p > 0.0)?;
        if let Some(tokens) = self.tokens_pending.filter(|t| t.is_finite() && *t > 0.0) {
            return Some(tokens / pace);
        }
        let per_record = input_tokens_per_record.filter(|t| t.is_finite() && *t > 0.0)?;
        let records = self.records_pending.filter(|r| r.is_finite() && *r > 0.0)?;
        Some(records / (pace / per_record))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_backlog_clears_at_the_token_pace_and_falls_back_to_records_at_the_run_s_record_size() {
        // Claude publishes tokens waiting: 600,000 at 120,000 a minute is 5 minutes, whatever the record size.
        let claude = ModelBacklog {
            records_pending: Some(2_000.0),
            tokens_pending: Some(600_000.0),
            input_tokens_per_minute: Some(120_000.0),
            output_tokens_per_minute: Some(9_000.0),
        };
        assert_eq!(claude.minutes_to_clear(None), Some(5.0));
        // Other models: 2,000 records of 300 tokens at 120,000 tokens a minute (400 records a minute).
        let nova = ModelBacklog { tokens_pending: None, ..claude };
        assert_eq!(nova.minutes_to_clear(Some(300.0)), Some(5.0));
        assert_eq!(nova.minutes_to_clear(None), None, "no record size, no pace in records");
        // Nothing processed in the last minute: no pace, no end.
        let stalled = ModelBacklog { input_tokens_per_minute: Some(0.0), ..nova };
        assert_eq!(stalled.minutes_to_clear(Some(300.0)), None);
        // Nothing waits: cleared, even without a pace.
        let idle = ModelBacklog { records_pending: Some(0.0), ..ModelBacklog::default() };
        assert_eq!(idle.minutes_to_clear(None), Some(0.0));
        assert!(ModelBacklog::default().is_empty() && !idle.is_empty());
    }
}
