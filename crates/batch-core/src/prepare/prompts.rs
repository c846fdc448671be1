//! Rendering a row's prompts: the compiled templates, shared read-only between threads, and a sequential
//! stream over a sheet for previews.

use std::path::Path;

use crate::sheet::{Row, RowSource, SheetMeta, SheetOptions, open_sheet};
use crate::template::{PromptTemplate, TemplateRole};
use crate::tokens::estimate_tokens;

use super::PrepareError;

/// The prompt and system templates of a run, compiled against the sheet's headers.
pub struct Prompts {
    prompt: PromptTemplate,
    system: Option<PromptTemplate>,
    /// A system prompt that uses no column, rendered once: (text, tokens).
    constant_system: Option<(String, u64)>,
    used: Vec<usize>,
}

/// Reusable buffers for rendering one row at a time.
#[derive(Default)]
pub struct PromptBuffers {
    /// The rendered user prompt.
    pub prompt: String,
    /// The rendered system prompt (when it depends on the row).
    pub system: String,
}

impl Prompts {
    /// Compiles both templates against `headers`.
    pub fn compile(headers: &[String], template: &str, system: Option<&str>) -> Result<Self, PrepareError> {
        let prompt = PromptTemplate::compile(template, headers, TemplateRole::Prompt)?;
        let system = system.map(|s| PromptTemplate::compile(s, headers, TemplateRole::System)).transpose()?;
        let constant_system = match &system {
            Some(template) if template.columns().is_empty() && !template.uses_jinja() => {
                let text = template.render(&Row::new())?;
                let tokens = estimate_tokens(&text);
                Some((text, tokens))
            }
            _ => None,
        };
        let mut used: Vec<usize> = prompt.columns().to_vec();
        if let Some(system) = &system {
            used.extend_from_slice(system.columns());
        }
        used.sort_unstable();
        used.dedup();
        Ok(Self { prompt, system, constant_system, used })
    }

    /// Columns either template reads.
    pub fn used_columns(&self) -> &[usize] {
        &self.used
    }

    /// True when either template needs the Jinja engine.
    pub fn uses_jinja(&self) -> bool {
        self.prompt.uses_jinja() || self.system.as_ref().is_some_and(PromptTemplate::uses_jinja)
    }

    /// Renders `row` into `buffers`; returns the prompt, the system prompt (if any) and the estimated input
    /// tokens.
    pub fn render<'a>(
        &'a self,
        row: &Row,
        buffers: &'a mut PromptBuffers,
    ) -> Result<(&'a str, Option<&'a str>, u64), PrepareError> {
        buffers.prompt.clear();
        self.prompt.render_into(row, &mut buffers.prompt)?;
        let mut tokens = estimate_tokens(&buffers.prompt);
        let system = match (&self.constant_system, &self.system) {
            (Some((text, system_tokens)), _) => {
                tokens += system_tokens;
                Some(text.as_str())
            }
            (None, Some(template)) => {
                buffers.system.clear();
                template.render_into(row, &mut buffers.system)?;
                tokens += estimate_tokens(&buffers.system);
                Some(buffers.system.as_str())
            }
            (None, None) => None,
        };
        Ok((buffers.prompt.as_str(), system, tokens))
    }
}

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

/// Reads a sheet and renders each row's prompts in turn.
pub struct PromptStream {
    source: Box<dyn RowSource>,
    prompts: Prompts,
    row: Row,
    buffers: PromptBuffers,
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
        let prompts = Prompts::compile(&source.meta().headers, template, system)?;
        Ok(Self { source, prompts, row: Row::new(), buffers: PromptBuffers::default() })
    }

    /// The sheet being read.
    pub fn meta(&self) -> &SheetMeta {
        self.source.meta()
    }

    /// The compiled templates.
    pub fn prompts(&self) -> &Prompts {
        &self.prompts
    }

    /// Renders the next row; `None` after the last.
    pub fn next_rendered(&mut self) -> Result<Option<RenderedRow<'_>>, PrepareError> {
        if !self.source.next_row(&mut self.row)? {
            return Ok(None);
        }
        let (prompt, system, tokens) = self.prompts.render(&self.row, &mut self.buffers)?;
        Ok(Some(RenderedRow { row: &self.row, prompt, system, tokens }))
    }

    /// Splits the stream into its sheet reader and its templates (for the parallel prepare pipeline).
    pub fn into_parts(self) -> (Box<dyn RowSource>, Prompts) {
        (self.source, self.prompts)
    }
}
