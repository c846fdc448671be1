//! One typed cell of an answer, and its text form: how a CSV, the results index and the window show it, and
//! how a typed export reads it back (`Cell::parse` is the inverse of `Cell::text` for every field kind).

use std::borrow::Cow;

use super::FieldKind;
use super::check::is_date;

/// One typed cell of an answer.
#[derive(Debug, Clone, PartialEq)]
pub enum Cell {
    /// Absent (an optional field) or null (a nullable one).
    Null,
    /// Text.
    Text(String),
    /// A number.
    Number(f64),
    /// A whole number.
    Integer(i64),
    /// True or false.
    Boolean(bool),
    /// A date, `YYYY-MM-DD`.
    Date(String),
    /// A list of texts.
    List(Vec<String>),
    /// Any other JSON value, as compact JSON text.
    Json(String),
}

impl Cell {
    /// The cell as text: empty for null, `true`/`false`, numbers in their shortest exact form, lists as a JSON
    /// array of strings (unambiguous whatever the items hold).
    pub fn text(&self) -> Cow<'_, str> {
        match self {
            Self::Null => Cow::Borrowed(""),
            Self::Text(text) | Self::Date(text) | Self::Json(text) => Cow::Borrowed(text),
            Self::Number(n) => Cow::Owned(n.to_string()),
            Self::Integer(n) => Cow::Owned(n.to_string()),
            Self::Boolean(b) => Cow::Borrowed(if *b { "true" } else { "false" }),
            Self::List(items) => Cow::Owned(serde_json::to_string(items).unwrap_or_default()),
        }
    }

    /// Whether a filter for `value` picks this cell: a list holds it, any other cell's text is it (the results
    /// index asks the same of its stored text with `json_each` and `json_extract`).
    pub fn matches(&self, value: &str) -> bool {
        match self {
            Self::List(items) => items.iter().any(|item| item == value),
            Self::Null => false,
            other => other.text() == value,
        }
    }

    /// The cell of a field of `kind` from its text form; text that is not of the kind (a hand-edited CSV, say)
    /// is null rather than a wrong value.
    pub fn parse(kind: &FieldKind, text: &str) -> Self {
        if text.is_empty() {
            return Self::Null;
        }
        match kind {
            FieldKind::Text | FieldKind::OneOf(_) => Self::Text(text.to_string()),
            FieldKind::Json => Self::Json(text.to_string()),
            FieldKind::Number => text.parse().map_or(Self::Null, Self::Number),
            FieldKind::Integer => text.parse().map_or(Self::Null, Self::Integer),
            FieldKind::Boolean => match text {
                "true" => Self::Boolean(true),
                "false" => Self::Boolean(false),
                _ => Self::Null,
            },
            FieldKind::Date if is_date(text) => Self::Date(text.to_string()),
            FieldKind::Date => Self::Null,
            FieldKind::TextList | FieldKind::SomeOf(_) => serde_json::from_str(text).map_or(Self::Null, Self::List),
        }
    }

    /// Days since 1970-01-01 of a date cell (the Parquet and Arrow date representation).
    pub fn epoch_days(&self) -> Option<i32> {
        let Self::Date(text) = self else { return None };
        let date = chrono::NaiveDate::parse_from_str(text, "%Y-%m-%d").ok()?;
        let epoch = chrono::NaiveDate::from_ymd_opt(1970, 1, 1)?;
        i32::try_from(date.signed_duration_since(epoch).num_days()).ok()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_filter_value_picks_a_cell_by_its_text_and_a_list_by_an_item() {
        assert!(Cell::Text("bug".into()).matches("bug") && !Cell::Text("bugs".into()).matches("bug"));
        assert!(Cell::Boolean(true).matches("true") && !Cell::Boolean(false).matches("true"));
        assert!(Cell::Integer(4).matches("4") && Cell::Number(2.5).matches("2.5"));
        let tags = Cell::List(vec!["ui".into(), "bug".into()]);
        assert!(tags.matches("bug") && !tags.matches("bu") && !tags.matches(r#"["ui","bug"]"#));
        assert!(!Cell::Null.matches(""), "an absent value is no value");
    }
}
