//! What a template does with a sheet's columns, as the editor shows it: its pieces (text and placeholders,
//! each marked as a column, an expression over columns, or a name that matches none), the columns it reads,
//! the unknown names with the closest column, and why it cannot be rendered. The same rules as
//! [`PromptTemplate::compile`](super::PromptTemplate::compile), so the window never judges a template itself.

use serde::Serialize;

use super::{
    JINJA_GLOBALS, PromptTemplate, TemplateError, TemplateRole, closest_header, looks_like_name, placeholders,
    strip_one_trailing_newline,
};

/// A template read against a sheet's headers.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct TemplateAnalysis {
    /// The template cut into text and placeholders, in order; their texts joined give the template back.
    pub pieces: Vec<TemplatePiece>,
    /// The columns it reads, in sheet order (when it cannot be compiled, those its placeholders name).
    pub columns: Vec<String>,
    /// Names that match no column, each once, in the order they appear.
    pub unknown: Vec<UnknownName>,
    /// Why it cannot be rendered, other than unknown names (syntax, a refused statement, its length).
    pub error: Option<String>,
}

/// One piece of a template.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct TemplatePiece {
    /// The piece's text as written.
    pub text: String,
    /// What it is.
    pub kind: PieceKind,
}

/// What a piece of a template is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "snake_case")]
pub enum PieceKind {
    /// Plain text (statements such as `{% if %}` included).
    Text,
    /// A placeholder that is exactly a column's name.
    Column,
    /// A placeholder with filters or expressions over known columns (`{{ name | upper }}`, `{{ row["A b"] }}`).
    Expression,
    /// A placeholder naming something that is not a column.
    Unknown,
}

/// A name in a template that matches no column.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct UnknownName {
    /// The name as written.
    pub name: String,
    /// The closest column, when one is close.
    pub suggestion: Option<String>,
}

/// The user prompt's and the system prompt's analyses.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct PromptAnalysis {
    /// The user prompt's template.
    pub prompt: TemplateAnalysis,
    /// The system prompt's template, when one is given.
    pub system: Option<TemplateAnalysis>,
}

/// Analyses the prompt template and, when not blank, the system template against `headers`.
pub fn analyze_prompt(template: &str, system: Option<&str>, headers: &[String]) -> PromptAnalysis {
    PromptAnalysis {
        prompt: analyze(template, headers, TemplateRole::Prompt),
        system: system.filter(|s| !s.trim().is_empty()).map(|s| analyze(s, headers, TemplateRole::System)),
    }
}

/// Analyses one template against `headers`. A blank template has no pieces and no error.
pub fn analyze(source: &str, headers: &[String], role: TemplateRole) -> TemplateAnalysis {
    let compiled = PromptTemplate::compile(strip_one_trailing_newline(source), headers, role);
    let statements = source.contains("{%");
    // With statements a name may be a loop's variable; only the engine knows, and it reports the first.
    let engine_unknown = match &compiled {
        Err(TemplateError::UnknownColumn { name, .. }) => Some(name.as_str()),
        _ => None,
    };
    let mut pieces = Vec::new();
    let mut unknown: Vec<UnknownName> = Vec::new();
    let mut named = vec![false; headers.len()];
    let mut at = 0;
    for placeholder in placeholders(source) {
        if placeholder.start > at {
            pieces.push(TemplatePiece { text: source[at..placeholder.start].to_string(), kind: PieceKind::Text });
        }
        let inner = placeholder.inner;
        let kind = if let Some(index) = headers.iter().position(|h| h == inner) {
            named[index] = true;
            PieceKind::Column
        } else {
            for name in names_in_expression(inner) {
                if let Some(index) = headers.iter().position(|h| h == name.text()) {
                    named[index] = true;
                }
            }
            let missing: Vec<&str> = if looks_like_name(inner) {
                let undeclared = !statements || engine_unknown == Some(inner);
                if undeclared { vec![inner] } else { Vec::new() }
            } else {
                names_in_expression(inner)
                    .into_iter()
                    .filter(|name| match name {
                        Name::Key(key) => !headers.iter().any(|h| h == key),
                        // Without statements every variable is a column; with them, a loop's too.
                        Name::Variable(var) => {
                            !headers.iter().any(|h| h == var) && (!statements || engine_unknown == Some(*var))
                        }
                    })
                    .map(Name::text)
                    .collect()
            };
            for name in &missing {
                if !unknown.iter().any(|u| u.name == *name) {
                    unknown.push(UnknownName { name: name.to_string(), suggestion: closest_header(name, headers) });
                }
            }
            if missing.is_empty() { PieceKind::Expression } else { PieceKind::Unknown }
        };
        pieces.push(TemplatePiece { text: source[placeholder.start..placeholder.end].to_string(), kind });
        at = placeholder.end;
    }
    if at < source.len() {
        pieces.push(TemplatePiece { text: source[at..].to_string(), kind: PieceKind::Text });
    }
    let named_columns = || headers.iter().zip(&named).filter(|(_, n)| **n).map(|(h, _)| h.clone()).collect();
    let (columns, error) = match compiled {
        Ok(template) => (template.columns().iter().filter_map(|&i| headers.get(i).cloned()).collect(), None),
        Err(TemplateError::Empty { .. }) => (Vec::new(), None),
        Err(TemplateError::UnknownColumn { name, suggestion, .. }) => {
            if !unknown.iter().any(|u| u.name == name) {
                unknown.push(UnknownName { name, suggestion });
            }
            (named_columns(), None)
        }
        Err(other) => (named_columns(), Some(other.to_string())),
    };
    TemplateAnalysis { pieces, columns, unknown, error }
}

/// A name an expression reads: a variable, or a key looked up in `row`.
#[derive(Clone, Copy)]
enum Name<'a> {
    Variable(&'a str),
    Key(&'a str),
}

impl<'a> Name<'a> {
    fn text(self) -> &'a str {
        match self {
            Self::Variable(text) | Self::Key(text) => text,
        }
    }
}

/// The variables (not globals, filters or attributes) and the `row["…"]` keys of an expression.
fn names_in_expression(inner: &str) -> Vec<Name<'_>> {
    let mut names = Vec::new();
    let bytes = inner.as_bytes();
    let mut i = 0;
    let mut previous: Option<u8> = None;
    while i < bytes.len() {
        let c = bytes[i];
        if c == b'"' || c == b'\'' {
            let end = inner[i + 1..].find(c as char).map_or(inner.len(), |e| i + 1 + e);
            i = (end + 1).min(inner.len());
            previous = Some(c);
            continue;
        }
        if c.is_ascii_alphabetic() || c == b'_' || c >= 0x80 {
            let start = i;
            while i < bytes.len() && (bytes[i].is_ascii_alphanumeric() || bytes[i] == b'_' || bytes[i] >= 0x80) {
                i += 1;
            }
            let word = &inner[start..i];
            // After `|` a word is a filter, after `.` an attribute, before `(` a function or method.
            let after = inner[i..].trim_start();
            let filter_or_attribute = matches!(previous, Some(b'|' | b'.'));
            if word == "row" && after.starts_with('[') {
                let key = after[1..].trim_start();
                if let Some(quote) = key.chars().next().filter(|q| *q == '"' || *q == '\'')
                    && let Some(len) = key[1..].find(quote)
                {
                    names.push(Name::Key(&key[1..1 + len]));
                }
            } else if !filter_or_attribute
                && !after.starts_with('(')
                && !JINJA_GLOBALS.contains(&word)
                && !KEYWORDS.contains(&word)
            {
                names.push(Name::Variable(word));
            }
            previous = Some(b'a');
            continue;
        }
        if !c.is_ascii_whitespace() {
            previous = Some(c);
        }
        i += 1;
    }
    names
}

/// Words of Jinja's expression syntax that are not names.
const KEYWORDS: &[&str] =
    &["and", "or", "not", "in", "is", "if", "else", "true", "false", "none", "True", "False", "None"];

#[cfg(test)]
mod tests {
    use super::*;

    fn headers() -> Vec<String> {
        ["id", "Review Text", "rating", "name"].map(String::from).to_vec()
    }

    fn kinds(analysis: &TemplateAnalysis) -> Vec<(&str, PieceKind)> {
        analysis.pieces.iter().map(|p| (p.text.as_str(), p.kind)).collect()
    }

    #[test]
    fn plain_placeholders_are_columns_or_unknown_with_the_closest_column() {
        let analysis = analyze("Rate {{ Review Text }} ({{ratng}})\n", &headers(), TemplateRole::Prompt);
        assert_eq!(
            kinds(&analysis),
            vec![
                ("Rate ", PieceKind::Text),
                ("{{ Review Text }}", PieceKind::Column),
                (" (", PieceKind::Text),
                ("{{ratng}}", PieceKind::Unknown),
                (")\n", PieceKind::Text),
            ]
        );
        assert_eq!(analysis.unknown, vec![UnknownName { name: "ratng".into(), suggestion: Some("rating".into()) }]);
        // It cannot render, but the columns it names are known (for the empty-cells warning).
        assert_eq!(analysis.columns, vec!["Review Text".to_string()]);
        assert_eq!(analysis.error, None);
    }

    #[test]
    fn filters_and_row_lookups_of_columns_are_known_expressions() {
        let analysis = analyze("{{ name | upper }} said {{ row[\"Review Text\"] }}", &headers(), TemplateRole::Prompt);
        assert_eq!(
            kinds(&analysis),
            vec![
                ("{{ name | upper }}", PieceKind::Expression),
                (" said ", PieceKind::Text),
                ("{{ row[\"Review Text\"] }}", PieceKind::Expression),
            ]
        );
        assert!(analysis.unknown.is_empty());
        assert_eq!(analysis.columns, vec!["Review Text".to_string(), "name".to_string()]);
    }

    #[test]
    fn unknown_names_inside_expressions_are_found() {
        let analysis = analyze("{{ nme | upper }} {{ row['Review txt'] }}", &headers(), TemplateRole::Prompt);
        assert_eq!(analysis.pieces[0].kind, PieceKind::Unknown);
        assert_eq!(analysis.pieces[2].kind, PieceKind::Unknown);
        assert_eq!(
            analysis.unknown,
            vec![
                UnknownName { name: "nme".into(), suggestion: Some("name".into()) },
                UnknownName { name: "Review txt".into(), suggestion: Some("Review Text".into()) },
            ]
        );
    }

    #[test]
    fn loop_variables_are_not_unknown_and_the_engine_names_a_real_unknown() {
        let looped = analyze("{% for c in [rating] %}{{ c }}{% endfor %}", &headers(), TemplateRole::Prompt);
        assert!(looped.unknown.is_empty(), "{looped:?}");
        assert_eq!(looped.columns, vec!["rating".to_string()]);
        let wrong = analyze("{% if ratin %}{{ id }}{% endif %}", &headers(), TemplateRole::Prompt);
        assert_eq!(wrong.unknown, vec![UnknownName { name: "ratin".into(), suggestion: Some("rating".into()) }]);
    }

    #[test]
    fn syntax_and_refused_statements_are_errors_and_a_blank_template_is_neither() {
        let broken = analyze("{% if id %}open", &headers(), TemplateRole::Prompt);
        assert!(broken.error.as_deref().is_some_and(|e| e.starts_with("prompt template:")), "{broken:?}");
        let refused = analyze("{% set x = id %}{{ x }}", &headers(), TemplateRole::System);
        assert!(refused.error.as_deref().is_some_and(|e| e.contains("`{% set %}`")), "{refused:?}");
        let blank = analyze("  ", &headers(), TemplateRole::Prompt);
        assert_eq!(blank.error, None);
        assert!(blank.unknown.is_empty());
    }

    #[test]
    fn the_pieces_give_the_template_back() {
        let source = "Hi {{name}}, {% if rating %}{{ rating | int }}{% endif %} {{ 1 + 2 }} {# c #}\n";
        let analysis = analyze(source, &headers(), TemplateRole::Prompt);
        assert_eq!(analysis.pieces.iter().map(|p| p.text.as_str()).collect::<String>(), source);
    }

    #[test]
    fn a_blank_system_prompt_has_no_analysis() {
        let both = analyze_prompt("{{id}}", Some(" \n"), &headers());
        assert_eq!(both.system, None);
        let with_system = analyze_prompt("{{id}}", Some("You rate {{ratng}}"), &headers());
        assert_eq!(with_system.system.map(|s| s.unknown.len()), Some(1));
    }
}
