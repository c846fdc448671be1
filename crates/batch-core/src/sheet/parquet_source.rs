//! Apache Parquet files, read row group by row group through the parquet crate's record reader.

use std::fs::File;
use std::path::Path;

use parquet::file::reader::{FileReader, SerializedFileReader};
use parquet::record::Field;
use parquet::record::reader::RowIter;

use super::cell_text::{format_number, format_unix_days, format_unix_micros};
use super::{ImportError, Row, RowSource, SheetFormat, SheetMeta, headers};

/// A streaming reader of a Parquet file's top-level columns.
pub(crate) struct ParquetSource {
    meta: SheetMeta,
    rows: RowIter<'static>,
    rows_read: u64,
    total_rows: u64,
}

impl ParquetSource {
    /// Opens the file and reads its schema (the parquet crate's panics on damaged files become errors).
    pub(crate) fn open(path: &Path) -> Result<Self, ImportError> {
        super::guard::guarded(path, SheetFormat::Parquet, || Self::open_unguarded(path))
    }

    fn open_unguarded(path: &Path) -> Result<Self, ImportError> {
        let file = File::open(path).map_err(|e| ImportError::io(path, e))?;
        let reader = SerializedFileReader::new(file).map_err(|e| {
            ImportError::not_a_sheet(path, &format!("the Parquet file could not be read ({e}); re-export it"))
        })?;
        let metadata = reader.metadata().file_metadata();
        let names: Vec<String> =
            metadata.schema_descr().root_schema().get_fields().iter().map(|f| f.name().to_string()).collect();
        if names.is_empty() {
            return Err(ImportError::Empty { path: path.to_path_buf(), what: "Parquet file (no columns)".into() });
        }
        if metadata.num_rows() == 0 {
            return Err(ImportError::NoDataRows { path: path.to_path_buf(), hint: String::new(), setting: None });
        }
        let total_rows = u64::try_from(metadata.num_rows()).unwrap_or(0);
        let headers = headers::validate(path, names)?;
        let rows = RowIter::from_file_into(Box::new(reader));
        let meta =
            SheetMeta { path: path.to_path_buf(), format: SheetFormat::Parquet, sheet: None, delimiter: None, headers };
        Ok(Self { meta, rows, rows_read: 0, total_rows })
    }
}

impl RowSource for ParquetSource {
    fn meta(&self) -> &SheetMeta {
        &self.meta
    }

    fn count_hint(&mut self) -> Option<u64> {
        Some(self.total_rows)
    }

    fn next_row(&mut self, row: &mut Row) -> Result<bool, ImportError> {
        let path = self.meta.path.clone();
        let rows = &mut self.rows;
        let Some(next) = super::guard::guarded(&path, SheetFormat::Parquet, || Ok(rows.next()))? else {
            if self.rows_read != self.total_rows {
                return Err(ImportError::malformed(
                    &path,
                    format!("row {}", self.rows_read + 1),
                    format!(
                        "the file says it holds {} rows but only {} could be read; it may be damaged, re-export it",
                        self.total_rows, self.rows_read
                    ),
                ));
            }
            return Ok(false);
        };
        let record = next.map_err(|e| {
            ImportError::malformed(
                &self.meta.path,
                format!("row {}", self.rows_read + 1),
                format!("{e}; the file may be damaged, re-export it"),
            )
        })?;
        row.clear();
        for (_, field) in record.get_column_iter() {
            row.push(&field_text(field));
        }
        self.rows_read += 1;
        row.number = self.rows_read;
        Ok(true)
    }
}

/// The text a spreadsheet would show for a Parquet value.
fn field_text(field: &Field) -> String {
    match field {
        Field::Null => String::new(),
        Field::Str(s) => s.clone(),
        Field::Bool(b) => b.to_string(),
        Field::Byte(v) => v.to_string(),
        Field::Short(v) => v.to_string(),
        Field::Int(v) => v.to_string(),
        Field::Long(v) => v.to_string(),
        Field::UByte(v) => v.to_string(),
        Field::UShort(v) => v.to_string(),
        Field::UInt(v) => v.to_string(),
        Field::ULong(v) => v.to_string(),
        Field::Float(v) if v.is_finite() && v.fract() == 0.0 && v.abs() < 1e15 => format!("{}", *v as i64),
        Field::Float(v) => v.to_string(),
        Field::Double(v) => format_number(*v),
        Field::Date(days) => format_unix_days(i64::from(*days)),
        Field::TimestampMillis(ms) => format_unix_micros(ms.saturating_mul(1000)),
        Field::TimestampMicros(us) => format_unix_micros(*us),
        Field::Bytes(bytes) => match std::str::from_utf8(bytes.data()) {
            Ok(text) => text.to_string(),
            Err(_) => json_text(field),
        },
        Field::Group(_) | Field::ListInternal(_) | Field::MapInternal(_) => json_text(field),
        other => other.to_string(),
    }
}

fn json_text(field: &Field) -> String {
    match field.to_json_value() {
        serde_json::Value::String(s) => s,
        value => value.to_string(),
    }
}
