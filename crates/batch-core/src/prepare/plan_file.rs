//! `plan.json`: what a prepare wrote — input, templates, model, record ids, limits, parts and the estimate.

use std::fs::File;
use std::io::{Read, Seek, SeekFrom};
use std::path::Path;

use serde::{Deserialize, Serialize};

use crate::answer::AnswerShape;
use crate::answer::native::SchemaDelivery;
use crate::limits::Limits;
use crate::model::{InvocationType, ModelFamily, ModelId};
use crate::pricing::CostEstimate;
use crate::record_id::{RecordIdScheme, fnv1a};
use crate::record_keys::{ListedIds, RecordKeys};
use crate::records::InferenceParams;
use crate::sheet::{SheetFormat, SheetMeta, SheetOptions};

use super::PrepareError;

/// The plan's file name inside the prepared folder.
pub const PLAN_FILE: &str = "plan.json";
/// The record-id → row mapping's file name inside the prepared folder.
pub const RECORDS_FILE: &str = "records.csv";
const FORMAT_VERSION: u32 = 1;
const FINGERPRINT_WINDOW: u64 = 64 * 1024;

/// The sheet a plan was made from.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct InputInfo {
    /// The path given.
    pub path: String,
    /// Its format.
    pub format: SheetFormat,
    /// The worksheet read, for workbooks.
    pub sheet: Option<String>,
    /// The delimiter used, for CSV.
    pub delimiter: Option<String>,
    /// Column names.
    pub columns: Vec<String>,
    /// File size in bytes.
    pub size_bytes: u64,
    /// A cheap content fingerprint (size and the first and last 64 KiB) to recognise the same file later.
    pub fingerprint: String,
}

impl InputInfo {
    /// Describes the opened sheet and fingerprints its file.
    pub fn describe(path: &Path, meta: &SheetMeta) -> Result<Self, PrepareError> {
        let (size_bytes, fingerprint) = fingerprint(path).map_err(|e| PrepareError::output(path, e))?;
        Ok(Self {
            path: path.display().to_string(),
            format: meta.format,
            sheet: meta.sheet.clone(),
            delimiter: meta.delimiter.map(|d| (d as char).to_string()),
            columns: meta.headers.clone(),
            size_bytes,
            fingerprint: format!("{fingerprint:016x}"),
        })
    }

    /// The sheet options that re-open this input the same way.
    pub fn sheet_options(&self) -> SheetOptions {
        SheetOptions { sheet: self.sheet.clone(), delimiter: self.delimiter.as_deref().and_then(|d| d.bytes().next()) }
    }

    /// A seed for the record-id tag: the same input, templates and model give the same ids.
    pub fn id_seed(&self, template: &str, system: Option<&str>, model: &ModelId) -> u64 {
        let mut text = format!("{}\u{1}{template}\u{1}{}\u{1}{model}", self.fingerprint, system.unwrap_or(""));
        text.push_str(&self.columns.join("\u{2}"));
        fnv1a(text.as_bytes(), 0)
    }
}

/// Size and fingerprint of a file.
pub fn fingerprint(path: &Path) -> std::io::Result<(u64, u64)> {
    let mut file = File::open(path)?;
    let size = file.metadata()?.len();
    let mut buf = Vec::with_capacity(2 * FINGERPRINT_WINDOW as usize);
    (&mut file).take(FINGERPRINT_WINDOW).read_to_end(&mut buf)?;
    if size > FINGERPRINT_WINDOW {
        file.seek(SeekFrom::Start(size.saturating_sub(FINGERPRINT_WINDOW).max(FINGERPRINT_WINDOW)))?;
        file.take(FINGERPRINT_WINDOW).read_to_end(&mut buf)?;
    }
    Ok((size, fnv1a(&buf, size)))
}

/// The templates used.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TemplateInfo {
    /// Prompt template text.
    pub prompt: String,
    /// System template text.
    pub system: Option<String>,
    /// Columns the templates read.
    pub columns_used: Vec<String>,
    /// Whether the Jinja engine was needed.
    pub jinja: bool,
    /// The answer's shape (free text in plans written before shapes).
    #[serde(default)]
    pub answer: AnswerShape,
}

/// The model and request format.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ModelInfo {
    /// Model or inference-profile id.
    pub id: ModelId,
    /// Request-format family.
    pub family: ModelFamily,
    /// InvokeModel or Converse.
    pub invocation_type: InvocationType,
    /// Inference parameters.
    pub params: InferenceParams,
    /// How the answer's schema reaches the model (none for free text).
    #[serde(default)]
    pub schema_delivery: Option<SchemaDelivery>,
}

/// How record ids were made.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RecordIdInfo {
    /// The three-character run tag; an id is the tag plus the 8-digit data-row number.
    pub tag: String,
    /// The file mapping each record id to its row (and id-column value).
    pub mapping_file: String,
    /// The analyst's id column, if chosen.
    pub id_column: Option<String>,
    /// True when the ids are a job's own (one made elsewhere and opened here), listed per row in the mapping
    /// file, rather than the tag and row number.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub listed: bool,
}

impl RecordIdInfo {
    /// The id scheme of the tool's own ids.
    pub fn scheme(&self) -> RecordIdScheme {
        RecordIdScheme::with_tag(&self.tag)
    }

    /// The ids of the rows of the prepared folder `prepared`: the tag's, or those its mapping file lists.
    pub fn keys(&self, prepared: &Path) -> Result<RecordKeys, PrepareError> {
        if !self.listed {
            return Ok(RecordKeys::Tagged(self.scheme()));
        }
        let path = prepared.join(&self.mapping_file);
        ListedIds::read(&path)
            .map(RecordKeys::Listed)
            .map_err(|e| PrepareError::PlanFile { path, detail: e.to_string() })
    }
}

/// One job part: one `.jsonl` file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PartInfo {
    /// File name inside the prepared folder.
    pub file: String,
    /// Records in the file.
    pub records: u64,
    /// File size in bytes.
    pub bytes: u64,
    /// First data row (1-based).
    pub first_row: u64,
    /// Last data row (inclusive).
    pub last_row: u64,
    /// Estimated input tokens.
    pub input_tokens: u64,
}

/// Totals over all parts.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Totals {
    /// Records (= data rows).
    pub records: u64,
    /// Bytes of JSONL.
    pub bytes: u64,
    /// Estimated input tokens.
    pub input_tokens: u64,
    /// Output tokens if every record reached max tokens.
    pub max_output_tokens: u64,
}

/// The contents of `plan.json`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PreparedPlan {
    /// Format version of this file.
    pub format_version: u32,
    /// When it was written (UTC).
    pub created_at: String,
    /// The tool version that wrote it.
    pub tool_version: String,
    /// The sheet.
    pub input: InputInfo,
    /// The templates.
    pub templates: TemplateInfo,
    /// The model and request format.
    pub model: ModelInfo,
    /// How record ids were made.
    pub record_ids: RecordIdInfo,
    /// The limits the parts respect.
    pub limits: Limits,
    /// The job parts.
    pub parts: Vec<PartInfo>,
    /// Totals.
    pub totals: Totals,
    /// Token and cost estimate.
    pub estimate: CostEstimate,
    /// Things worth a look before submitting.
    pub warnings: Vec<String>,
}

impl PreparedPlan {
    /// Assembles a plan stamped with the current time and tool version.
    #[allow(clippy::too_many_arguments)]
    pub fn new(
        input: InputInfo,
        templates: TemplateInfo,
        model: ModelInfo,
        record_ids: RecordIdInfo,
        limits: Limits,
        parts: Vec<PartInfo>,
        totals: Totals,
        estimate: CostEstimate,
        warnings: Vec<String>,
    ) -> Self {
        Self {
            format_version: FORMAT_VERSION,
            created_at: crate::clock::now_rfc3339(),
            tool_version: env!("CARGO_PKG_VERSION").to_string(),
            input,
            templates,
            model,
            record_ids,
            limits,
            parts,
            totals,
            estimate,
            warnings,
        }
    }

    /// Reads `plan.json`.
    pub fn read(path: &Path) -> Result<Self, PrepareError> {
        let text = std::fs::read_to_string(path)
            .map_err(|e| PrepareError::PlanFile { path: path.to_path_buf(), detail: e.to_string() })?;
        let plan: Self = serde_json::from_str(&text)
            .map_err(|e| PrepareError::PlanFile { path: path.to_path_buf(), detail: e.to_string() })?;
        if plan.format_version != FORMAT_VERSION {
            return Err(PrepareError::PlanFile {
                path: path.to_path_buf(),
                detail: format!("format version {} is not supported (expected {FORMAT_VERSION})", plan.format_version),
            });
        }
        Ok(plan)
    }

    /// A fingerprint of the prepared parts in `dir` as they are now: each part's name, record count and file
    /// fingerprint (size and first and last 64 KiB), the record-id tag and the model. The same prepared parts
    /// give the same text; parts prepared again with other content (another template, sheet or model) differ.
    pub fn parts_fingerprint(&self, dir: &Path) -> Result<String, PrepareError> {
        let mut text = format!("{}\u{1}{}\u{1}{:?}\n", self.record_ids.tag, self.model.id, self.model.invocation_type);
        for part in &self.parts {
            let file = dir.join(&part.file);
            let (size, print) =
                fingerprint(&file).map_err(|source| PrepareError::PartFile { path: file.clone(), source })?;
            text.push_str(&format!("{}\u{1}{}\u{1}{size}\u{1}{print:016x}\n", part.file, part.records));
        }
        Ok(format!("{:016x}{:016x}", fnv1a(text.as_bytes(), 1), fnv1a(text.as_bytes(), 2)))
    }

    /// Writes `plan.json` (pretty-printed).
    pub fn write(&self, path: &Path) -> Result<(), PrepareError> {
        let text =
            serde_json::to_string_pretty(self).map_err(|e| PrepareError::output(path, std::io::Error::other(e)))?;
        std::fs::write(path, text + "\n").map_err(|e| PrepareError::output(path, e))
    }
}
