//! `estimate`: what a prepared run will cost, measured before anything is spent — the cost-check use case,
//! printed.

use std::fmt::Write as _;
use std::process::ExitCode;

use anyhow::Result;
use batch_app::cost_check::{CostCheck, check_cost};
use batch_app::ports::Backend;
use batch_core::prepare::{PLAN_FILE, PreparedPlan};
use batch_core::pricing::PriceTable;
use batch_core::service_tier::Tier;

use super::connect::{connect, open_history, runtime};
use crate::args::{EstimateArgs, OutputFormat};
use crate::display::{print_json, thousands, usd};

/// `estimate`.
pub fn estimate(args: EstimateArgs) -> Result<ExitCode> {
    let history = open_history()?;
    let plan = PreparedPlan::read(&args.prepared.join(PLAN_FILE))?;
    runtime()?.block_on(async {
        let connection = connect(&args.access, false, true).await?;
        let invoker = connection.invoker(&plan.model.id, plan.model.invocation_type, Tier::OnDemand);
        if args.test_rows > 0 {
            eprintln!(
                "answering {} rows on demand to measure the answers (billed at the on-demand price)",
                args.test_rows
            );
        }
        let checked =
            check_cost(&args.prepared, &invoker, &history, (args.sample, args.test_rows), &PriceTable::bundled())
                .await?;
        match args.format {
            OutputFormat::Json => print_json(&checked)?,
            OutputFormat::Text => print!("{}", text(&checked)),
        }
        Ok(ExitCode::SUCCESS)
    })
}

fn percent(ratio: f64) -> String {
    format!("{:+.1}%", (ratio - 1.0) * 100.0)
}

/// The cost check in lines.
fn text(c: &CostCheck) -> String {
    let mut s = String::new();
    let input = &c.input;
    let _ =
        write!(s, "input      ~{} tokens estimated for {} rows", thousands(input.estimated), thousands(input.records));
    match (input.ratio, &input.unavailable) {
        (Some(ratio), _) => {
            let _ = writeln!(
                s,
                "; CountTokens on {} of them: {} → {} ({} – {})",
                input.sampled,
                percent(ratio),
                thousands(input.expected),
                thousands(input.low),
                thousands(input.high)
            );
        }
        (None, Some(why)) => {
            let _ = writeln!(s, "\n           {why}");
        }
        (None, None) => {
            let _ = writeln!(s);
        }
    }
    if let Some(ratio) = c.past_ratio {
        let _ = writeln!(s, "           this model's past runs were billed {} against their estimates", percent(ratio));
    }
    let out = &c.output;
    let known = |tokens: Option<u64>| tokens.map_or_else(|| "?".to_string(), thousands);
    let _ = writeln!(
        s,
        "output     low {}, expected {}, worst {} tokens ({})",
        known(out.low),
        known(out.expected),
        thousands(out.worst),
        out.basis
    );
    let money = |usd_value: Option<f64>| usd_value.map_or_else(|| "?".to_string(), usd);
    for cost in &c.costs {
        let _ = writeln!(
            s,
            "cost       {:<10} low {}, expected {}, worst {}",
            cost.tier.as_str(),
            money(cost.low_usd),
            money(cost.expected_usd),
            money(cost.worst_usd)
        );
    }
    for past in &c.past_runs {
        let ratio = past.billed_input as f64 / past.estimated_input.max(1) as f64;
        let _ = writeln!(
            s,
            "past run   {} ({}): {} input tokens estimated, {} billed ({})",
            past.run_id,
            past.fetched_at,
            thousands(past.estimated_input),
            thousands(past.billed_input),
            percent(ratio)
        );
    }
    s
}
