//! Checking one answer against its shape: the JSON found in the model's text (bare, in a code fence, or wrapped
//! in prose), each field's type, the fields required and no others — giving typed cells, or why it is invalid,
//! truncated (cut off at the token limit) or empty.

use serde_json::Value;

pub use super::cell::Cell;
use super::{AnswerField, AnswerShape, FieldKind};

/// What an answer turned out to be.
#[derive(Debug, Clone, PartialEq)]
pub enum AnswerCheck {
    /// It fits the shape: one cell per column, in the shape's order.
    Valid(Vec<Cell>),
    /// It does not parse or does not fit; the reason names the field and what was wrong.
    Invalid(String),
    /// The model stopped at its token limit before finishing.
    Truncated,
    /// Nothing was answered.
    Empty,
}

/// The stop reasons that mean an answer was cut off at the token limit, across families.
const TRUNCATED: [&str; 3] = ["max_tokens", "length", "max_token"];

/// Checks `text` (the model's answer, as extracted) with its `stop_reason` against `shape`.
pub fn check_answer(shape: &AnswerShape, text: &str, stop_reason: Option<&str>) -> AnswerCheck {
    if stop_reason.is_some_and(|r| TRUNCATED.contains(&r.to_ascii_lowercase().as_str())) {
        return AnswerCheck::Truncated;
    }
    if text.trim().is_empty() {
        return AnswerCheck::Empty;
    }
    let Some(json) = json_in(text) else {
        return AnswerCheck::Invalid("the answer holds no JSON object".into());
    };
    let value: Value = match serde_json::from_str(json) {
        Ok(value) => value,
        Err(e) => return AnswerCheck::Invalid(format!("the answer's JSON does not parse: {e}")),
    };
    let Value::Object(object) = value else {
        return AnswerCheck::Invalid("the answer is JSON but not an object".into());
    };
    let columns = shape.columns();
    let closed = match shape {
        AnswerShape::Schema { schema } => schema.get("additionalProperties") == Some(&Value::Bool(false)),
        _ => true,
    };
    if closed && let Some(extra) = object.keys().find(|k| !columns.iter().any(|c| &c.name == *k)) {
        return AnswerCheck::Invalid(format!("unexpected field `{extra}`"));
    }
    let mut cells = Vec::with_capacity(columns.len());
    for field in &columns {
        match cell(field, object.get(&field.name)) {
            Ok(cell) => cells.push(cell),
            Err(reason) => return AnswerCheck::Invalid(format!("field `{}`: {reason}", field.name)),
        }
    }
    AnswerCheck::Valid(cells)
}

/// The JSON object in `text`: the whole text, a fenced block's content, or from the first `{` to the last `}`.
fn json_in(text: &str) -> Option<&str> {
    let text = text.trim();
    if text.starts_with('{') && text.ends_with('}') {
        return Some(text);
    }
    if let Some(start) = text.find("```") {
        let after = &text[start + 3..];
        let body = after.trim_start_matches(|c: char| c.is_ascii_alphabetic());
        if let Some(end) = body.find("```") {
            let inner = body[..end].trim();
            if inner.starts_with('{') {
                return Some(inner);
            }
        }
    }
    let (start, end) = (text.find('{')?, text.rfind('}')?);
    (start < end).then(|| &text[start..=end])
}

/// What a value is, for a reason.
fn shown(value: &Value) -> String {
    let text = value.to_string();
    if text.chars().count() > 40 { format!("{}…", text.chars().take(40).collect::<String>()) } else { text }
}

/// One field's cell from its value.
fn cell(field: &AnswerField, value: Option<&Value>) -> Result<Cell, String> {
    let value = match value {
        None if field.required => return Err("missing".into()),
        None => return Ok(Cell::Null),
        Some(Value::Null) if field.nullable || !field.required => return Ok(Cell::Null),
        Some(Value::Null) => return Err("null, but a value is required".into()),
        Some(value) => value,
    };
    let expected = |what: &str| Err(format!("expected {what}, got {}", shown(value)));
    match &field.kind {
        FieldKind::Text => value.as_str().map_or_else(|| expected("text"), |s| Ok(Cell::Text(s.to_string()))),
        FieldKind::Json => Ok(Cell::Json(match value {
            Value::String(s) => s.clone(),
            other => other.to_string(),
        })),
        FieldKind::Number => value.as_f64().map_or_else(|| expected("a number"), |n| Ok(Cell::Number(n))),
        FieldKind::Integer => match (value.as_i64(), value.as_f64()) {
            (Some(n), _) => Ok(Cell::Integer(n)),
            (None, Some(f)) if f.fract() == 0.0 && f.abs() < 9.0e15 => Ok(Cell::Integer(f as i64)),
            _ => expected("a whole number"),
        },
        FieldKind::Boolean => value.as_bool().map_or_else(|| expected("true or false"), |b| Ok(Cell::Boolean(b))),
        FieldKind::Date => match value.as_str() {
            Some(date) if is_date(date) => Ok(Cell::Date(date.to_string())),
            _ => expected("a date (YYYY-MM-DD)"),
        },
        FieldKind::OneOf(values) => match value.as_str() {
            Some(v) if values.iter().any(|x| x == v) => Ok(Cell::Text(v.to_string())),
            _ => expected(&format!("one of {}", values.join(", "))),
        },
        FieldKind::TextList | FieldKind::SomeOf(_) => {
            let Some(items) = value.as_array() else { return expected("a list") };
            let mut texts = Vec::with_capacity(items.len());
            for (i, item) in items.iter().enumerate() {
                let Some(text) = item.as_str() else {
                    return Err(format!("item {}: expected text, got {}", i + 1, shown(item)));
                };
                if let FieldKind::SomeOf(values) = &field.kind
                    && !values.iter().any(|x| x == text)
                {
                    return Err(format!("item {}: expected one of {}, got \"{text}\"", i + 1, values.join(", ")));
                }
                texts.push(text.to_string());
            }
            Ok(Cell::List(texts))
        }
    }
}

/// True for a real calendar date written `YYYY-MM-DD`.
pub(crate) fn is_date(text: &str) -> bool {
    let parts: Vec<&str> = text.split('-').collect();
    let [y, m, d] = parts.as_slice() else { return false };
    if y.len() != 4 || m.len() != 2 || d.len() != 2 {
        return false;
    }
    let (Ok(y), Ok(m), Ok(d)) = (y.parse::<u32>(), m.parse::<u32>(), d.parse::<u32>()) else { return false };
    let leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    let days = match m {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if leap => 29,
        2 => 28,
        _ => return false,
    };
    (1..=days).contains(&d)
}
