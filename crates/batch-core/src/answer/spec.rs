//! Answer shapes written as text, as the command line takes them: a field `name:type[:description]` with the
//! types `text`, `number`, `integer`, `boolean`, `date`, `list` and `one-of(a|b|c)`; labels as `a,b,c`.

use super::{AnswerField, AnswerShape, FieldKind, ShapeError};

/// Why a written field or label list cannot be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SpecError {
    /// The text is not `name:type[:description]`.
    #[error(
        "`{0}` is not a field: write name:type or name:type:description (e.g. sentiment:one-of(positive|negative))"
    )]
    NotAField(String),
    /// The type is not one of the known ones.
    #[error("`{0}` is not a field type: use text, number, integer, boolean, date, list or one-of(a|b|c)")]
    UnknownType(String),
    /// The shape built cannot run.
    #[error(transparent)]
    Shape(#[from] ShapeError),
    /// A schema file that is not JSON (or not a shape).
    #[error("the answer schema is not usable JSON: {0}")]
    NotJson(String),
}

impl FieldKind {
    /// The kind written as `text`, `number`, `integer`, `boolean`, `date`, `list` or `one-of(a|b|c)`.
    pub fn parse(text: &str) -> Result<Self, SpecError> {
        let lower = text.trim().to_ascii_lowercase();
        Ok(match lower.as_str() {
            "text" | "string" => Self::Text,
            "number" | "decimal" => Self::Number,
            "integer" | "int" | "whole" => Self::Integer,
            "boolean" | "bool" | "yes/no" => Self::Boolean,
            "date" => Self::Date,
            "list" | "list-of-text" => Self::TextList,
            _ => {
                let inner = text.trim().strip_prefix("one-of(").and_then(|t| t.strip_suffix(')'));
                let values: Vec<String> = inner
                    .into_iter()
                    .flat_map(|t| t.split('|'))
                    .map(|v| v.trim().to_string())
                    .filter(|v| !v.is_empty())
                    .collect();
                if values.is_empty() {
                    return Err(SpecError::UnknownType(text.to_string()));
                }
                Self::OneOf(values)
            }
        })
    }
}

impl AnswerField {
    /// A field written `name:type[:description]`.
    pub fn parse(text: &str) -> Result<Self, SpecError> {
        let (name, rest) = text.split_once(':').ok_or_else(|| SpecError::NotAField(text.to_string()))?;
        // The type may hold ':' only inside one-of(…); the description is what follows the type.
        let (kind, description) = match rest.find(')') {
            Some(close) if rest.trim_start().starts_with("one-of(") => {
                let (kind, after) = rest.split_at(close + 1);
                (kind, after.strip_prefix(':').unwrap_or(after))
            }
            _ => rest.split_once(':').unwrap_or((rest, "")),
        };
        if name.trim().is_empty() || kind.trim().is_empty() {
            return Err(SpecError::NotAField(text.to_string()));
        }
        Ok(Self::new(name.trim(), FieldKind::parse(kind)?, description.trim()))
    }
}

impl AnswerShape {
    /// Labels written `a,b,c`.
    pub fn classify(labels: &str, multi: bool, other: bool) -> Result<Self, SpecError> {
        let labels = labels.split(',').map(|l| l.trim().to_string()).filter(|l| !l.is_empty()).collect();
        let shape = Self::Classify { labels, multi, other };
        shape.validate()?;
        Ok(shape)
    }

    /// A schema file's text: a JSON Schema of an object, or a shape as this tool saves it (`{"shape": …}`).
    pub fn from_json_text(text: &str) -> Result<Self, SpecError> {
        let value: serde_json::Value = serde_json::from_str(text).map_err(|e| SpecError::NotJson(e.to_string()))?;
        let shape = if value.get("shape").is_some() {
            serde_json::from_value(value).map_err(|e| SpecError::NotJson(e.to_string()))?
        } else {
            Self::Schema { schema: value }
        };
        shape.validate()?;
        Ok(shape)
    }

    /// Fields written `name:type[:description]`, one per text.
    pub fn extract(fields: &[String]) -> Result<Self, SpecError> {
        let fields = fields.iter().map(|f| AnswerField::parse(f)).collect::<Result<Vec<_>, _>>()?;
        let shape = Self::Extract { fields };
        shape.validate()?;
        Ok(shape)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fields_and_labels_are_read_as_written() {
        let field = AnswerField::parse("sentiment:one-of(positive | negative):the tone: overall").unwrap();
        assert_eq!(field.kind, FieldKind::OneOf(vec!["positive".into(), "negative".into()]));
        assert_eq!((field.name.as_str(), field.description.as_str()), ("sentiment", "the tone: overall"));
        let kinds: Vec<FieldKind> =
            ["amount:number", "n:integer", "ok:boolean", "due:date", "tags:list", "note:text:free"]
                .iter()
                .map(|t| AnswerField::parse(t).unwrap().kind)
                .collect();
        assert_eq!(
            kinds,
            [
                FieldKind::Number,
                FieldKind::Integer,
                FieldKind::Boolean,
                FieldKind::Date,
                FieldKind::TextList,
                FieldKind::Text
            ]
        );
        assert_eq!(AnswerField::parse("amount").unwrap_err(), SpecError::NotAField("amount".into()));
        assert_eq!(AnswerField::parse("amount:money").unwrap_err(), SpecError::UnknownType("money".into()));
        assert_eq!(AnswerField::parse("x:one-of()").unwrap_err(), SpecError::UnknownType("one-of()".into()));
        let shape = AnswerShape::classify("billing, shipping,,", false, true).unwrap();
        assert_eq!(
            shape,
            AnswerShape::Classify { labels: vec!["billing".into(), "shipping".into()], multi: false, other: true }
        );
        assert!(matches!(AnswerShape::classify(" , ", false, false), Err(SpecError::Shape(ShapeError::Empty(_)))));
        let schema = r#"{"type": "object", "properties": {"a": {"type": "integer"}}}"#;
        assert!(matches!(AnswerShape::from_json_text(schema).unwrap(), AnswerShape::Schema { .. }));
        let saved = serde_json::to_string(&shape).unwrap();
        assert_eq!(AnswerShape::from_json_text(&saved).unwrap(), shape);
        assert!(matches!(AnswerShape::from_json_text("{oops"), Err(SpecError::NotJson(_))));
        assert!(matches!(AnswerShape::from_json_text(r#"{"type": "string"}"#), Err(SpecError::Shape(_))));
        let twice = AnswerShape::extract(&["a:text".into(), "a:number".into()]).unwrap_err();
        assert_eq!(twice, SpecError::Shape(ShapeError::Duplicate("a".into())));
    }
}
