//! The summary of a join: counts by status, tokens, cost, problems and loud warnings.

use std::path::Path;

use serde::Serialize;

use super::index::{CorruptLine, FolderStats, OutputScan};
use super::manifest::FoundManifest;
use super::outcome::{Outcome, Status};
use crate::model::ModelId;
use crate::pricing::{PriceTable, tier_cost};
use crate::service_tier::Tier;

/// Token totals, measured.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct TokenTotals {
    /// Sum of input tokens reported per record.
    pub input_from_outputs: u64,
    /// Sum of output tokens reported per record.
    pub output_from_outputs: u64,
    /// Sum of prompt tokens read from the prompt cache, per record (Claude, Converse, Nova report them).
    pub cache_read_from_outputs: u64,
    /// Sum of prompt tokens written to the prompt cache, per record.
    pub cache_write_from_outputs: u64,
    /// Sum of the manifests' input token counts, when manifests exist.
    pub input_from_manifests: Option<u64>,
    /// Sum of the manifests' output token counts, when manifests exist.
    pub output_from_manifests: Option<u64>,
}

/// The rows one tier answered, their tokens and what they cost at that tier's price.
#[derive(Debug, Clone, PartialEq, Serialize, serde::Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct TierTotals {
    /// The tier.
    pub tier: Tier,
    /// Rows whose outcome came from it.
    pub rows: u64,
    /// Of those, rows that succeeded.
    pub succeeded: u64,
    /// Input tokens billed on it (its manifests' counts where it has manifests, else the rows' own counts).
    pub input_tokens: u64,
    /// Output tokens billed on it.
    pub output_tokens: u64,
    /// "manifests" or "outputs": where the token counts come from.
    pub basis: String,
    /// The tokens at the tier's price, USD; `None` without a price.
    pub cost_usd: Option<f64>,
    /// What `prepare` estimated for these rows: input tokens (about 4 characters a token).
    #[serde(default)]
    pub estimated_input_tokens: u64,
    /// The estimated cost of these rows at the tier's price: from the input alone to every answer at its maximum.
    #[serde(default)]
    pub estimated_usd: Option<(f64, f64)>,
}

/// What a join found and wrote.
#[derive(Debug, Clone, Serialize)]
pub struct ResultsSummary {
    /// Data rows prepared (= rows exported).
    pub rows: u64,
    /// Rows whose record succeeded.
    pub succeeded: u64,
    /// Rows whose record failed.
    pub failed: u64,
    /// Rows with no output line.
    pub missing: u64,
    /// Rows answered, but not in the answer's shape.
    #[serde(default)]
    pub invalid: u64,
    /// Rows whose answer was cut off at the token limit (a run with an answer shape).
    #[serde(default)]
    pub truncated: u64,
    /// Rows answered with nothing (a run with an answer shape).
    #[serde(default)]
    pub empty: u64,
    /// Non-blank output lines read.
    pub output_lines: u64,
    /// Lines that could not be parsed.
    pub corrupt_lines: u64,
    /// The first of them.
    pub corrupt_examples: Vec<CorruptLine>,
    /// Lines whose record id is not from this plan.
    pub foreign_records: u64,
    /// A few of those ids.
    pub foreign_examples: Vec<String>,
    /// Extra lines for rows that already had one.
    pub duplicate_records: u64,
    /// Measured tokens.
    pub tokens: TokenTotals,
    /// Cost of the measured tokens, each tier's at its price (batch, on-demand or Flex), USD.
    pub cost_usd: Option<f64>,
    /// Rows, tokens and cost per tier that answered (batch first).
    pub tiers: Vec<TierTotals>,
    /// "manifests" or "outputs": where the cost's token counts come from.
    pub cost_basis: Option<String>,
    /// The manifests read.
    pub manifests: Vec<FoundManifest>,
    /// Per job folder counts.
    pub job_folders: Vec<FolderStats>,
    /// Things the analyst must look at.
    pub warnings: Vec<String>,
    /// The export written.
    pub export: ExportInfo,
    /// What the answers' fields hold (a run with an answer shape; empty for free text).
    pub insights: Vec<crate::frame::insights::FieldInsight>,
}

/// The export file written.
#[derive(Debug, Clone, Default, Serialize)]
pub struct ExportInfo {
    /// Its path.
    pub path: String,
    /// Its format.
    pub format: String,
    /// Data rows written.
    pub rows: u64,
    /// Columns written.
    pub columns: usize,
}

impl ResultsSummary {
    pub(crate) fn new(rows: u64) -> Self {
        Self {
            rows,
            succeeded: 0,
            failed: 0,
            missing: 0,
            invalid: 0,
            truncated: 0,
            empty: 0,
            output_lines: 0,
            corrupt_lines: 0,
            corrupt_examples: Vec::new(),
            foreign_records: 0,
            foreign_examples: Vec::new(),
            duplicate_records: 0,
            tokens: TokenTotals::default(),
            cost_usd: None,
            tiers: Vec::new(),
            cost_basis: None,
            manifests: Vec::new(),
            job_folders: Vec::new(),
            warnings: Vec::new(),
            export: ExportInfo::default(),
            insights: Vec::new(),
        }
    }

    pub(crate) fn count(&mut self, status: Status, outcome: &Outcome) {
        match status {
            Status::Succeeded => self.succeeded += 1,
            Status::Failed => self.failed += 1,
            Status::Missing => self.missing += 1,
            Status::Invalid => self.invalid += 1,
            Status::Truncated => self.truncated += 1,
            Status::Empty => self.empty += 1,
        }
        self.tokens.input_from_outputs += outcome.input_tokens.unwrap_or(0);
        self.tokens.output_from_outputs += outcome.output_tokens.unwrap_or(0);
        self.tokens.cache_read_from_outputs += outcome.cache_read_tokens.unwrap_or(0);
        self.tokens.cache_write_from_outputs += outcome.cache_write_tokens.unwrap_or(0);
        if let Some(tier) = outcome.tier {
            let totals = match self.tiers.iter_mut().position(|t| t.tier == tier) {
                Some(at) => &mut self.tiers[at],
                None => {
                    self.tiers.push(TierTotals {
                        tier,
                        rows: 0,
                        succeeded: 0,
                        input_tokens: 0,
                        output_tokens: 0,
                        basis: "outputs".into(),
                        cost_usd: None,
                        estimated_input_tokens: 0,
                        estimated_usd: None,
                    });
                    self.tiers.sort_by_key(|t| t.tier);
                    self.tiers.iter_mut().find(|t| t.tier == tier).expect("just added")
                }
            };
            totals.rows += 1;
            totals.succeeded += u64::from(status == Status::Succeeded);
            totals.input_tokens += outcome.input_tokens.unwrap_or(0);
            totals.output_tokens += outcome.output_tokens.unwrap_or(0);
        }
    }

    /// Prices each tier's tokens (its manifests' counts where it has manifests) and sums them into the cost; beside
    /// each, what was estimated for its rows (`per_record_input` tokens each, at most `max_tokens` answer tokens).
    pub(crate) fn price_tiers(
        &mut self,
        manifests: &[FoundManifest],
        prices: &PriceTable,
        model: &ModelId,
        (per_record_input, max_tokens): (u64, u64),
    ) {
        for totals in &mut self.tiers {
            totals.estimated_input_tokens = per_record_input * totals.rows;
            let least = tier_cost(prices, model, totals.tier, totals.estimated_input_tokens, 0);
            let most = tier_cost(prices, model, totals.tier, totals.estimated_input_tokens, max_tokens * totals.rows);
            totals.estimated_usd = least.zip(most);
            let own: Vec<&FoundManifest> = manifests.iter().filter(|m| m.counts.tier() == totals.tier).collect();
            if !own.is_empty() {
                totals.input_tokens = own.iter().map(|m| m.counts.input_token_count).sum();
                totals.output_tokens = own.iter().map(|m| m.counts.output_token_count).sum();
                totals.basis = "manifests".into();
            }
            totals.cost_usd = tier_cost(prices, model, totals.tier, totals.input_tokens, totals.output_tokens);
        }
        self.cost_usd = if self.tiers.is_empty() {
            tier_cost(prices, model, Tier::Batch, 0, 0)
        } else {
            self.tiers.iter().map(|t| t.cost_usd).sum()
        };
    }

    /// The rows by status.
    pub fn counts(&self) -> super::StatusCounts {
        super::StatusCounts {
            succeeded: self.succeeded,
            failed: self.failed,
            missing: self.missing,
            invalid: self.invalid,
            truncated: self.truncated,
            empty: self.empty,
        }
    }

    pub(crate) fn joined_rows(&self) -> u64 {
        self.succeeded + self.failed + self.missing + self.invalid + self.truncated + self.empty
    }

    #[allow(clippy::too_many_arguments)]
    pub(crate) fn finish(
        &mut self,
        index: &OutputScan,
        duplicates: u64,
        manifests: Vec<FoundManifest>,
        basis: &'static str,
        mut warnings: Vec<String>,
        export: &Path,
        format: &str,
        columns: usize,
    ) {
        self.output_lines = index.lines;
        self.corrupt_lines = index.corrupt_count;
        self.corrupt_examples = index.corrupt.clone();
        self.foreign_records = index.foreign_count;
        self.foreign_examples = index.foreign_examples.clone();
        self.duplicate_records = duplicates;
        if !manifests.is_empty() {
            self.tokens.input_from_manifests = Some(manifests.iter().map(|m| m.counts.input_token_count).sum());
            self.tokens.output_from_manifests = Some(manifests.iter().map(|m| m.counts.output_token_count).sum());
        }
        for folder in &index.folders {
            if folder.failed > 0 && folder.succeeded == 0 {
                let name = if folder.folder.is_empty() {
                    "the outputs folder".to_string()
                } else {
                    format!("job folder \"{}\"", folder.folder)
                };
                warnings.push(format!(
                    "ALL {} records in {name} FAILED; first error: {}",
                    folder.failed,
                    folder.first_error.as_deref().unwrap_or("(none given)")
                ));
            }
        }
        for found in &manifests {
            let counts = &found.counts;
            if counts.total_record_count > 0 && counts.error_record_count == counts.total_record_count {
                warnings.push(format!(
                    "{}: the manifest reports that ALL {} records FAILED",
                    found.path.display(),
                    counts.total_record_count
                ));
            }
        }
        if self.corrupt_lines > 0 {
            warnings.push(format!(
                "{} output lines could not be read and were skipped (first: {})",
                self.corrupt_lines,
                self.corrupt_examples
                    .first()
                    .map(|c| format!("{} line {}: {}", c.file.display(), c.line, c.reason))
                    .unwrap_or_default()
            ));
        }
        if self.foreign_records > 0 {
            warnings.push(format!(
                "{} output lines have record ids that this prepared folder did not create (e.g. {}); check that the prepared folder and the outputs belong to the same run",
                self.foreign_records,
                self.foreign_examples.first().map(String::as_str).unwrap_or("")
            ));
        }
        if self.missing > 0 {
            warnings.push(format!(
                "{} rows have no output line (not processed, or not all output files were downloaded); they are exported with status \"missing\"",
                self.missing
            ));
        }
        self.cost_basis = self.cost_usd.map(|_| basis.to_string());
        self.manifests = manifests;
        self.job_folders = index.folders.clone();
        self.warnings = warnings;
        self.export =
            ExportInfo { path: export.display().to_string(), format: format.to_string(), rows: self.rows, columns };
    }
}
