//! The on-demand rate a run starts at: what the user asked for, else a share of the account's quotas (requests a
//! minute, and tokens a minute over each record's tokens), else a conservative default — and why.

use batch_core::prepare::PreparedPlan;

use super::OnDemandOptions;
use crate::lifecycle::Pacing;
use crate::ports::{Backend, OnDemandQuotas};

/// The share of a quota a run aims at, leaving room for the account's other callers and for bursts.
const QUOTA_SHARE: f64 = 0.8;

/// What the user asked of the pace, each part optional.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct AskedRate {
    /// Requests a minute to start at (the quotas are then not consulted).
    pub requests_per_minute: Option<f64>,
    /// Tokens a minute to stay under, instead of the account's token quota.
    pub tokens_per_minute: Option<f64>,
    /// Calls in flight at once.
    pub concurrency: Option<usize>,
}

/// The starting rate and why it was chosen.
#[derive(Debug, Clone, PartialEq)]
pub struct ChosenRate {
    /// The options to send with.
    pub options: OnDemandOptions,
    /// Why this rate, in a sentence.
    pub why: String,
}

/// Options for a run whose records take about `tokens_per_record` tokens each (input estimate plus the answer
/// budget, as Bedrock counts a request against the tokens quota): the rate `asked` (requests a minute) when
/// given, else 80% of the tighter of the account's request quota and its token quota over `tokens_per_record`,
/// else the default for AWS or the sandbox.
pub fn within_quotas(
    sandbox: bool,
    asked: AskedRate,
    pacing: Pacing,
    quotas: &OnDemandQuotas,
    tokens_per_record: u64,
) -> ChosenRate {
    let concurrency = asked.concurrency;
    if let Some(rate) = asked.requests_per_minute {
        return ChosenRate {
            options: OnDemandOptions::new(sandbox, Some(rate), concurrency, pacing),
            why: format!("{rate:.0} requests a minute, as asked"),
        };
    }
    let mut quotas = quotas.clone();
    if let Some(tokens) = asked.tokens_per_minute {
        quotas.tokens_per_minute = Some(tokens);
        quotas.source = format!("{} with the tokens a minute asked for", quotas.source);
    }
    let by_tokens = quotas.tokens_per_minute.map(|t| t / tokens_per_record.max(1) as f64);
    let limit = match (quotas.requests_per_minute, by_tokens) {
        (Some(r), Some(t)) => Some(r.min(t)),
        (one, other) => one.or(other),
    };
    match limit {
        Some(limit) => {
            let rate = (limit * QUOTA_SHARE).max(1.0);
            ChosenRate {
                options: OnDemandOptions::new(sandbox, Some(rate), concurrency, pacing),
                why: format!(
                    "{rate:.0} requests a minute: 80% of {} ({}{})",
                    quotas.source,
                    quotas.requests_per_minute.map_or_else(String::new, |r| format!("{r:.0} requests a minute")),
                    quotas.tokens_per_minute.map_or_else(String::new, |t| format!(
                        "{}{t:.0} tokens a minute at ~{tokens_per_record} a record",
                        if quotas.requests_per_minute.is_some() { ", " } else { "" }
                    )),
                ),
            }
        }
        None => {
            let options = OnDemandOptions::new(sandbox, None, concurrency, pacing);
            ChosenRate {
                why: format!("{:.0} requests a minute, the default ({})", options.requests_per_minute, quotas.source),
                options,
            }
        }
    }
}

/// The starting rate for `plan`'s records through `backend`: what was `asked`, else within the account's on-demand
/// quotas for the model.
pub async fn rate_for<B: Backend>(backend: &B, plan: &PreparedPlan, asked: AskedRate) -> ChosenRate {
    let quotas = backend.on_demand_quotas(plan.model.id.as_str()).await;
    let per_record = plan.totals.input_tokens / plan.totals.records.max(1) + u64::from(plan.model.params.max_tokens);
    within_quotas(backend.sandbox(), asked, backend.pacing(), &quotas, per_record)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn quotas(requests: Option<f64>, tokens: Option<f64>) -> OnDemandQuotas {
        OnDemandQuotas { requests_per_minute: requests, tokens_per_minute: tokens, source: "the quotas".into() }
    }

    #[test]
    fn the_rate_is_asked_else_within_the_tighter_quota_else_the_default() {
        let pacing = Pacing::local();
        let rate = |asked, q: &OnDemandQuotas| {
            within_quotas(false, AskedRate { requests_per_minute: asked, ..AskedRate::default() }, pacing, q, 1_000)
        };
        assert_eq!(rate(Some(50.0), &quotas(Some(500.0), None)).options.requests_per_minute, 50.0);
        // 500 requests a minute, or 200,000 tokens a minute at 1,000 a record = 200: the tokens decide.
        let chosen = rate(None, &quotas(Some(500.0), Some(200_000.0)));
        assert_eq!(chosen.options.requests_per_minute, 160.0);
        assert!(chosen.why.contains("80% of the quotas") && chosen.why.contains("200000 tokens"), "{}", chosen.why);
        assert_eq!(rate(None, &quotas(Some(500.0), None)).options.requests_per_minute, 400.0);
        let unknown = rate(None, &OnDemandQuotas::unknown("none listed"));
        assert_eq!(unknown.options.requests_per_minute, OnDemandOptions::AWS_REQUESTS_PER_MINUTE);
        assert!(unknown.why.contains("the default (none listed)"), "{}", unknown.why);
        // Tokens a minute asked for stand in for the account's token quota.
        let tokens = AskedRate { tokens_per_minute: Some(100_000.0), ..AskedRate::default() };
        let chosen = within_quotas(false, tokens, pacing, &quotas(Some(500.0), Some(200_000.0)), 1_000);
        assert_eq!(chosen.options.requests_per_minute, 80.0);
        assert!(chosen.why.contains("asked for"), "{}", chosen.why);
    }
}
