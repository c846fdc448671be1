//! Preview: the rendered prompt of one row, with token estimates for that row and the whole sheet.

use std::path::PathBuf;

use serde::Serialize;

use crate::sheet::SheetOptions;

use super::{PrepareError, PromptStream};

/// What to preview.
#[derive(Debug, Clone)]
pub struct PreviewRequest {
    /// The sheet.
    pub input: PathBuf,
    /// Worksheet and delimiter choices.
    pub sheet: SheetOptions,
    /// Prompt template text.
    pub template: String,
    /// Optional system template text.
    pub system: Option<String>,
    /// 1-based data row to show.
    pub row: u64,
}

/// A rendered row and token estimates.
#[derive(Debug, Clone, Serialize)]
pub struct Preview {
    /// The row shown.
    pub row: u64,
    /// Its rendered prompt.
    pub prompt: String,
    /// Its rendered system prompt.
    pub system: Option<String>,
    /// Estimated input tokens of this row.
    pub row_tokens: u64,
    /// Data rows in the sheet.
    pub rows: u64,
    /// Estimated input tokens of all rows.
    pub total_tokens: u64,
    /// Smallest per-row estimate.
    pub min_row_tokens: u64,
    /// Largest per-row estimate.
    pub max_row_tokens: u64,
    /// Columns the templates use.
    pub columns_used: Vec<String>,
}

/// Renders every row (to check each one renders and to total the tokens) and returns the chosen one.
pub fn preview(request: &PreviewRequest) -> Result<Preview, PrepareError> {
    let mut stream = PromptStream::open(&request.input, &request.sheet, &request.template, request.system.as_deref())?;
    let headers = stream.meta().headers.clone();
    let columns_used = stream.prompts().used_columns().iter().map(|&c| headers[c].clone()).collect();
    let mut shown: Option<(String, Option<String>, u64)> = None;
    let (mut rows, mut total, mut min, mut max) = (0u64, 0u64, u64::MAX, 0u64);
    while let Some(rendered) = stream.next_rendered()? {
        rows += 1;
        total += rendered.tokens;
        min = min.min(rendered.tokens);
        max = max.max(rendered.tokens);
        if rendered.row.number() == request.row {
            shown = Some((rendered.prompt.to_string(), rendered.system.map(str::to_string), rendered.tokens));
        }
    }
    let (prompt, system, row_tokens) = shown.ok_or(PrepareError::NoSuchRow { row: request.row, rows })?;
    Ok(Preview {
        row: request.row,
        prompt,
        system,
        row_tokens,
        rows,
        total_tokens: total,
        min_row_tokens: if rows == 0 { 0 } else { min },
        max_row_tokens: max,
        columns_used,
    })
}
