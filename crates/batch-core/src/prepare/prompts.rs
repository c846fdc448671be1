//! A stream of rendered prompts: rows of a sheet run through the prompt and system templates.

use std::path::Path;

use crate::sheet::{Row, RowSource, SheetMeta, SheetOptions, open_sheet};
use crate::template::{PromptTemplate, TemplateRole};
use crate::tokens::estimate_tokens;

use super::PrepareError;

/// One row with its rendered prompt, system prompt and estimated input tokens.
pub struct RenderedRow<'a> {
    /// The source row.
    pub row: &'a Row,
    /// The rendered user prompt.
    pub prompt: &'a str,
    /// The rendered system prompt, if any.
    pub system: Option<&'a str>,
    /// Estimated input tokens (prompt + system).
    pub tokens: u64,
}

/// Reads a sheet and renders each row's prompts, reusing buffers between rows.
pub struct PromptStream {
    source: Box<dyn RowSource>,
    prompt: PromptTemplate,
    system: Option<PromptTemplate>,
    used: Vec<usize>,
    row: Row,
    prompt_text: String,
    system_text: String,
}

impl PromptStream {
    /// Opens the sheet and compiles the templates against its headers.
    pub fn open(
        input: &Path,
        options: &SheetOptions,
        template: &str,
        system: Option<&str>,
    ) -> Result<Self, PrepareError> {
        let source = open_sheet(input, options)?;
        let headers = &source.meta().headers;
        let prompt = PromptTemplate::compile(template, headers, TemplateRole::Prompt)?;
        let system = system.map(|s| PromptTemplate::compile(s, headers, TemplateRole::System)).transpose()?;
        let mut used: Vec<usize> = prompt.columns().to_vec();
        if let Some(system) = &system {
            used.extend_from_slice(system.columns());
        }
        used.sort_unstable();
        used.dedup();
        Ok(Self {
            source,
            prompt,
            system,
            used,
            row: Row::new(),
            prompt_text: String::new(),
            system_text: String::new(),
        })
    }

    /// The sheet being read.
    pub fn meta(&self) -> &SheetMeta {
        self.source.meta()
    }

    /// Columns either template reads.
    pub fn used_columns(&self) -> &[usize] {
        &self.used
    }

    /// True when either template needs the Jinja engine.
    pub fn uses_jinja(&self) -> bool {
        self.prompt.uses_jinja() || self.system.as_ref().is_some_and(PromptTemplate::uses_jinja)
    }

    /// Renders the next row; `None` after the last.
    pub fn next_rendered(&mut self) -> Result<Option<RenderedRow<'_>>, PrepareError> {
        if !self.source.next_row(&mut self.row)? {
            return Ok(None);
        }
        self.prompt_text.clear();
        self.prompt.render_into(&self.row, &mut self.prompt_text)?;
        let mut tokens = estimate_tokens(&self.prompt_text);
        let system = match &self.system {
            Some(template) => {
                self.system_text.clear();
                template.render_into(&self.row, &mut self.system_text)?;
                tokens += estimate_tokens(&self.system_text);
                Some(self.system_text.as_str())
            }
            None => None,
        };
        Ok(Some(RenderedRow { row: &self.row, prompt: &self.prompt_text, system, tokens }))
    }
}
