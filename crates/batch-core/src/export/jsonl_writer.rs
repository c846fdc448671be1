//! JSON Lines export: one object per row, keys in column order, tokens as numbers (null when unknown).

use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::Path;

use serde::ser::{SerializeMap, Serializer};

use super::temp_file::TempTarget;
use super::{ExportError, ResultFields, RowWriter};
use crate::sheet::Row;

pub(crate) struct JsonlExport {
    temp: TempTarget,
    out: BufWriter<File>,
    columns: Vec<String>,
}

impl JsonlExport {
    pub(crate) fn create(path: &Path, columns: &[String]) -> Result<Self, ExportError> {
        let temp = TempTarget::new(path);
        let file = File::create(temp.path()).map_err(|e| temp.error(e))?;
        Ok(Self { temp, out: BufWriter::with_capacity(1 << 20, file), columns: columns.to_vec() })
    }
}

impl RowWriter for JsonlExport {
    fn write(&mut self, input: &Row, result: &ResultFields<'_>) -> Result<(), ExportError> {
        let n = input.len();
        let names = &self.columns;
        let outcome = result.outcome;
        let mut serializer = serde_json::Serializer::new(&mut self.out);
        let written: Result<(), serde_json::Error> = (|| {
            let mut map = serializer.serialize_map(Some(names.len()))?;
            for (name, cell) in names.iter().zip(input.iter()) {
                map.serialize_entry(name, cell)?;
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
