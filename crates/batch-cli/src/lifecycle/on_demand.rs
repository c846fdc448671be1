//! `retry --on-demand`: a run's failed and missing rows sent with on-demand calls (no batch minimum), priced
//! before anything is sent; `fetch` merges the answers afterwards.

use std::process::ExitCode;
use std::sync::atomic::AtomicBool;
use std::sync::{Arc, Mutex};

use anyhow::Result;
use batch_app::history::{History, Run};
use batch_app::on_demand::OnDemandOptions;
use batch_app::ports::Backend;
use batch_core::pricing::PriceTable;

use super::connect::{connect, runtime};
use super::event_lines::PRINTER;
use crate::args::{OutputFormat, RetryArgs};
use crate::display::{print_json, thousands, usd};

/// Requests a minute on AWS unless given: below the default on-demand quotas of the models this tool offers.
const AWS_REQUESTS_PER_MINUTE: f64 = 100.0;
/// Requests a minute against the local emulator.
const EMULATOR_REQUESTS_PER_MINUTE: f64 = 6_000.0;

/// Sends the rows of `run`'s last fetch that failed or are missing on demand.
pub fn retry(args: &RetryArgs, history: &Mutex<History>, run: &Run) -> Result<ExitCode> {
    runtime()?.block_on(async {
        let connection = connect(&args.access, run.sandbox, false).await?;
        let cancel = AtomicBool::new(false);
        let lifecycle = connection.lifecycle(history, &*PRINTER, &cancel);
        let quote = lifecycle.quote_on_demand_retry(run.id.as_str(), &PriceTable::bundled())?;
        let cost = match (quote.estimate.on_demand_usd, &quote.estimate.price) {
            (Some(most), Some(price)) => {
                let input = quote.estimate.input_tokens as f64 / 1e6 * price.input;
                let tier = if args.flex { " (Flex, where offered, is billed at its discount)" } else { "" };
                format!("{} – {} at on-demand prices{tier}", usd(input), usd(most))
            }
            _ => "cost unknown (no price for this model)".to_string(),
        };
        eprintln!(
            "sending {} rows of run {} on demand to {} ({:?}): ~{} input tokens, at most {} output; {cost}",
            thousands(quote.rows),
            quote.run,
            quote.model,
            quote.invocation,
            thousands(quote.estimate.input_tokens),
            thousands(quote.estimate.max_output_tokens),
        );
        let default_rate = if connection.sandbox() { EMULATOR_REQUESTS_PER_MINUTE } else { AWS_REQUESTS_PER_MINUTE };
        let per_minute = args.requests_per_minute.unwrap_or(default_rate).max(1.0);
        let options = OnDemandOptions {
            concurrency: args.concurrency.max(1),
            requests_per_minute: per_minute,
            min_requests_per_minute: (per_minute / 16.0).max(1.0),
            attempts: 6,
            pacing: connection.pacing(),
        };
        let invoker = Arc::new(connection.invoker(&quote.model, quote.invocation, args.flex));
        let sent = lifecycle.retry_on_demand(run.id.as_str(), invoker, options).await?;
        match args.format {
            OutputFormat::Json => print_json(&sent)?,
            OutputFormat::Text => {
                println!(
                    "run {}: {} rows sent on demand: {} answered, {} failed ({} calls{})",
                    sent.run,
                    thousands(sent.rows),
                    thousands(sent.succeeded),
                    thousands(sent.failed),
                    thousands(sent.calls),
                    if sent.already_answered > 0 {
                        format!("; {} answered by an earlier attempt", thousands(sent.already_answered))
                    } else {
                        String::new()
                    }
                );
                if sent.stopped {
                    println!("  stopped before the end: run the same command again to send the rest");
                }
                println!("  `bedrock-batch fetch {} --out DIR` merges the answers into the run's results", sent.run);
            }
        }
        Ok(ExitCode::SUCCESS)
    })
}
