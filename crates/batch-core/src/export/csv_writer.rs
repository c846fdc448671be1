//! CSV export: UTF-8, quoted where needed, values exact unless `--excel-safe`.

use std::borrow::Cow;
use std::fs::File;
use std::io::BufWriter;
use std::path::Path;

use super::temp_file::TempTarget;
use super::{ExportColumns, ExportError, ResultFields, RowWriter, input_cells, result_texts};
use crate::sheet::Row;

/// Prefixes `'` to text a spreadsheet would evaluate as a formula (starting with `=`, `+`, `-`, `@`, tab or CR).
pub fn excel_safe(value: &str) -> Cow<'_, str> {
    if value.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        Cow::Owned(format!("'{value}"))
    } else {
        Cow::Borrowed(value)
    }
}

pub(crate) struct CsvExport {
    temp: TempTarget,
    writer: csv::Writer<BufWriter<File>>,
    excel_safe: bool,
    tokens: [String; 2],
    inputs: usize,
    fields: usize,
}

impl CsvExport {
    pub(crate) fn create(path: &Path, columns: &ExportColumns, excel_safe: bool) -> Result<Self, ExportError> {
        let temp = TempTarget::new(path);
        let file = File::create(temp.path()).map_err(|e| temp.error(e))?;
        let mut writer = csv::WriterBuilder::new().from_writer(BufWriter::with_capacity(1 << 20, file));
        // Header cells are cells too: a column named like a formula is neutralised with the rest.
        for column in &columns.names {
            let value = if excel_safe { self::excel_safe(column) } else { Cow::Borrowed(column.as_str()) };
            writer.write_field(value.as_bytes()).map_err(|e| temp.error(e))?;
        }
        writer.write_record(None::<&[u8]>).map_err(|e| temp.error(e))?;
        let (inputs, fields) = (columns.inputs, columns.fields.len());
        Ok(Self { temp, writer, excel_safe, tokens: Default::default(), inputs, fields })
    }
}

impl RowWriter for CsvExport {
    fn write(&mut self, input: &Row, result: &ResultFields<'_>) -> Result<(), ExportError> {
        let results = result_texts(result, &mut self.tokens);
        let safe = self.excel_safe;
        let answer = result.answer_cells(self.fields).map(|cell| cell.text());
        for cell in input_cells(input, self.inputs)
            .map(Cow::Borrowed)
            .chain(answer)
            .chain(results.into_iter().map(Cow::Borrowed))
        {
            let value = if safe { excel_safe(&cell) } else { Cow::Borrowed(cell.as_ref()) };
            self.writer.write_field(value.as_bytes()).map_err(|e| self.temp.error(e))?;
        }
        self.writer.write_record(None::<&[u8]>).map_err(|e| self.temp.error(e))
    }

    fn finish(self: Box<Self>) -> Result<(), ExportError> {
        let Self { temp, writer, .. } = *self;
        let inner = writer.into_inner().map_err(|e| temp.error(e.error()))?;
        inner.into_inner().map_err(|e| temp.error(e.error()))?.sync_all().map_err(|e| temp.error(e))?;
        temp.persist()
    }
}
