//! The summary of a join: counts by status, tokens, cost, problems and loud warnings.

use std::path::Path;

use serde::Serialize;

use super::index::{CorruptLine, FolderStats, OutputScan};
use super::manifest::FoundManifest;
use super::outcome::{Outcome, Status};

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
    /// Batch cost of the measured tokens, USD.
    pub batch_cost_usd: Option<f64>,
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
            output_lines: 0,
            corrupt_lines: 0,
            corrupt_examples: Vec::new(),
            foreign_records: 0,
            foreign_examples: Vec::new(),
            duplicate_records: 0,
            tokens: TokenTotals::default(),
            batch_cost_usd: None,
            cost_basis: None,
            manifests: Vec::new(),
            job_folders: Vec::new(),
            warnings: Vec::new(),
            export: ExportInfo::default(),
        }
    }

    pub(crate) fn count(&mut self, status: Status, outcome: &Outcome) {
        match status {
            Status::Succeeded => self.succeeded += 1,
            Status::Failed => self.failed += 1,
            Status::Missing => self.missing += 1,
        }
        self.tokens.input_from_outputs += outcome.input_tokens.unwrap_or(0);
        self.tokens.output_from_outputs += outcome.output_tokens.unwrap_or(0);
        self.tokens.cache_read_from_outputs += outcome.cache_read_tokens.unwrap_or(0);
        self.tokens.cache_write_from_outputs += outcome.cache_write_tokens.unwrap_or(0);
    }

    pub(crate) fn joined_rows(&self) -> u64 {
        self.succeeded + self.failed + self.missing
    }

    /// (input, output, basis): manifest totals when any manifest was read, else the per-record sums.
    pub(crate) fn measured_tokens(&self, manifests: &[FoundManifest]) -> (u64, u64, &'static str) {
        if manifests.is_empty() {
            (self.tokens.input_from_outputs, self.tokens.output_from_outputs, "outputs")
        } else {
            let input = manifests.iter().map(|m| m.counts.input_token_count).sum();
            let output = manifests.iter().map(|m| m.counts.output_token_count).sum();
            (input, output, "manifests")
        }
    }

    #[allow(clippy::too_many_arguments)]
    pub(crate) fn finish(
        &mut self,
        index: &OutputScan,
        duplicates: u64,
        manifests: Vec<FoundManifest>,
        cost: Option<(f64, &'static str)>,
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
        self.cost_basis = cost.map(|(_, basis)| basis.to_string());
        self.batch_cost_usd = cost.map(|(usd, _)| usd);
        self.manifests = manifests;
        self.job_folders = index.folders.clone();
        self.warnings = warnings;
        self.export =
            ExportInfo { path: export.display().to_string(), format: format.to_string(), rows: self.rows, columns };
    }
}
