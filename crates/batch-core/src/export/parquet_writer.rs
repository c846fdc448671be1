//! Parquet export: text columns as UTF-8 strings, token columns as optional 64-bit integers, written in row
//! groups so memory stays bounded.

use std::fs::File;
use std::path::Path;
use std::sync::Arc;

use parquet::basic::{Compression, ConvertedType, Repetition, Type as PhysicalType};
use parquet::data_type::{ByteArray, ByteArrayType, Int64Type};
use parquet::file::properties::WriterProperties;
use parquet::file::writer::SerializedFileWriter;
use parquet::schema::types::Type;

use super::temp_file::TempTarget;
use super::{ExportError, ResultFields, RowWriter};
use crate::sheet::Row;

const ROW_GROUP_ROWS: usize = 64 * 1024;

pub(crate) struct ParquetExport {
    temp: TempTarget,
    writer: SerializedFileWriter<File>,
    /// Buffered text columns (all but the two token columns).
    text: Vec<Vec<ByteArray>>,
    /// Buffered token columns: values and definition levels.
    tokens: [(Vec<i64>, Vec<i16>); 2],
    input_columns: usize,
    buffered: usize,
}

impl ParquetExport {
    pub(crate) fn create(path: &Path, columns: &[String]) -> Result<Self, ExportError> {
        let temp = TempTarget::new(path);
        let input_columns = columns.len() - super::RESULT_COLUMNS.len();
        let token_columns = [input_columns + 4, input_columns + 5];
        let build: Result<Arc<Type>, parquet::errors::ParquetError> = (|| {
            let mut fields = Vec::with_capacity(columns.len());
            for (i, name) in columns.iter().enumerate() {
                let field = if token_columns.contains(&i) {
                    Type::primitive_type_builder(name, PhysicalType::INT64)
                        .with_repetition(Repetition::OPTIONAL)
                        .build()?
                } else {
                    Type::primitive_type_builder(name, PhysicalType::BYTE_ARRAY)
                        .with_repetition(Repetition::REQUIRED)
                        .with_converted_type(ConvertedType::UTF8)
                        .build()?
                };
                fields.push(Arc::new(field));
            }
            Ok(Arc::new(Type::group_type_builder("results").with_fields(fields).build()?))
        })();
        let schema = build.map_err(|e| temp.error(e))?;
        let props = Arc::new(WriterProperties::builder().set_compression(Compression::SNAPPY).build());
        let file = File::create(temp.path()).map_err(|e| temp.error(e))?;
        let writer = SerializedFileWriter::new(file, schema, props).map_err(|e| temp.error(e))?;
        Ok(Self {
            temp,
            writer,
            text: vec![Vec::with_capacity(ROW_GROUP_ROWS); columns.len() - 2],
            tokens: Default::default(),
            input_columns,
            buffered: 0,
        })
    }

    fn flush_group(&mut self) -> Result<(), ExportError> {
        if self.buffered == 0 {
            return Ok(());
        }
        let token_at = [self.input_columns + 4, self.input_columns + 5];
        let result: Result<(), parquet::errors::ParquetError> = (|| {
            let mut group = self.writer.next_row_group()?;
            let mut index = 0usize;
            let mut text_index = 0usize;
            while let Some(mut column) = group.next_column()? {
                if let Some(which) = token_at.iter().position(|&t| t == index) {
                    let (values, levels) = &self.tokens[which];
                    column.typed::<Int64Type>().write_batch(values, Some(levels), None)?;
                } else {
                    column.typed::<ByteArrayType>().write_batch(&self.text[text_index], None, None)?;
                    text_index += 1;
                }
                column.close()?;
                index += 1;
            }
            group.close()?;
            Ok(())
        })();
        result.map_err(|e| self.temp.error(e))?;
        self.text.iter_mut().for_each(Vec::clear);
        for (values, levels) in &mut self.tokens {
            values.clear();
            levels.clear();
        }
        self.buffered = 0;
        Ok(())
    }
}

impl RowWriter for ParquetExport {
    fn write(&mut self, input: &Row, result: &ResultFields<'_>) -> Result<(), ExportError> {
        let outcome = result.outcome;
        let texts = input.iter().chain([
            result.record_id,
            result.status.as_str(),
            outcome.output.as_str(),
            outcome.error.as_str(),
            outcome.stop_reason.as_str(),
            outcome.tier_text(),
        ]);
        for (column, text) in self.text.iter_mut().zip(texts) {
            column.push(ByteArray::from(text.as_bytes().to_vec()));
        }
        for (which, value) in [outcome.input_tokens, outcome.output_tokens].into_iter().enumerate() {
            let (values, levels) = &mut self.tokens[which];
            match value {
                Some(v) => {
                    values.push(i64::try_from(v).unwrap_or(i64::MAX));
                    levels.push(1);
                }
                None => levels.push(0),
            }
        }
        self.buffered += 1;
        if self.buffered >= ROW_GROUP_ROWS {
            self.flush_group()?;
        }
        Ok(())
    }

    fn finish(mut self: Box<Self>) -> Result<(), ExportError> {
        self.flush_group()?;
        let Self { temp, writer, .. } = *self;
        writer.close().map_err(|e| temp.error(e))?;
        temp.persist()
    }
}
