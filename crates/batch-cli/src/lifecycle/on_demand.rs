//! Rows sent with on-demand calls instead of a batch job — a sheet below the batch minimum (`run --on-demand`), a
//! run's failed and missing rows (`retry --on-demand`), an interrupted on-demand run continued (`status --watch`)
//! — priced before anything is sent and refused above the spend cap; `fetch` joins the answers.

use std::process::ExitCode;
use std::sync::atomic::AtomicBool;
use std::sync::{Arc, Mutex};

use anyhow::Result;
use batch_app::history::{History, Run};
use batch_app::lifecycle::RetryRequest;
use batch_app::lifecycle::{OnDemandRun, within_spend_cap};
use batch_app::on_demand::OnDemandOptions;
use batch_app::on_demand::quota_rate::{AskedRate, rate_for};
use batch_app::ports::Backend;
use batch_connect::Connection;
use batch_core::model::ModelId;
use batch_core::prepare::{PLAN_FILE, PreparedPlan};
use batch_core::pricing::{PriceTable, TierEstimate};
use batch_core::service_tier::{Tier, offers_flex};

use super::connect::{connect, runtime};
use super::event_lines::PRINTER;
use crate::args::{OnDemandArgs, OutputFormat, RetryArgs, ServiceTierArg};
use crate::display::{print_json, thousands, usd};

/// The tier `model`'s rows go on: the one asked for, else Flex where the model offers it; a note when Flex was
/// asked for and is not offered.
pub fn tier_for(model: &ModelId, args: &OnDemandArgs) -> Tier {
    let asked = args.service_tier.map(|t| t == ServiceTierArg::Flex);
    if asked == Some(true) && !offers_flex(model) {
        eprintln!("note: {model} is not offered on the Flex tier; its rows go on Standard (full on-demand price)");
    }
    Tier::on_demand_for(model, asked)
}

/// How `plan`'s records are paced: the rate and concurrency asked for, else within the account's on-demand
/// quotas, else the defaults for AWS or the sandbox — said on stderr.
pub async fn options(args: Option<&OnDemandArgs>, connection: &Connection, plan: &PreparedPlan) -> OnDemandOptions {
    let asked = AskedRate {
        requests_per_minute: args.and_then(|a| a.requests_per_minute),
        tokens_per_minute: args.and_then(|a| a.tokens_per_minute),
        concurrency: args.map(|a| a.concurrency),
    };
    let chosen = rate_for(connection, plan, asked).await;
    eprintln!("on-demand rate: {}", chosen.why);
    chosen.options
}

/// Prints what sending costs, then refuses when the most it can cost is above the cap.
pub fn price_and_check(what: &str, model: &ModelId, estimate: &TierEstimate, cap: Option<f64>) -> Result<()> {
    let cost = match (estimate.input_usd, estimate.most_usd) {
        (Some(least), Some(most)) => format!("{} – {}", usd(least), usd(most)),
        _ => "cost unknown (no price for this model)".to_string(),
    };
    eprintln!(
        "{what}: sending {} rows on demand ({}) to {model}: ~{} input tokens, at most {} output; {cost} (input only – every answer at its maximum)",
        thousands(estimate.rows),
        estimate.tier.as_str(),
        thousands(estimate.input_tokens),
        thousands(estimate.max_output_tokens),
    );
    Ok(within_spend_cap(estimate, cap)?)
}

/// Prints what an on-demand run did.
pub fn print_sent(sent: &OnDemandRun, format: OutputFormat) -> Result<()> {
    match format {
        OutputFormat::Json => print_json(sent)?,
        OutputFormat::Text => {
            println!(
                "run {}: {} rows on {}: {} answered, {} failed ({} calls{}{})",
                sent.run,
                thousands(sent.rows),
                sent.tier.as_str(),
                thousands(sent.succeeded),
                thousands(sent.failed),
                thousands(sent.calls),
                if sent.throttled > 0 { format!(", {} throttled", thousands(sent.throttled)) } else { String::new() },
                if sent.already_answered > 0 {
                    format!("; {} answered by an earlier attempt, not sent again", thousands(sent.already_answered))
                } else {
                    String::new()
                }
            );
            if sent.stopped {
                println!("  stopped before the end: `bedrock-batch status {} --watch` sends the rest", sent.run);
            }
        }
    }
    Ok(())
}

/// Sends the rows of `run`'s last fetch that failed or are missing (or `only` those record ids) on demand.
pub fn retry(args: &RetryArgs, history: &Mutex<History>, request: &RetryRequest) -> Result<ExitCode> {
    let run = super::find_run(history, &request.run)?;
    runtime()?.block_on(async {
        let connection = connect(&args.access, run.sandbox, false).await?;
        let cancel = AtomicBool::new(false);
        let lifecycle = connection.lifecycle(history, &*PRINTER, &cancel);
        let model = match &request.revision.model {
            Some(model) => model.clone(),
            None => ModelId::parse(&run.model_id)?,
        };
        let tier = tier_for(&model, &args.on_demand);
        let quote = lifecycle.quote_retry_of(request, tier, &PriceTable::bundled())?;
        let what = if quote.continues { "continuing the interrupted retry" } else { "retry" };
        price_and_check(
            &format!("{what} of run {}", quote.run),
            &quote.model,
            &quote.estimate,
            args.on_demand.max_cost,
        )?;
        let invoker = Arc::new(connection.invoker(&quote.model, quote.invocation, tier));
        let retry = lifecycle.record_on_demand_retry(request, tier)?;
        // The retry's own plan: its model's quotas pace the calls.
        let plan = PreparedPlan::read(&super::find_run(history, retry.as_str())?.prepared_dir.join(PLAN_FILE))?;
        let options = options(Some(&args.on_demand), &connection, &plan).await;
        let sent = lifecycle.answer_on_demand(retry.as_str(), invoker, options).await?;
        print_sent(&sent, args.format)?;
        if args.format == OutputFormat::Text {
            println!("  `bedrock-batch fetch {} --out DIR` merges the answers into the run's results", quote.run);
        }
        Ok(ExitCode::SUCCESS)
    })
}

/// Continues an on-demand run that was interrupted (only rows without an answer are sent).
pub async fn continue_run(history: &Mutex<History>, connection: &Connection, run: &Run) -> Result<OnDemandRun> {
    let cancel = AtomicBool::new(false);
    let lifecycle = connection.lifecycle(history, &*PRINTER, &cancel);
    let plan = PreparedPlan::read(&run.prepared_dir.join(PLAN_FILE))?;
    let invoker = Arc::new(connection.invoker(&plan.model.id, plan.model.invocation_type, run.tier));
    eprintln!("continuing run {} on {}: rows already answered are not sent again", run.id, run.tier.as_str());
    let options = options(None, connection, &plan).await;
    Ok(lifecycle.answer_on_demand(run.id.as_str(), invoker, options).await?)
}
