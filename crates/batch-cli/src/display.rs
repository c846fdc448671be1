//! Readable text summaries for the terminal.

use std::fmt::Write;
use std::io::IsTerminal;
use std::path::Path;

use batch_core::model::{InvocationType, ModelFamily};
use batch_core::prepare::{PreparedPlan, Preview};
use batch_core::results::ResultsSummary;

pub use crate::answer_text::{comparison_text, insights_text};

/// Prints `value` as pretty JSON (the `--format json` of every command).
pub fn print_json<T: serde::Serialize>(value: &T) -> anyhow::Result<()> {
    use anyhow::Context;
    println!("{}", serde_json::to_string_pretty(value).context("cannot print the summary as JSON")?);
    Ok(())
}

/// One readable line: the error, those of its causes it does not already quote, and the fix in flags.
pub fn error_line(error: &anyhow::Error) -> String {
    let mut text = error.to_string();
    for cause in error.chain().skip(1) {
        let cause = cause.to_string();
        if !text.contains(&cause) {
            text = format!("{text}: {cause}");
        }
    }
    if let Some(remedy) = crate::fix_words::remedy_of(error) {
        text = format!("{text} ({})", crate::fix_words::cli_fix(&remedy));
    }
    text.replace(['\n', '\r'], " ")
}

/// 1234567 → "1,234,567".
pub fn thousands(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// Bytes as B, kB, MB or GB (decimal units, as S3 and Bedrock quotas count).
pub fn bytes(n: u64) -> String {
    match n {
        n if n >= 1_000_000_000 => format!("{:.2} GB", n as f64 / 1e9),
        n if n >= 1_000_000 => format!("{:.1} MB", n as f64 / 1e6),
        n if n >= 1_000 => format!("{:.1} kB", n as f64 / 1e3),
        n => format!("{n} B"),
    }
}

/// US dollars with cents (more digits below one cent).
pub fn usd(amount: f64) -> String {
    if amount > 0.0 && amount < 0.01 { format!("${amount:.4}") } else { format!("${amount:.2}") }
}

fn family_name(family: ModelFamily) -> &'static str {
    match family {
        ModelFamily::AnthropicClaude => "Anthropic Claude",
        ModelFamily::AmazonNova => "Amazon Nova",
        ModelFamily::MetaLlama => "Meta Llama 3",
        ModelFamily::MetaLlama4 => "Meta Llama 4",
        ModelFamily::Mistral => "Mistral (text completion)",
        ModelFamily::MistralChat => "Mistral (chat)",
        ModelFamily::TitanEmbedding => "Amazon Titan embeddings",
        ModelFamily::NovaEmbedding => "Amazon Nova multimodal embeddings",
        ModelFamily::TitanText => "Amazon Titan text",
        ModelFamily::Other => "other provider",
    }
}

/// The prepare summary.
pub fn plan_text(plan: &PreparedPlan, out: &Path) -> String {
    let mut s = String::new();
    let input = &plan.input;
    let source = match (&input.sheet, &input.delimiter) {
        (Some(sheet), _) => format!("{}, worksheet \"{sheet}\"", input.format.label()),
        (None, Some(d)) => format!(
            "{}, delimiter {}",
            input.format.label(),
            if d == "\t" { "tab".to_string() } else { format!("'{d}'") }
        ),
        _ => input.format.label().to_string(),
    };
    let _ = writeln!(
        s,
        "Prepared {} rows from {} ({source}) into {}",
        thousands(plan.totals.records),
        input.path,
        out.display()
    );
    let invocation = match plan.model.invocation_type {
        InvocationType::InvokeModel => "InvokeModel",
        InvocationType::Converse => "Converse",
    };
    let _ = writeln!(
        s,
        "  model      {} ({}, {invocation} body), max tokens {}",
        plan.model.id,
        family_name(plan.model.family),
        plan.model.params.max_tokens
    );
    if let Some(delivery) = plan.model.schema_delivery {
        let columns: Vec<String> = plan.templates.answer.columns().iter().map(|c| c.name.clone()).collect();
        let _ = writeln!(s, "  answer     columns {}; {}", columns.join(", "), delivery.describe());
    }
    let first = plan.parts.first().map(|p| p.file.as_str()).unwrap_or("");
    let last = plan.parts.last().map(|p| p.file.as_str()).unwrap_or("");
    let files = if plan.parts.len() == 1 { first.to_string() } else { format!("{first} … {last}") };
    let per_part: Vec<String> = plan.parts.iter().map(|p| thousands(p.records)).collect();
    let per_part = if per_part.len() > 6 {
        format!("{} … {}", per_part[..3].join(", "), per_part[per_part.len() - 1])
    } else {
        per_part.join(", ")
    };
    let _ = writeln!(
        s,
        "  job parts  {} ({files}): {per_part} records; {} of JSONL",
        plan.parts.len(),
        bytes(plan.totals.bytes)
    );
    let _ = writeln!(
        s,
        "  tokens     ~{} input (estimated); at most {} output ({} per record)",
        thousands(plan.totals.input_tokens),
        thousands(plan.totals.max_output_tokens),
        thousands(plan.totals.max_output_tokens.checked_div(plan.totals.records).unwrap_or(0))
    );
    let est = &plan.estimate;
    match (est.batch_input_usd, est.batch_usd, est.on_demand_usd) {
        (Some(low), Some(high), Some(on_demand)) => {
            let _ = writeln!(
                s,
                "  cost       batch {} – {} (input only – every record at max tokens); on-demand would be up to {}; prices as of {}",
                usd(low),
                usd(high),
                usd(on_demand),
                est.prices_as_of
            );
        }
        _ => {
            let _ = writeln!(s, "  cost       unknown: {}", est.note.as_deref().unwrap_or("no price"));
        }
    }
    let _ = writeln!(
        s,
        "  record ids {}00000001 … (tag + row number); mapping in {}",
        plan.record_ids.tag, plan.record_ids.mapping_file
    );
    s
}

/// The preview text.
pub fn preview_text(p: &Preview) -> String {
    let mut s = String::new();
    if let Some(system) = &p.system {
        let _ = writeln!(s, "── system (row {}) ──\n{system}", p.row);
    }
    let _ = writeln!(s, "── prompt (row {}) ──\n{}", p.row, p.prompt);
    let _ = writeln!(s, "──");
    let _ = writeln!(
        s,
        "row {}: ~{} tokens · sheet: {} rows, ~{} input tokens in all (per row {} – {}) · columns used: {}",
        p.row,
        thousands(p.row_tokens),
        thousands(p.rows),
        thousands(p.total_tokens),
        thousands(p.min_row_tokens),
        thousands(p.max_row_tokens),
        p.columns_used.join(", ")
    );
    s
}

/// How an opened job's records met the rows.
pub fn opened_text(opened: &batch_core::prepare::OpenedPlan) -> String {
    let mut s = String::new();
    let from = if opened.requests_from_outputs { "its output lines" } else { "its request lines" };
    let _ = writeln!(s, "  records    {} (read from {from})", thousands(opened.records));
    if let Some(list) = &opened.unmatched_list {
        let _ = writeln!(
            s,
            "  sheet      {} rows: {} with no record; {} records match no row (listed in {})",
            thousands(opened.rows),
            thousands(opened.rows_without_record),
            thousands(opened.unmatched_records),
            list.display()
        );
    }
    if opened.corrupt_lines > 0 {
        let _ = writeln!(s, "  {} lines were not request lines (skipped)", thousands(opened.corrupt_lines));
    }
    s
}

/// The results summary.
pub fn results_text(r: &ResultsSummary) -> String {
    let mut s = String::new();
    let _ = writeln!(s, "Joined {} rows: {}", thousands(r.rows), r.counts().text(thousands));
    let _ = writeln!(
        s,
        "  outputs    {} lines read ({} corrupt, {} from another run, {} duplicates); {} manifests",
        thousands(r.output_lines),
        thousands(r.corrupt_lines),
        thousands(r.foreign_records),
        thousands(r.duplicate_records),
        r.manifests.len()
    );
    let (input, output) = match (r.tokens.input_from_manifests, r.tokens.output_from_manifests) {
        (Some(i), Some(o)) => (i, o),
        _ => (r.tokens.input_from_outputs, r.tokens.output_from_outputs),
    };
    let _ = write!(s, "  tokens     {} input, {} output", thousands(input), thousands(output));
    let (read, written) = (r.tokens.cache_read_from_outputs, r.tokens.cache_write_from_outputs);
    if read + written > 0 {
        let _ = write!(
            s,
            "; prompt cache: {} read, {} written (priced differently; not in the cost below)",
            thousands(read),
            thousands(written)
        );
    }
    let _ = writeln!(s);
    match (r.cost_usd, &r.cost_basis) {
        (Some(cost), Some(basis)) if r.tiers.len() > 1 || r.tiers.iter().any(|t| t.tier.is_on_demand()) => {
            let _ = writeln!(s, "  cost       {} in all (tokens from the {basis}):", usd(cost));
            for tier in &r.tiers {
                let _ = writeln!(
                    s,
                    "    {:<10} {} rows, {} input + {} output tokens: {}",
                    tier.tier.as_str(),
                    thousands(tier.rows),
                    thousands(tier.input_tokens),
                    thousands(tier.output_tokens),
                    tier.cost_usd.map_or_else(|| "unknown".to_string(), usd)
                );
            }
        }
        (Some(cost), Some(basis)) => {
            let _ = writeln!(s, "  cost       {} at batch prices (tokens from the {basis})", usd(cost));
        }
        _ => {
            let _ = writeln!(s, "  cost       unknown (no price for this model; pass --prices FILE)");
        }
    }
    for tier in &r.tiers {
        if let Some((least, most)) = tier.estimated_usd {
            let _ = writeln!(
                s,
                "  estimate   {}: {} input tokens estimated, {} billed; {} – {} estimated, {} billed",
                tier.tier.as_str(),
                thousands(tier.estimated_input_tokens),
                thousands(tier.input_tokens),
                usd(least),
                usd(most),
                tier.cost_usd.map_or_else(|| "unknown".to_string(), usd)
            );
        }
    }
    let _ = writeln!(
        s,
        "Exported {} rows × {} columns to {} ({})",
        thousands(r.export.rows),
        r.export.columns,
        r.export.path,
        r.export.format
    );
    s
}

/// Seconds as "2 h 05 min", "3 min 20 s" or "12 s".
pub fn duration(seconds: i64) -> String {
    let s = seconds.max(0);
    match s {
        0..60 => format!("{s} s"),
        60..3600 => format!("{} min {:02} s", s / 60, s % 60),
        _ => format!("{} h {:02} min", s / 3600, (s % 3600) / 60),
    }
}

/// Prints warnings to stderr, loudly when it is a terminal.
pub fn print_warnings(warnings: &[String]) {
    let color = std::io::stderr().is_terminal();
    for warning in warnings {
        if color {
            eprintln!("\x1b[1;33mWARNING:\x1b[0m {warning}");
        } else {
            eprintln!("WARNING: {warning}");
        }
    }
}
