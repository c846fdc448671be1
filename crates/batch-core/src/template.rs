//! Prompt templates: `{{column}}` placeholders matched to header names, with Jinja (minijinja) for filters
//! and conditionals.
//!
//! A placeholder's text between the braces, trimmed, is matched exactly against the headers, so
//! `{{ Review Text }}` works for a column named "Review Text". Templates that only use such placeholders are
//! rendered by plain concatenation (fast, no engine). Anything else — `{% if %}`, filters, `{{ row["x"] }}` —
//! goes through minijinja, where identifier-like columns are variables and every column is reachable as
//! `row["Any Name"]`. Cell text is always inserted literally: data that looks like a template is never
//! expanded, because values are never parsed as templates.

use std::collections::BTreeMap;

use minijinja::{AutoEscape, Environment, UndefinedBehavior};

use crate::sheet::Row;

/// Why a template cannot be used.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TemplateError {
    /// A placeholder names no column.
    #[error("{which} template: unknown column \"{name}\"{}; columns are: {available}", suggestion.as_ref().map(|s| format!(" — did you mean \"{s}\"?")).unwrap_or_default())]
    UnknownColumn {
        /// "prompt" or "system".
        which: &'static str,
        /// The placeholder text.
        name: String,
        /// The closest header, if any is close.
        suggestion: Option<String>,
        /// The headers, quoted, possibly shortened.
        available: String,
    },
    /// The template is not valid Jinja.
    #[error("{which} template: {detail}; check the braces and {{% … %}} blocks")]
    Syntax {
        /// "prompt" or "system".
        which: &'static str,
        /// What the parser said, with the line.
        detail: String,
    },
    /// Rendering a row failed (for example a filter applied to the wrong kind of value).
    #[error("{which} template: row {row}: {detail}")]
    Render {
        /// "prompt" or "system".
        which: &'static str,
        /// 1-based data row.
        row: u64,
        /// What went wrong.
        detail: String,
    },
    /// The template is empty.
    #[error("{which} template is empty; write the prompt with {{{{column}}}} placeholders")]
    Empty {
        /// "prompt" or "system".
        which: &'static str,
    },
}

/// Which template a [`PromptTemplate`] is, for messages.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TemplateRole {
    /// The user prompt.
    Prompt,
    /// The optional system prompt.
    System,
}

impl TemplateRole {
    fn label(self) -> &'static str {
        match self {
            Self::Prompt => "prompt",
            Self::System => "system",
        }
    }
}

#[derive(Debug, Clone)]
enum Segment {
    Text(String),
    Column(usize),
}

enum Engine {
    Plain(Vec<Segment>),
    Jinja { env: Box<Environment<'static>>, identifiers: Vec<(String, usize)> },
}

/// A compiled template bound to a sheet's headers.
pub struct PromptTemplate {
    role: TemplateRole,
    engine: Engine,
    headers: Vec<String>,
    columns: Vec<usize>,
}

impl std::fmt::Debug for PromptTemplate {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PromptTemplate")
            .field("role", &self.role)
            .field("jinja", &matches!(self.engine, Engine::Jinja { .. }))
            .field("columns", &self.columns)
            .finish()
    }
}

const TEMPLATE_NAME: &str = "template";
/// minijinja's global functions, which a template may use without a column of that name.
const JINJA_GLOBALS: &[&str] = &["range", "dict", "namespace", "debug", "row", "loop", "self"];

/// A placeholder found in the source: byte span and trimmed inner text.
struct Placeholder<'a> {
    start: usize,
    end: usize,
    inner: &'a str,
}

fn placeholders(source: &str) -> Vec<Placeholder<'_>> {
    let mut found = Vec::new();
    let mut from = 0;
    while let Some(open) = source[from..].find("{{").map(|i| i + from) {
        let Some(close) = source[open + 2..].find("}}").map(|i| i + open + 2) else { break };
        found.push(Placeholder { start: open, end: close + 2, inner: source[open + 2..close].trim() });
        from = close + 2;
    }
    found
}

/// True for text that is meant as a plain column name rather than a Jinja expression.
fn looks_like_name(inner: &str) -> bool {
    !inner.is_empty()
        && !inner
            .contains(['|', '(', ')', '[', ']', '"', '\'', '+', '*', '/', '%', '~', '=', '<', '>', '!', '{', '}', ','])
        && !inner.starts_with(|c: char| c.is_ascii_digit())
        && !inner.contains('.')
        && !inner.starts_with(['-', '+'])
        && !inner.ends_with(['-', '+'])
}

fn is_identifier(name: &str) -> bool {
    let mut chars = name.chars();
    matches!(chars.next(), Some(c) if c.is_alphabetic() || c == '_') && chars.all(|c| c.is_alphanumeric() || c == '_')
}

/// The header closest to `name` (case-insensitive equality first, then edit similarity).
pub fn closest_header(name: &str, headers: &[String]) -> Option<String> {
    if let Some(h) = headers.iter().find(|h| h.eq_ignore_ascii_case(name)) {
        return Some(h.clone());
    }
    let lowered = name.to_lowercase();
    headers
        .iter()
        .map(|h| (strsim::jaro_winkler(&lowered, &h.to_lowercase()), h))
        .filter(|(score, _)| *score >= 0.8)
        .max_by(|a, b| a.0.total_cmp(&b.0))
        .map(|(_, h)| h.clone())
}

fn available(headers: &[String]) -> String {
    let mut listed: Vec<String> = headers.iter().take(12).map(|h| format!("\"{h}\"")).collect();
    if headers.len() > 12 {
        listed.push(format!("… ({} in all)", headers.len()));
    }
    listed.join(", ")
}

fn strip_one_trailing_newline(source: &str) -> &str {
    source.strip_suffix("\r\n").or_else(|| source.strip_suffix('\n')).unwrap_or(source)
}

impl PromptTemplate {
    /// Compiles `source` against `headers`; unknown columns are reported with the closest header.
    pub fn compile(source: &str, headers: &[String], role: TemplateRole) -> Result<Self, TemplateError> {
        let which = role.label();
        let source = strip_one_trailing_newline(source);
        if source.trim().is_empty() {
            return Err(TemplateError::Empty { which });
        }
        let unknown = |name: &str| TemplateError::UnknownColumn {
            which,
            name: name.to_string(),
            suggestion: closest_header(name, headers),
            available: available(headers),
        };
        let found = placeholders(source);
        let mut needs_jinja = source.contains("{%") || source.contains("{#");
        let mut columns = Vec::new();
        for p in &found {
            if let Some(index) = headers.iter().position(|h| h == p.inner) {
                columns.push(index);
            } else if looks_like_name(p.inner) {
                return Err(unknown(p.inner));
            } else {
                needs_jinja = true;
            }
        }
        let engine = if needs_jinja {
            Self::compile_jinja(source, &found, headers, which, &mut columns).map_err(|e| match e {
                JinjaCompileError::Unknown(name) => unknown(&name),
                JinjaCompileError::Syntax(detail) => TemplateError::Syntax { which, detail },
            })?
        } else {
            let mut segments = Vec::new();
            let mut at = 0;
            for p in &found {
                if p.start > at {
                    segments.push(Segment::Text(source[at..p.start].to_string()));
                }
                let index = headers.iter().position(|h| h == p.inner).unwrap_or_default();
                segments.push(Segment::Column(index));
                at = p.end;
            }
            if at < source.len() {
                segments.push(Segment::Text(source[at..].to_string()));
            }
            Engine::Plain(segments)
        };
        columns.sort_unstable();
        columns.dedup();
        Ok(Self { role, engine, headers: headers.to_vec(), columns })
    }

    fn compile_jinja(
        source: &str,
        found: &[Placeholder<'_>],
        headers: &[String],
        _which: &str,
        columns: &mut Vec<usize>,
    ) -> Result<Engine, JinjaCompileError> {
        // Rewrite `{{ Any Header }}` placeholders to `{{ row["Any Header"] }}` so non-identifier names parse.
        let mut rewritten = String::with_capacity(source.len() + 16);
        let mut at = 0;
        for p in found {
            if headers.iter().any(|h| h == p.inner) && !is_identifier(p.inner) {
                rewritten.push_str(&source[at..p.start]);
                let literal = serde_json::to_string(p.inner).unwrap_or_default();
                rewritten.push_str(&format!("{{{{ row[{literal}] }}}}"));
                at = p.end;
            }
        }
        rewritten.push_str(&source[at..]);
        let mut env = Environment::new();
        env.set_auto_escape_callback(|_| AutoEscape::None);
        env.set_undefined_behavior(UndefinedBehavior::Strict);
        env.set_keep_trailing_newline(true);
        env.add_template_owned(TEMPLATE_NAME, rewritten).map_err(|e| JinjaCompileError::Syntax(describe(&e)))?;
        let template = env.get_template(TEMPLATE_NAME).map_err(|e| JinjaCompileError::Syntax(describe(&e)))?;
        for name in template.undeclared_variables(false) {
            if JINJA_GLOBALS.contains(&name.as_str()) {
                continue;
            }
            match headers.iter().position(|h| *h == name) {
                Some(index) => columns.push(index),
                None => return Err(JinjaCompileError::Unknown(name)),
            }
        }
        // `row[...]` may reach any column; count every header referenced literally as used.
        for (index, header) in headers.iter().enumerate() {
            if source.contains(&format!("\"{header}\"")) || source.contains(&format!("'{header}'")) {
                columns.push(index);
            }
        }
        let identifiers =
            headers.iter().enumerate().filter(|(_, h)| is_identifier(h)).map(|(i, h)| (h.clone(), i)).collect();
        Ok(Engine::Jinja { env: Box::new(env), identifiers })
    }

    /// Indices of the columns this template reads.
    pub fn columns(&self) -> &[usize] {
        &self.columns
    }

    /// True when the template needs the Jinja engine (filters, conditionals, expressions).
    pub fn uses_jinja(&self) -> bool {
        matches!(self.engine, Engine::Jinja { .. })
    }

    /// Renders the template for `row`, appending to `out`.
    pub fn render_into(&self, row: &Row, out: &mut String) -> Result<(), TemplateError> {
        match &self.engine {
            Engine::Plain(segments) => {
                for segment in segments {
                    match segment {
                        Segment::Text(text) => out.push_str(text),
                        Segment::Column(index) => out.push_str(row.get(*index)),
                    }
                }
                Ok(())
            }
            Engine::Jinja { env, identifiers } => {
                let mut context: BTreeMap<&str, minijinja::Value> = BTreeMap::new();
                let all: BTreeMap<&str, &str> =
                    self.headers.iter().enumerate().map(|(i, h)| (h.as_str(), row.get(i))).collect();
                for (name, index) in identifiers {
                    context.insert(name.as_str(), minijinja::Value::from(row.get(*index)));
                }
                context.insert("row", minijinja::Value::from_serialize(&all));
                let rendered = env.get_template(TEMPLATE_NAME).and_then(|t| t.render(&context)).map_err(|e| {
                    TemplateError::Render { which: self.role.label(), row: row.number(), detail: describe(&e) }
                })?;
                out.push_str(&rendered);
                Ok(())
            }
        }
    }

    /// Renders the template for `row` into a new string.
    pub fn render(&self, row: &Row) -> Result<String, TemplateError> {
        let mut out = String::new();
        self.render_into(row, &mut out)?;
        Ok(out)
    }
}

enum JinjaCompileError {
    Unknown(String),
    Syntax(String),
}

fn describe(error: &minijinja::Error) -> String {
    let mut text = error.detail().map(str::to_string).unwrap_or_else(|| error.kind().to_string());
    if let Some(line) = error.line() {
        text = format!("line {line}: {text}");
    }
    text
}

#[cfg(test)]
mod tests;
