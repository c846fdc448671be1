//! The window's deadline: read from what the user typed (the CLI's rule), and, when a run's deadline stopped its
//! jobs, the rows left sent on demand at once within the budget approved at submit, or the cost said instead.

use std::sync::Arc;

use batch_core::deadline::{duration_minutes, resolve_deadline};
use batch_core::model::ModelId;
use batch_core::pricing::PriceTable;
use batch_core::progress::NoProgress;
use batch_core::service_tier::Tier;

use super::StudioError;
use crate::history::Run;
use crate::lifecycle::{FetchReport, FetchRequest, Lifecycle};
use crate::on_demand::quota_rate::{AskedRate, rate_for};
use crate::ports::{Backend, JobsApi, ObjectTransfer};

/// The deadline (RFC 3339, UTC) and queue limit (minutes) of what the user typed, `local_offset_minutes` east of
/// UTC; empty fields are none.
pub(super) fn deadline_settings(
    deadline: Option<&str>,
    max_queue: Option<&str>,
    local_offset_minutes: i32,
) -> Result<(Option<String>, Option<u64>), StudioError> {
    let invalid = |e: batch_core::deadline::DeadlineError| StudioError::Invalid(e.to_string());
    let now = batch_core::clock::unix_now();
    let deadline = match deadline.map(str::trim).filter(|d| !d.is_empty()) {
        Some(text) => Some(batch_core::clock::rfc3339_from_unix(
            resolve_deadline(text, now, i64::from(local_offset_minutes) * 60).map_err(invalid)?,
        )),
        None => None,
    };
    let max_queue = match max_queue.map(str::trim).filter(|q| !q.is_empty()) {
        Some(text) => Some(duration_minutes(text).map_err(invalid)?),
        None => None,
    };
    Ok((deadline, max_queue))
}

/// After `reason` (a deadline or a queue limit) stopped `run`'s jobs and `fetched` took what they wrote: the rows
/// left go on demand when their worst case is within `budget`, and are fetched again; otherwise nothing is sent.
/// Returns the latest fetch and what to tell the user.
pub(super) async fn after_deadline<B: Backend, J: JobsApi, T: ObjectTransfer>(
    connection: &B,
    lifecycle: &Lifecycle<'_, J, T>,
    run: &Run,
    reason: &str,
    (request, fetched): (&FetchRequest, FetchReport),
    budget: Option<f64>,
) -> Result<(FetchReport, String), StudioError> {
    let left = fetched.summary.failed + fetched.summary.missing;
    if left == 0 {
        return Ok((fetched, format!("stopped: {reason}; every row had an answer")));
    }
    let model = ModelId::parse(&run.model_id).map_err(|e| StudioError::Invalid(e.to_string()))?;
    let tier = Tier::on_demand_for(&model, None);
    let fallback = lifecycle.deadline_fallback(&request.run, tier, &PriceTable::bundled(), budget)?;
    let estimate = &fallback.quote.estimate;
    let cost = match (estimate.input_usd, estimate.most_usd) {
        (Some(least), Some(most)) => format!("${least:.4} – ${most:.4}"),
        _ => "an unknown cost (no price for the model)".to_string(),
    };
    if !fallback.approved {
        return Ok((
            fetched,
            format!("stopped: {reason}; {left} rows are unanswered: Retry on demand in Results sends them for {cost}"),
        ));
    }
    let invoker = Arc::new(connection.invoker(&fallback.quote.model, fallback.quote.invocation, tier));
    let plan = batch_core::prepare::PreparedPlan::read(&run.prepared_dir.join(batch_core::prepare::PLAN_FILE))?;
    let options = rate_for(connection, &plan, AskedRate::default()).await.options;
    let sent = lifecycle.retry_on_demand(&request.run, invoker, options).await?;
    let again = lifecycle.fetch(request, &NoProgress).await?;
    Ok((
        again,
        format!(
            "stopped: {reason}; {} of the {left} rows left were answered on demand ({}) within the approved budget",
            sent.succeeded,
            sent.tier.as_str()
        ),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn what_the_user_typed_becomes_the_run_s_settings_or_one_clear_refusal() {
        assert_eq!(deadline_settings(None, Some(" "), 0).unwrap(), (None, None));
        let (deadline, queue) = deadline_settings(Some("+2h"), Some("90m"), 60).unwrap();
        let at = batch_core::clock::unix_from_rfc3339(&deadline.unwrap()).unwrap();
        assert!((at - batch_core::clock::unix_now() - 7200).abs() <= 2);
        assert_eq!(queue, Some(90));
        let refused = deadline_settings(Some("teatime"), None, 0).unwrap_err().to_string();
        assert!(refused.contains("not a deadline"), "{refused}");
    }
}
