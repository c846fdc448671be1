//! The render stage of prepare: rows are read in batches on the calling thread, rendered and serialized on
//! worker threads ([`crate::parallel::ordered_map`]) and written in row order by [`PartWriter`].

use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};

use crate::parallel::ordered_map;
use crate::progress::Progress;
use crate::record_id::{MAX_ROWS, RecordIdScheme};
use crate::records::RecordBuilder;
use crate::sheet::{Row, RowSource};

use super::PrepareError;
use super::prompts::{PromptBuffers, Prompts};

const BATCH_ROWS: usize = 1024;
const EMPTY_EXAMPLES: usize = 5;

/// Everything a worker needs, shared read-only.
pub(crate) struct RenderContext<'a> {
    pub prompts: &'a Prompts,
    pub builder: &'a RecordBuilder,
    pub scheme: &'a RecordIdScheme,
    pub id_column: Option<usize>,
}

/// Per-row facts the plan needs, in row order, plus the rows with empty used cells.
#[derive(Default)]
pub(crate) struct Rendered {
    pub sizes: Vec<u32>,
    pub tokens: Vec<u32>,
    pub empty_count: u64,
    pub empty_first: Vec<u64>,
}

/// The files record lines were written to, in order, with the number of rows in each.
pub(crate) type WrittenFiles = Vec<(PathBuf, u64)>;

/// Writes record lines into a sequence of files, switching file after each one's planned row count; the last
/// file takes whatever remains.
pub(crate) struct PartWriter {
    planned: Vec<(PathBuf, u64)>,
    current: usize,
    rows_in_current: u64,
    writer: BufWriter<File>,
}

impl PartWriter {
    /// Starts writing the first of `planned` (file, rows) — at least one.
    pub(crate) fn create(planned: Vec<(PathBuf, u64)>) -> Result<Self, PrepareError> {
        let first = planned.first().map(|(p, _)| p.clone()).unwrap_or_default();
        let writer = Self::open(&first)?;
        Ok(Self { planned, current: 0, rows_in_current: 0, writer })
    }

    fn open(path: &Path) -> Result<BufWriter<File>, PrepareError> {
        // Batches arrive as writes far larger than this buffer, which then go straight to the file.
        File::create(path).map(|f| BufWriter::with_capacity(64 * 1024, f)).map_err(|e| PrepareError::output(path, e))
    }

    fn path(&self) -> &Path {
        &self.planned[self.current].0
    }

    /// Appends a batch's lines (`sizes` gives each line's length).
    fn write(&mut self, mut lines: &[u8], mut sizes: &[u32]) -> Result<(), PrepareError> {
        while !sizes.is_empty() {
            let last = self.current + 1 == self.planned.len();
            let room = if last { sizes.len() } else { (self.planned[self.current].1 - self.rows_in_current) as usize };
            let take = room.min(sizes.len());
            let bytes: usize = sizes[..take].iter().map(|&s| s as usize).sum();
            self.writer
                .write_all(&lines[..bytes])
                .map_err(|e| PrepareError::output(&self.planned[self.current].0, e))?;
            (lines, sizes) = (&lines[bytes..], &sizes[take..]);
            self.rows_in_current += take as u64;
            if !last && self.rows_in_current == self.planned[self.current].1 {
                self.writer.flush().map_err(|e| PrepareError::output(&self.planned[self.current].0, e))?;
                self.current += 1;
                self.rows_in_current = 0;
                self.writer = Self::open(&self.planned[self.current].0)?;
            }
        }
        Ok(())
    }

    /// Flushes and returns the files written (with their actual row counts).
    pub(crate) fn finish(mut self) -> Result<WrittenFiles, PrepareError> {
        self.writer.flush().map_err(|e| PrepareError::output(self.path(), e))?;
        let current = self.current;
        let rows = self.rows_in_current;
        Ok(self
            .planned
            .into_iter()
            .enumerate()
            .filter(|(i, _)| *i <= current)
            .map(|(i, (path, planned))| (path, if i == current { rows } else { planned }))
            .collect())
    }
}

struct BatchOutput {
    lines: Vec<u8>,
    sizes: Vec<u32>,
    tokens: Vec<u32>,
    mapping: Vec<u8>,
    empty: Vec<u64>,
}

fn render_batch(
    context: &RenderContext<'_>,
    rows: &[Row],
    buffers: &mut PromptBuffers,
) -> Result<BatchOutput, PrepareError> {
    let mut out = BatchOutput {
        lines: Vec::with_capacity(rows.len() * 768),
        sizes: Vec::with_capacity(rows.len()),
        tokens: Vec::with_capacity(rows.len()),
        mapping: Vec::new(),
        empty: Vec::new(),
    };
    let mut mapping = csv::Writer::from_writer(Vec::with_capacity(rows.len() * 24));
    let used = context.prompts.used_columns();
    let mapping_error = |e: csv::Error| PrepareError::output(Path::new(super::RECORDS_FILE), e.into());
    for row in rows {
        let number = row.number();
        let (prompt, system, tokens) = context.prompts.render(row, buffers)?;
        let id = context.scheme.id_for(number);
        let before = out.lines.len();
        context.builder.write_line(&id, prompt, system, &mut out.lines);
        out.sizes.push(u32::try_from(out.lines.len() - before).unwrap_or(u32::MAX));
        out.tokens.push(u32::try_from(tokens).unwrap_or(u32::MAX));
        if used.iter().any(|&c| row.get(c).is_empty()) {
            out.empty.push(number);
        }
        let number_text = number.to_string();
        match context.id_column {
            Some(index) => mapping.write_record([id.as_str(), number_text.as_str(), row.get(index)]),
            None => mapping.write_record([id.as_str(), number_text.as_str()]),
        }
        .map_err(mapping_error)?;
    }
    out.mapping =
        mapping.into_inner().map_err(|e| PrepareError::output(Path::new(super::RECORDS_FILE), e.into_error()))?;
    Ok(out)
}

/// Reads every row of `source`, writing record lines through `parts` and mapping lines to `mapping`, in row
/// order.
pub(crate) fn render_rows(
    source: &mut dyn RowSource,
    context: &RenderContext<'_>,
    parts: &mut PartWriter,
    (mapping, mapping_path): (&mut BufWriter<File>, &Path),
    progress: &dyn Progress,
) -> Result<Rendered, PrepareError> {
    let mut rendered = Rendered::default();
    let produce = |reuse: Option<Vec<Row>>| -> Result<Option<Vec<Row>>, PrepareError> {
        let mut batch = reuse.unwrap_or_default();
        batch.resize_with(BATCH_ROWS, Row::new);
        let mut filled = 0;
        while filled < BATCH_ROWS && source.next_row(&mut batch[filled])? {
            if batch[filled].number() > MAX_ROWS {
                return Err(PrepareError::TooManyRows { max: MAX_ROWS });
            }
            filled += 1;
        }
        batch.truncate(filled);
        Ok((filled > 0).then_some(batch))
    };
    let sink = |batch: Vec<Row>, out: BatchOutput| -> Result<Vec<Row>, PrepareError> {
        parts.write(&out.lines, &out.sizes)?;
        mapping.write_all(&out.mapping).map_err(|e| PrepareError::output(mapping_path, e))?;
        rendered.sizes.extend_from_slice(&out.sizes);
        rendered.tokens.extend_from_slice(&out.tokens);
        rendered.empty_count += out.empty.len() as u64;
        let room = EMPTY_EXAMPLES.saturating_sub(rendered.empty_first.len());
        rendered.empty_first.extend(out.empty.iter().take(room));
        progress.advance(batch.len() as u64);
        Ok(batch)
    };
    ordered_map(
        produce,
        PromptBuffers::default,
        |buffers, rows: &Vec<Row>| render_batch(context, rows, buffers),
        sink,
    )?;
    Ok(rendered)
}
