//! What the answers' fields hold and how runs compare, as the terminal shows them.

use std::fmt::Write;

use batch_app::run_comparison::RunComparison;
use batch_core::frame::insights::{FieldInsight, FieldSummary};
use batch_core::results::ResultsSummary;

use crate::display::thousands;

/// Width of the longest histogram or label bar.
const BAR: usize = 30;

fn bar(rows: u64, most: u64) -> String {
    let len = if most == 0 { 0 } else { ((rows as f64 / most as f64) * BAR as f64).round() as usize };
    "█".repeat(len.max(usize::from(rows > 0)))
}

fn rows_word(n: u64) -> &'static str {
    if n == 1 { "row" } else { "rows" }
}

/// A number as the summary shows it: whole numbers without decimals, others to 4 significant places.
fn number(x: f64) -> String {
    if x.fract() == 0.0 && x.abs() < 1e15 {
        format!("{x:.0}")
    } else {
        format!("{:.4}", x).trim_end_matches('0').to_string()
    }
}

/// How the answers came back (the share of valid, invalid, truncated and empty), then each field: its values'
/// count, then label bars, the numeric spread with a histogram, or the top values.
pub fn insights_text(summary: &ResultsSummary) -> String {
    let fields: &[FieldInsight] = &summary.insights;
    let mut s = String::new();
    if fields.is_empty() {
        return "\nNo answer fields: this run's answers are free text.\n".into();
    }
    let answered = summary.succeeded + summary.invalid + summary.truncated + summary.empty;
    let share = |n: u64| if answered == 0 { 0.0 } else { 100.0 * n as f64 / answered as f64 };
    let _ = write!(s, "\nAnswers: {} valid ({:.1}%)", thousands(summary.succeeded), share(summary.succeeded));
    for (n, what) in [(summary.invalid, "invalid"), (summary.truncated, "truncated"), (summary.empty, "empty")] {
        let _ = write!(s, ", {} {what} ({:.1}%)", thousands(n), share(n));
    }
    s.push('\n');
    for field in fields {
        let _ = writeln!(s, "\n{} — {} {} with a value", field.name, thousands(field.values), rows_word(field.values));
        match &field.summary {
            None => {}
            Some(FieldSummary::Labels { counts }) => {
                let most = counts.iter().map(|c| c.rows).max().unwrap_or(0);
                let width = counts.iter().map(|c| c.value.chars().count()).max().unwrap_or(0);
                for c in counts {
                    let share = if field.values == 0 { 0.0 } else { 100.0 * c.rows as f64 / field.values as f64 };
                    let _ = writeln!(
                        s,
                        "  {:width$}  {:>9}  {share:5.1}%  {}",
                        c.value,
                        thousands(c.rows),
                        bar(c.rows, most)
                    );
                }
            }
            Some(FieldSummary::Numbers { min, q1, median, q3, max, mean, histogram }) => {
                let _ = writeln!(
                    s,
                    "  min {}  q1 {}  median {}  q3 {}  max {}  mean {}",
                    number(*min),
                    number(*q1),
                    number(*median),
                    number(*q3),
                    number(*max),
                    number(*mean)
                );
                let most = histogram.iter().map(|b| b.rows).max().unwrap_or(0);
                for b in histogram {
                    let range = format!("{} – {}", number(b.from), number(b.to));
                    let _ = writeln!(s, "  {range:>21}  {:>9}  {}", thousands(b.rows), bar(b.rows, most));
                }
            }
            Some(FieldSummary::TopValues { distinct, top }) => {
                let _ = writeln!(s, "  {} distinct; most frequent:", thousands(*distinct));
                for c in top {
                    let _ = writeln!(s, "  {:>9}  {}", thousands(c.rows), c.value);
                }
            }
        }
    }
    s
}

/// Each field's agreement, the confusion of labels, the disagreeing rows and each run's totals.
pub fn comparison_text(compared: &RunComparison) -> String {
    let c = &compared.comparison;
    let mut s = String::new();
    let _ = writeln!(s, "Compared {} runs over the {} rows they share:", c.runs.len(), thousands(c.rows));
    for t in &compared.totals {
        let cost = t.cost_usd.map_or_else(|| "no price".to_string(), |usd| format!("${usd:.4}"));
        let _ = writeln!(
            s,
            "  {}  {}  {} of {} rows answered in full, {} input + {} output tokens, {cost}",
            t.run,
            t.model_id,
            thousands(t.succeeded),
            thousands(t.rows),
            thousands(t.input_tokens),
            thousands(t.output_tokens)
        );
    }
    for field in &c.fields {
        let agreement = field.agreement.map_or_else(|| "—".to_string(), |a| format!("{:.1}%", 100.0 * a));
        let _ = writeln!(
            s,
            "\n{}: agree on {} of {} {} answered by every run ({agreement})",
            field.name,
            thousands(field.agreed),
            thousands(field.compared),
            rows_word(field.compared)
        );
        for confusion in &field.confusion {
            let _ = writeln!(s, "  {} (rows) → {} (columns)", c.runs[0], confusion.other_run);
            let mut labels: Vec<&str> = Vec::new();
            for cell in &confusion.cells {
                for label in [cell.first.as_str(), cell.other.as_str()] {
                    if !labels.contains(&label) {
                        labels.push(label);
                    }
                }
            }
            labels.sort_unstable();
            let width = labels.iter().map(|l| l.chars().count()).max().unwrap_or(0).max(6);
            let _ = write!(s, "  {:width$}", "");
            for label in &labels {
                let _ = write!(s, "  {label:>width$}");
            }
            s.push('\n');
            for first in &labels {
                let _ = write!(s, "  {first:width$}");
                for other in &labels {
                    let rows =
                        confusion.cells.iter().find(|x| x.first == *first && x.other == *other).map_or(0, |x| x.rows);
                    let _ = write!(s, "  {:>width$}", thousands(rows));
                }
                s.push('\n');
            }
        }
    }
    let mut rows: Vec<String> = c.disagreements.iter().take(10).map(|d| d.row.to_string()).collect();
    if c.disagreements.len() > rows.len() {
        rows.push("…".into());
    }
    let listed = if rows.is_empty() { String::new() } else { format!(" (rows {})", rows.join(", ")) };
    let n = c.disagreements.len() as u64;
    let _ = writeln!(s, "\n{} {} where the runs disagree{listed}", thousands(n), rows_word(n));
    s
}
