//! JSON Lines export: one object per row, keys in column order, tokens as numbers (null when unknown), the
//! answer's fields as JSON values of their types.

use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::Path;

use serde::ser::{SerializeMap, Serializer};

use super::temp_file::TempTarget;
use super::{ExportColumns, ExportError, ResultFields, RowWriter, input_cells};
use crate::answer::Cell;
use crate::sheet::Row;

pub(crate) struct JsonlExport {
    temp: TempTarget,
    out: BufWriter<File>,
    columns: ExportColumns,
}

impl JsonlExport {
    pub(crate) fn create(path: &Path, columns: &ExportColumns) -> Result<Self, ExportError> {
        let temp = TempTarget::new(path);
        let file = File::create(temp.path()).map_err(|e| temp.error(e))?;
        Ok(Self { temp, out: BufWriter::with_capacity(1 << 20, file), columns: columns.clone() })
    }
}

impl RowWriter for JsonlExport {
    fn write(&mut self, input: &Row, result: &ResultFields<'_>) -> Result<(), ExportError> {
        let names = &self.columns.names;
        let n = self.columns.results_start();
        let outcome = result.outcome;
        let mut serializer = serde_json::Serializer::new(&mut self.out);
        let written: Result<(), serde_json::Error> = (|| {
            let mut map = serializer.serialize_map(Some(names.len()))?;
            for (name, cell) in names.iter().zip(input_cells(input, self.columns.inputs)) {
                map.serialize_entry(name, cell)?;
            }
            let fields = &names[self.columns.inputs..n];
            for (name, cell) in fields.iter().zip(result.answer_cells(fields.len())) {
                map.serialize_entry(name, &json_value(cell))?;
            }
            map.serialize_entry(&names[n], result.record_id)?;
            map.serialize_entry(&names[n + 1], result.status.as_str())?;
            map.serialize_entry(&names[n + 2], &outcome.output)?;
            map.serialize_entry(&names[n + 3], &outcome.error)?;
            map.serialize_entry(&names[n + 4], &outcome.input_tokens)?;
            map.serialize_entry(&names[n + 5], &outcome.output_tokens)?;
            map.serialize_entry(&names[n + 6], &outcome.stop_reason)?;
            map.serialize_entry(&names[n + 7], outcome.tier_text())?;
            map.end()
        })();
        written.map_err(|e| self.temp.error(e))?;
        self.out.write_all(b"\n").map_err(|e| self.temp.error(e))
    }

    fn finish(self: Box<Self>) -> Result<(), ExportError> {
        let Self { temp, out, .. } = *self;
        out.into_inner().map_err(|e| temp.error(e.error()))?.sync_all().map_err(|e| temp.error(e))?;
        temp.persist()
    }
}

/// A cell as the JSON value of its type.
fn json_value(cell: &Cell) -> serde_json::Value {
    use serde_json::Value;
    match cell {
        Cell::Null => Value::Null,
        Cell::Text(text) | Cell::Date(text) => Value::String(text.clone()),
        Cell::Number(n) => serde_json::Number::from_f64(*n).map_or(Value::Null, Value::Number),
        Cell::Integer(n) => Value::from(*n),
        Cell::Boolean(b) => Value::Bool(*b),
        Cell::List(items) => Value::from(items.clone()),
        Cell::Json(text) => serde_json::from_str(text).unwrap_or_else(|_| Value::String(text.clone())),
    }
}
