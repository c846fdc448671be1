//! The answer's shape: free text (one answer column), a label from a set (classify), named fields of given
//! types (extract), or the user's own JSON Schema. A shape gives the JSON Schema the model receives
//! ([`AnswerShape::json_schema`]), the typed columns the results get ([`AnswerShape::columns`]), and checks
//! each answer against itself ([`check::check_answer`]).

mod cell;
pub mod check;
pub mod native;
mod preview;
mod schema;
mod spec;
#[cfg(test)]
mod tests;

use serde::{Deserialize, Serialize};

pub use cell::Cell;
pub use preview::AnswerPreview;
pub use schema::ShapeError;
pub use spec::SpecError;

/// The label a classify answer may give when no listed label fits (with `other` set).
pub const OTHER_LABEL: &str = "other";

/// What one answer column holds.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", content = "values", rename_all = "snake_case")]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub enum FieldKind {
    /// Any text.
    Text,
    /// A number (integer or decimal).
    Number,
    /// A whole number.
    Integer,
    /// True or false.
    Boolean,
    /// A calendar date, `YYYY-MM-DD`.
    Date,
    /// One of the listed values.
    OneOf(Vec<String>),
    /// A list of texts.
    TextList,
    /// A list of values, each one of the listed values (a multi-label answer).
    SomeOf(Vec<String>),
    /// Anything else the user's schema allows (objects, nested lists), kept as JSON text.
    Json,
}

/// One field of the answer: a column of the results.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct AnswerField {
    /// Its name (the JSON key and the column's name).
    pub name: String,
    /// What it holds.
    pub kind: FieldKind,
    /// What the model is told it is.
    #[serde(default)]
    pub description: String,
    /// Whether the answer must have it (fields of the built-in shapes always must).
    #[serde(default = "required_by_default")]
    pub required: bool,
    /// Whether it may be null.
    #[serde(default)]
    pub nullable: bool,
}

fn required_by_default() -> bool {
    true
}

impl AnswerField {
    /// A required, non-null field.
    pub fn new(name: &str, kind: FieldKind, description: &str) -> Self {
        Self { name: name.into(), kind, description: description.into(), required: true, nullable: false }
    }
}

/// The shape of every answer of a run.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "shape", rename_all = "snake_case")]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub enum AnswerShape {
    /// A paragraph per row, as today: one `output` column.
    #[default]
    FreeText,
    /// One of `labels` (several with `multi`), or [`OTHER_LABEL`] when `other` is set.
    Classify {
        /// The labels.
        labels: Vec<String>,
        /// Several labels a row.
        #[serde(default)]
        multi: bool,
        /// Offer "other" when no label fits.
        #[serde(default)]
        other: bool,
    },
    /// Named fields, each with a type and a description.
    Extract {
        /// The fields.
        fields: Vec<AnswerField>,
    },
    /// The user's JSON Schema (an object schema): its top-level properties are the columns.
    Schema {
        /// The schema as given.
        #[cfg_attr(feature = "ts", ts(type = "unknown"))]
        schema: serde_json::Value,
    },
}

impl AnswerShape {
    /// True for free text (no schema, no typed columns).
    pub fn is_free_text(&self) -> bool {
        matches!(self, Self::FreeText)
    }

    /// The classify labels as the model may answer them (with "other" last when offered).
    fn labels(labels: &[String], other: bool) -> Vec<String> {
        let mut all: Vec<String> = labels.to_vec();
        if other && !all.iter().any(|l| l == OTHER_LABEL) {
            all.push(OTHER_LABEL.into());
        }
        all
    }

    /// The typed columns every answer fills, in order (none for free text).
    pub fn columns(&self) -> Vec<AnswerField> {
        match self {
            Self::FreeText => Vec::new(),
            Self::Classify { labels, multi: false, other } => {
                vec![AnswerField::new(
                    "label",
                    FieldKind::OneOf(Self::labels(labels, *other)),
                    "the label that fits best",
                )]
            }
            Self::Classify { labels, multi: true, other } => {
                vec![AnswerField::new(
                    "labels",
                    FieldKind::SomeOf(Self::labels(labels, *other)),
                    "every label that fits",
                )]
            }
            Self::Extract { fields } => fields.clone(),
            Self::Schema { schema } => schema::columns_of(schema),
        }
    }
}
