//! Parquet export through polars: input and result texts as UTF-8 strings, token counts as 64-bit integers,
//! the answer's fields with their types (Float64, Int64, Boolean, Date, List of String, String), written in
//! row groups of 64 Ki rows so memory holds one group whatever the number of rows.

use std::fs::File;
use std::path::Path;

use polars::io::parquet::write::BatchedWriter;
use polars::prelude::{Column, DataFrame, Field, ParquetCompression, ParquetWriter, PolarsResult, Schema};

use super::temp_file::TempTarget;
use super::{ExportColumns, ExportError, ResultFields, RowWriter, input_cells, result_texts};
use crate::frame::TypedColumn;
use crate::sheet::Row;

const ROW_GROUP_ROWS: usize = 64 * 1024;

/// The result columns holding counts (`input_tokens`, `output_tokens`), by their place among the results.
const TOKEN_RESULTS: [usize; 2] = [4, 5];

pub(crate) struct ParquetExport {
    temp: TempTarget,
    file: File,
    writer: BatchedWriter<File>,
    names: Vec<String>,
    columns: Vec<TypedColumn>,
    inputs: usize,
    fields: usize,
    buffered: usize,
    tokens: [String; 2],
}

impl ParquetExport {
    pub(crate) fn create(path: &Path, columns: &ExportColumns) -> Result<Self, ExportError> {
        let temp = TempTarget::new(path);
        let results = columns.results_start();
        let buffers: Vec<TypedColumn> = (0..columns.names.len())
            .map(|i| match i {
                i if i < columns.inputs => TypedColumn::Text(Vec::new()),
                i if i < results => TypedColumn::for_kind(&columns.fields[i - columns.inputs].kind),
                i if TOKEN_RESULTS.contains(&(i - results)) => TypedColumn::Integer(Vec::new()),
                _ => TypedColumn::Text(Vec::new()),
            })
            .collect();
        let schema: Schema =
            columns.names.iter().zip(&buffers).map(|(name, b)| Field::new(name.into(), b.data_type())).collect();
        let file = File::create(temp.path()).map_err(|e| temp.error(e))?;
        let copy = file.try_clone().map_err(|e| temp.error(e))?;
        let writer = ParquetWriter::new(copy)
            .with_compression(ParquetCompression::Snappy)
            .batched(&schema)
            .map_err(|e| temp.error(e))?;
        Ok(Self {
            temp,
            file,
            writer,
            names: columns.names.clone(),
            columns: buffers,
            inputs: columns.inputs,
            fields: columns.fields.len(),
            buffered: 0,
            tokens: Default::default(),
        })
    }

    fn flush_group(&mut self) -> Result<(), ExportError> {
        if self.buffered == 0 {
            return Ok(());
        }
        let frame: PolarsResult<DataFrame> = (|| {
            let columns = self.columns.iter_mut().zip(&self.names).map(|(b, name)| b.take(name));
            DataFrame::new(self.buffered, columns.collect::<PolarsResult<Vec<Column>>>()?)
        })();
        let frame = frame.map_err(|e| self.temp.error(e))?;
        self.writer.write_batch(&frame).map_err(|e| self.temp.error(e))?;
        self.buffered = 0;
        Ok(())
    }
}

impl RowWriter for ParquetExport {
    fn write(&mut self, input: &Row, result: &ResultFields<'_>) -> Result<(), ExportError> {
        let (inputs, fields) = (self.inputs, self.fields);
        for (buffer, text) in self.columns[..inputs].iter_mut().zip(input_cells(input, inputs)) {
            buffer.push_text(text);
        }
        for (buffer, cell) in self.columns[inputs..inputs + fields].iter_mut().zip(result.answer_cells(fields)) {
            buffer.push_cell(cell);
        }
        let texts = result_texts(result, &mut self.tokens);
        for (buffer, text) in self.columns[inputs + fields..].iter_mut().zip(texts) {
            buffer.push_text(text);
        }
        self.buffered += 1;
        if self.buffered >= ROW_GROUP_ROWS {
            self.flush_group()?;
        }
        Ok(())
    }

    fn finish(mut self: Box<Self>) -> Result<(), ExportError> {
        self.flush_group()?;
        let Self { temp, file, writer, .. } = *self;
        writer.finish().map_err(|e| temp.error(e))?;
        drop(writer);
        file.sync_all().map_err(|e| temp.error(e))?;
        temp.persist()
    }
}
