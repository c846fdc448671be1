//! Prompt templates: `{{column}}` placeholders matched to header names, with Jinja (minijinja) for filters
//! and conditionals.
//!
//! A placeholder's text between the braces, trimmed, is matched exactly against the headers, so
//! `{{ Review Text }}` works for a column named "Review Text". Templates that only use such placeholders are
//! rendered by plain concatenation (fast, no engine). Anything else — `{% if %}`, filters, `{{ row["x"] }}` —
//! goes through minijinja, where identifier-like columns are variables and every column is reachable as
//! `row["Any Name"]`. Cell text is always inserted literally: data that looks like a template is never
//! expanded, because values are never parsed as templates.
//!
//! Every row's rendering has a budget: at most [`RENDER_FUEL`] engine steps and [`MAX_PROMPT_BYTES`] of
//! prompt, and the statements that bind or import values (`set`, `with`, `macro`, `call`, `include`,
//! `import`, `from`, `extends`, `block`, `do`) and the `namespace` and `dict` globals are refused: a prompt
//! template needs none of them, and with them a few lines can grow a value exponentially in a handful of steps.

pub mod analysis;

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
    /// The template uses a statement or function prompt templates do not allow.
    #[error(
        "{which} template: line {line}: {what} is not supported in prompt templates (it can make a prompt grow without bound); use placeholders, filters, if and for instead"
    )]
    Unsupported {
        /// "prompt" or "system".
        which: &'static str,
        /// 1-based line of the template.
        line: usize,
        /// What was found, e.g. "`{% set %}`".
        what: String,
    },
    /// Rendering one row went past the budget.
    #[error(
        "{which} template: row {row}: {detail}; simplify the template (loops over loops?) or shorten the cells it repeats"
    )]
    OverBudget {
        /// "prompt" or "system".
        which: &'static str,
        /// 1-based data row.
        row: u64,
        /// Which budget, and where in the template.
        detail: String,
    },
    /// The template text itself is too long.
    #[error("{which} template is {bytes} bytes, more than the {max} a prompt template may have; shorten it")]
    TooLong {
        /// "prompt" or "system".
        which: &'static str,
        /// Its length.
        bytes: usize,
        /// The limit.
        max: usize,
    },
}

/// Engine steps one row's rendering may take (a template with a loop over every column of a wide sheet takes
/// a few thousand).
pub const RENDER_FUEL: u64 = 1_000_000;
/// The longest prompt one row may render to (far more text than any model's context).
pub const MAX_PROMPT_BYTES: usize = 16 * 1024 * 1024;
/// The longest template text.
pub const MAX_TEMPLATE_BYTES: usize = 256 * 1024;
/// Statements a prompt template may not use: each binds or imports values.
const REFUSED_STATEMENTS: &[&str] =
    &["set", "with", "macro", "call", "include", "import", "from", "extends", "block", "do"];

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
/// Globals removed from the engine (see the module's budget).
const REFUSED_GLOBALS: &[&str] = &["namespace", "dict"];

/// The first statement the budget refuses, with its 1-based line (statements always open with `{%`).
fn refused_construct(source: &str) -> Option<(usize, String)> {
    let line_of = |at: usize| source[..at].matches('\n').count() + 1;
    let mut from = 0;
    while let Some(open) = source[from..].find("{%").map(|i| i + from) {
        let inner = source[open + 2..].trim_start_matches(['-', '+', '~']).trim_start();
        let word: String = inner.chars().take_while(|c| c.is_ascii_alphanumeric() || *c == '_').collect();
        if REFUSED_STATEMENTS.contains(&word.as_str()) {
            return Some((line_of(open), format!("`{{% {word} %}}`")));
        }
        from = open + 2;
    }
    None
}

/// A prompt being rendered: refuses to grow past [`MAX_PROMPT_BYTES`].
struct BoundedOutput<'a> {
    out: &'a mut String,
    limit: usize,
    overflowed: bool,
}

impl std::io::Write for BoundedOutput<'_> {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        if self.out.len() + buf.len() > self.limit {
            self.overflowed = true;
            return Err(std::io::Error::other("the prompt is too long"));
        }
        // minijinja writes whole UTF-8 pieces of text it rendered.
        self.out.push_str(&String::from_utf8_lossy(buf));
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

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
        if source.len() > MAX_TEMPLATE_BYTES {
            return Err(TemplateError::TooLong { which, bytes: source.len(), max: MAX_TEMPLATE_BYTES });
        }
        let unknown = |name: &str| TemplateError::UnknownColumn {
            which,
            name: name.to_string(),
            suggestion: closest_header(name, headers),
            available: available(headers),
        };
        if let Some((line, what)) = refused_construct(source) {
            return Err(TemplateError::Unsupported { which, line, what });
        }
        let found = placeholders(source);
        let statements = source.contains("{%");
        let mut needs_jinja = statements || source.contains("{#");
        let mut columns = Vec::new();
        for p in &found {
            if let Some(index) = headers.iter().position(|h| h == p.inner) {
                columns.push(index);
            } else if looks_like_name(p.inner) && !statements {
                return Err(unknown(p.inner));
            } else {
                // With statements, a name may be a loop's variable: the engine tells unknown names apart.
                needs_jinja = true;
            }
        }
        let engine = if needs_jinja {
            Self::compile_jinja(source, &found, headers, which, &mut columns).map_err(|e| match e {
                JinjaCompileError::Unknown(name) => unknown(&name),
                JinjaCompileError::Syntax(detail) => TemplateError::Syntax { which, detail },
                JinjaCompileError::Refused(name) => {
                    let at = source.find(name.as_str()).unwrap_or(0);
                    TemplateError::Unsupported {
                        which,
                        line: source[..at].matches('\n').count() + 1,
                        what: format!("`{name}()`"),
                    }
                }
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
        env.set_fuel(Some(RENDER_FUEL));
        for name in REFUSED_GLOBALS {
            env.remove_global(name);
        }
        env.set_auto_escape_callback(|_| AutoEscape::None);
        env.set_undefined_behavior(UndefinedBehavior::Strict);
        env.set_keep_trailing_newline(true);
        env.add_template_owned(TEMPLATE_NAME, rewritten).map_err(|e| JinjaCompileError::Syntax(describe(&e)))?;
        let template = env.get_template(TEMPLATE_NAME).map_err(|e| JinjaCompileError::Syntax(describe(&e)))?;
        for name in template.undeclared_variables(false) {
            if REFUSED_GLOBALS.contains(&name.as_str()) {
                return Err(JinjaCompileError::Refused(name));
            }
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
                let start = out.len();
                let mut bounded = BoundedOutput { out, limit: start + MAX_PROMPT_BYTES, overflowed: false };
                let rendered = env
                    .get_template(TEMPLATE_NAME)
                    .and_then(|t| t.render_captured_to(&context, &mut bounded).map(|_| ()));
                let overflowed = bounded.overflowed;
                let (which, row) = (self.role.label(), row.number());
                match rendered {
                    Ok(_) => Ok(()),
                    Err(_) if overflowed => {
                        out.truncate(start);
                        Err(TemplateError::OverBudget {
                            which,
                            row,
                            detail: format!("the prompt grows past {} MB", MAX_PROMPT_BYTES >> 20),
                        })
                    }
                    Err(e) if e.kind() == minijinja::ErrorKind::OutOfFuel => {
                        out.truncate(start);
                        Err(TemplateError::OverBudget {
                            which,
                            row,
                            detail: format!("{} steps were not enough to render it ({})", RENDER_FUEL, describe(&e)),
                        })
                    }
                    Err(e) => {
                        out.truncate(start);
                        Err(TemplateError::Render { which, row, detail: describe(&e) })
                    }
                }
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
    Refused(String),
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
