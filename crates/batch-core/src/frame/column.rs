//! A typed column buffered row by row (the answer's fields; the inputs' and results' texts and counts) until it
//! becomes a polars column: the Parquet export's row groups and the insights' frame.

use polars::prelude::{
    Column, DataType, IntoColumn, IntoSeries, ListBuilderTrait, ListStringChunkedBuilder, NamedFrom, PolarsResult,
    Series,
};

use crate::answer::{Cell, FieldKind};

/// One typed column's values, buffered row by row until they become a polars column.
pub(crate) enum TypedColumn {
    Text(Vec<Option<String>>),
    Number(Vec<Option<f64>>),
    Integer(Vec<Option<i64>>),
    Boolean(Vec<Option<bool>>),
    Date(Vec<Option<i32>>),
    List(Vec<Option<Vec<String>>>),
}

impl TypedColumn {
    /// The buffer of an answer field of `kind`.
    pub(crate) fn for_kind(kind: &FieldKind) -> Self {
        match kind {
            FieldKind::Number => Self::Number(Vec::new()),
            FieldKind::Integer => Self::Integer(Vec::new()),
            FieldKind::Boolean => Self::Boolean(Vec::new()),
            FieldKind::Date => Self::Date(Vec::new()),
            FieldKind::TextList | FieldKind::SomeOf(_) => Self::List(Vec::new()),
            FieldKind::Text | FieldKind::OneOf(_) | FieldKind::Json => Self::Text(Vec::new()),
        }
    }

    /// Its column type.
    pub(crate) fn data_type(&self) -> DataType {
        match self {
            Self::Text(_) => DataType::String,
            Self::Number(_) => DataType::Float64,
            Self::Integer(_) => DataType::Int64,
            Self::Boolean(_) => DataType::Boolean,
            Self::Date(_) => DataType::Date,
            Self::List(_) => DataType::List(Box::new(DataType::String)),
        }
    }

    /// Adds an answer cell (a cell of another type than the column's is null: the check made them agree).
    pub(crate) fn push_cell(&mut self, cell: &Cell) {
        match self {
            Self::Text(values) => values.push(match cell {
                Cell::Null => None,
                other => Some(other.text().into_owned()),
            }),
            Self::Number(values) => values.push(match cell {
                Cell::Number(n) => Some(*n),
                Cell::Integer(n) => Some(*n as f64),
                _ => None,
            }),
            Self::Integer(values) => values.push(if let Cell::Integer(n) = cell { Some(*n) } else { None }),
            Self::Boolean(values) => values.push(if let Cell::Boolean(b) = cell { Some(*b) } else { None }),
            Self::Date(values) => values.push(cell.epoch_days()),
            Self::List(values) => values.push(if let Cell::List(items) = cell { Some(items.clone()) } else { None }),
        }
    }

    /// Adds a text cell (inputs and results; a count column takes the number, or null when empty).
    pub(crate) fn push_text(&mut self, text: &str) {
        match self {
            Self::Integer(values) => values.push(text.parse().ok()),
            Self::Text(values) => values.push(Some(text.to_string())),
            other => other.push_cell(&Cell::Null),
        }
    }

    /// The buffered values as a column named `name`, leaving the buffer empty.
    pub(crate) fn take(&mut self, name: &str) -> PolarsResult<Column> {
        let name = name.into();
        let series = match self {
            Self::Text(values) => Series::new(name, std::mem::take(values)),
            Self::Number(values) => Series::new(name, std::mem::take(values)),
            Self::Integer(values) => Series::new(name, std::mem::take(values)),
            Self::Boolean(values) => Series::new(name, std::mem::take(values)),
            Self::Date(values) => Series::new(name, std::mem::take(values)).cast(&DataType::Date)?,
            Self::List(values) => {
                let items = values.iter().flatten().map(Vec::len).sum();
                let mut builder = ListStringChunkedBuilder::new(name, values.len(), items);
                for value in values.drain(..) {
                    match value {
                        Some(items) => builder.append_values_iter(items.iter().map(String::as_str)),
                        None => builder.append_null(),
                    }
                }
                builder.finish().into_series()
            }
        };
        Ok(series.into_column())
    }
}
