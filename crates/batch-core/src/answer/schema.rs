//! Shapes to JSON Schema and back: the schema the model receives for a built-in shape (every field required, no
//! other property, as Bedrock's structured outputs want), and the columns of a user's schema file.

use serde_json::{Map, Value, json};

use super::{AnswerField, AnswerShape, FieldKind};

/// Why a shape or schema cannot be used.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ShapeError {
    /// The schema is not an object schema with properties.
    #[error("the answer schema must describe an object with `properties` (one per column): {0}")]
    NotAnObject(String),
    /// A classify shape without labels, or an extract shape without fields.
    #[error("the answer shape is empty: {0}")]
    Empty(String),
    /// Two fields or labels share a name.
    #[error("`{0}` is given twice; each field and label needs its own name")]
    Duplicate(String),
    /// A field name that cannot be a column.
    #[error(
        "field name `{0}` is not usable: use letters, digits and `_` (up to 64), not `record_id`, `status` or another results column"
    )]
    BadName(String),
}

/// The results' own columns, which a field may not shadow.
const RESERVED: [&str; 8] =
    ["record_id", "status", "output", "error", "input_tokens", "output_tokens", "stop_reason", "tier"];

/// The JSON Schema of one field's value.
fn field_schema(field: &AnswerField) -> Value {
    let mut schema = match &field.kind {
        FieldKind::Text | FieldKind::Json => json!({"type": "string"}),
        FieldKind::Number => json!({"type": "number"}),
        FieldKind::Integer => json!({"type": "integer"}),
        FieldKind::Boolean => json!({"type": "boolean"}),
        FieldKind::Date => json!({"type": "string", "format": "date"}),
        FieldKind::OneOf(values) => json!({"type": "string", "enum": values}),
        FieldKind::TextList => json!({"type": "array", "items": {"type": "string"}}),
        FieldKind::SomeOf(values) => json!({"type": "array", "items": {"type": "string", "enum": values}}),
    };
    if field.nullable
        && let Some(kind) = schema.get("type").cloned()
    {
        schema["type"] = json!([kind, "null"]);
    }
    if !field.description.is_empty() {
        schema["description"] = json!(field.description);
    }
    schema
}

impl AnswerShape {
    /// The JSON Schema the model is given (none for free text). A user's schema is passed on as written.
    pub fn json_schema(&self) -> Option<Value> {
        if let Self::Schema { schema } = self {
            return Some(schema.clone());
        }
        let columns = self.columns();
        if columns.is_empty() {
            return None;
        }
        let properties: Map<String, Value> = columns.iter().map(|f| (f.name.clone(), field_schema(f))).collect();
        let required: Vec<&str> = columns.iter().filter(|f| f.required).map(|f| f.name.as_str()).collect();
        Some(json!({"type": "object", "properties": properties, "required": required, "additionalProperties": false}))
    }

    /// Checks the shape can run: labels and fields given, named once each, names usable as columns; a user's
    /// schema describes an object.
    pub fn validate(&self) -> Result<(), ShapeError> {
        match self {
            Self::FreeText => return Ok(()),
            Self::Classify { labels, .. } => {
                if labels.iter().all(|l| l.trim().is_empty()) {
                    return Err(ShapeError::Empty("give at least one label".into()));
                }
                first_duplicate(labels.iter().map(|l| l.trim().to_string()))?;
            }
            Self::Extract { fields } if fields.is_empty() => {
                return Err(ShapeError::Empty("give at least one field".into()));
            }
            Self::Extract { .. } => {}
            Self::Schema { schema } => {
                let properties = schema.get("properties").and_then(Value::as_object);
                let is_object = schema.get("type").and_then(Value::as_str) == Some("object");
                if !is_object || properties.is_none_or(Map::is_empty) {
                    return Err(ShapeError::NotAnObject(
                        "its top level needs \"type\": \"object\" and properties".into(),
                    ));
                }
            }
        }
        let columns = self.columns();
        for field in &columns {
            let usable = !field.name.is_empty()
                && field.name.len() <= 64
                && field.name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
                && !RESERVED.contains(&field.name.as_str());
            if !usable {
                return Err(ShapeError::BadName(field.name.clone()));
            }
        }
        first_duplicate(columns.iter().map(|f| f.name.clone()))
    }
}

fn first_duplicate(names: impl Iterator<Item = String>) -> Result<(), ShapeError> {
    let mut seen = std::collections::HashSet::new();
    for name in names {
        if !seen.insert(name.clone()) {
            return Err(ShapeError::Duplicate(name));
        }
    }
    Ok(())
}

/// The kind of a property of a user's schema.
fn kind_of(property: &Value) -> (FieldKind, bool) {
    let types: Vec<&str> = match property.get("type") {
        Some(Value::String(t)) => vec![t.as_str()],
        Some(Value::Array(ts)) => ts.iter().filter_map(Value::as_str).collect(),
        _ => Vec::new(),
    };
    let nullable = types.contains(&"null");
    let strings = |v: Option<&Value>| -> Option<Vec<String>> {
        v?.as_array()?.iter().map(|x| x.as_str().map(str::to_string)).collect()
    };
    let kind = match types.iter().find(|t| **t != "null").copied() {
        Some("string") => match (strings(property.get("enum")), property.get("format").and_then(Value::as_str)) {
            (Some(values), _) => FieldKind::OneOf(values),
            (None, Some("date")) => FieldKind::Date,
            _ => FieldKind::Text,
        },
        Some("number") => FieldKind::Number,
        Some("integer") => FieldKind::Integer,
        Some("boolean") => FieldKind::Boolean,
        Some("array") => {
            let items = property.get("items").unwrap_or(&Value::Null);
            match (items.get("type").and_then(Value::as_str), strings(items.get("enum"))) {
                (Some("string"), Some(values)) => FieldKind::SomeOf(values),
                (Some("string"), None) => FieldKind::TextList,
                _ => FieldKind::Json,
            }
        }
        _ => FieldKind::Json,
    };
    (kind, nullable)
}

/// The columns of a user's object schema: one per top-level property, in the order written.
pub(super) fn columns_of(schema: &Value) -> Vec<AnswerField> {
    let required: Vec<&str> = schema
        .get("required")
        .and_then(Value::as_array)
        .map(|r| r.iter().filter_map(Value::as_str).collect())
        .unwrap_or_default();
    let Some(properties) = schema.get("properties").and_then(Value::as_object) else { return Vec::new() };
    properties
        .iter()
        .map(|(name, property)| {
            let (kind, nullable) = kind_of(property);
            AnswerField {
                name: name.clone(),
                kind,
                description: property.get("description").and_then(Value::as_str).unwrap_or_default().to_string(),
                required: required.contains(&name.as_str()),
                nullable,
            }
        })
        .collect()
}
