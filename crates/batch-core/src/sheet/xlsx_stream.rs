//! XLSX worksheets streamed cell by cell (calamine's cell reader), so a million-row workbook is read in
//! bounded memory. The reader borrows the workbook, so a producer thread owns both and sends rows in
//! batches over a bounded channel.
//!
//! A workbook is a zip of XML, and a shared string is stored once however many cells use it, so a few
//! kilobytes can stand for gigabytes of text. Budgets keep that bounded: the container's parts are checked
//! before calamine reads them, a cell holds at most Excel's 32,767 characters, a row at most
//! [`MAX_ROW_BYTES`], a batch sent between threads at most [`BATCH_BYTES`], and the whole sheet at most the
//! container's text budget ([`container::text_budget`]).

use std::fs::File;
use std::io::BufReader;
use std::path::{Path, PathBuf};
use std::sync::mpsc::{Receiver, SyncSender, sync_channel};
use std::thread::JoinHandle;

use calamine::{Data, DataRef, Reader, Xlsx, XlsxError, open_workbook};

use super::workbook_source::cell_text;
use super::{ImportError, Row, RowSource, SheetFormat, SheetMeta, container, guard, headers};
use crate::remedy::Setting;

const BATCH_ROWS: usize = 1024;
/// A batch is sent once its cells hold this much text, even before [`BATCH_ROWS`] rows.
const BATCH_BYTES: usize = 4 * 1024 * 1024;
/// Excel's limit on one cell's text.
const MAX_CELL_CHARS: usize = 32_767;
/// The most text one row may hold (far more than any model's context).
const MAX_ROW_BYTES: usize = 16 * 1024 * 1024;

enum Message {
    Start(SheetMeta, Option<u64>),
    Rows(Vec<Row>),
    Failed(ImportError),
}

/// A streaming reader of one XLSX worksheet.
pub(crate) struct XlsxStream {
    meta: SheetMeta,
    hint: Option<u64>,
    receiver: Option<Receiver<Message>>,
    producer: Option<JoinHandle<()>>,
    batch: std::vec::IntoIter<Row>,
    done: bool,
}

impl XlsxStream {
    /// Opens the named worksheet, or the first one with data, and reads its header row.
    pub(crate) fn open(path: &Path, sheet: Option<&str>) -> Result<Self, ImportError> {
        let (sender, receiver) = sync_channel::<Message>(4);
        let (path_owned, sheet_owned) = (path.to_path_buf(), sheet.map(str::to_string));
        let producer = std::thread::Builder::new()
            .name("xlsx-reader".into())
            .spawn(move || {
                let failure = sender.clone();
                let result = guard::guarded(&path_owned, SheetFormat::Xlsx, || {
                    produce(&path_owned, sheet_owned.as_deref(), &sender)
                });
                if let Err(error) = result {
                    let _ = failure.send(Message::Failed(error));
                }
            })
            .map_err(|e| ImportError::io(path, e))?;
        let (meta, hint) = match receiver.recv() {
            Ok(Message::Start(meta, hint)) => (meta, hint),
            Ok(Message::Failed(error)) => return Err(error),
            Ok(Message::Rows(_)) | Err(_) => {
                return Err(ImportError::not_a_sheet(path, "the XLSX reader stopped before the header row"));
            }
        };
        Ok(Self {
            meta,
            hint,
            receiver: Some(receiver),
            producer: Some(producer),
            batch: Vec::new().into_iter(),
            done: false,
        })
    }
}

impl RowSource for XlsxStream {
    fn meta(&self) -> &SheetMeta {
        &self.meta
    }

    fn count_hint(&mut self) -> Option<u64> {
        self.hint
    }

    fn next_row(&mut self, row: &mut Row) -> Result<bool, ImportError> {
        loop {
            if let Some(next) = self.batch.next() {
                *row = next;
                return Ok(true);
            }
            if self.done {
                return Ok(false);
            }
            match self.receiver.as_ref().map(Receiver::recv) {
                Some(Ok(Message::Rows(rows))) => self.batch = rows.into_iter(),
                Some(Ok(Message::Failed(error))) => {
                    self.done = true;
                    return Err(error);
                }
                Some(Ok(Message::Start(..))) | Some(Err(_)) | None => {
                    self.done = true;
                    return Ok(false);
                }
            }
        }
    }
}

impl Drop for XlsxStream {
    fn drop(&mut self) {
        // Closing the channel makes the producer stop at its next send.
        drop(self.receiver.take());
        if let Some(producer) = self.producer.take() {
            let _ = producer.join();
        }
    }
}

fn damaged(path: &Path, error: &XlsxError) -> ImportError {
    ImportError::not_a_sheet(
        path,
        &format!("the XLSX workbook could not be read ({error}); re-save it from your spreadsheet program"),
    )
}

/// The text of a cell as calamine streams it, refused past Excel's cell limit before it is copied.
fn bounded_text(path: &Path, sheet: &str, (row, col): (u32, u32), value: &DataRef<'_>) -> Result<(), ImportError> {
    let text: &str = match value {
        DataRef::SharedString(text) => text,
        DataRef::String(text) | DataRef::DateTimeIso(text) | DataRef::DurationIso(text) => text,
        _ => return Ok(()),
    };
    // Four bytes per character at most: a longer text cannot fit, and counting it would take its time.
    if text.len() > MAX_CELL_CHARS * 4 || text.chars().count() > MAX_CELL_CHARS {
        return Err(ImportError::malformed(
            path,
            format!("worksheet \"{sheet}\" cell {}", cell_name(row, col)),
            format!(
                "the cell holds more than the {MAX_CELL_CHARS} characters a spreadsheet cell can; shorten it, or keep \
                 texts this long in a CSV, Parquet or JSON Lines file"
            ),
        ));
    }
    Ok(())
}

/// `A1`-style name of a 0-based cell position.
fn cell_name(row: u32, col: u32) -> String {
    let mut letters = Vec::new();
    let mut n = col + 1;
    while n > 0 {
        letters.push(b'A' + ((n - 1) % 26) as u8);
        n = (n - 1) / 26;
    }
    letters.reverse();
    format!("{}{}", String::from_utf8_lossy(&letters), row + 1)
}

/// Opens the workbook, finds the sheet, sends the header and then every data row.
fn produce(path: &Path, wanted: Option<&str>, sender: &SyncSender<Message>) -> Result<(), ImportError> {
    let budget = container::text_budget(path)?;
    container::check(path, budget, "sharedStrings.xml")?;
    let mut workbook: Xlsx<BufReader<File>> = open_workbook(path).map_err(|e: XlsxError| damaged(path, &e))?;
    let names = workbook.sheet_names();
    let quoted = |except: Option<&str>| {
        names.iter().filter(|n| Some(n.as_str()) != except).map(|n| format!("\"{n}\"")).collect::<Vec<_>>().join(", ")
    };
    let name = match wanted {
        Some(wanted) if names.iter().any(|n| n == wanted) => wanted.to_string(),
        Some(wanted) => {
            return Err(ImportError::NoSuchSheet {
                path: path.to_path_buf(),
                name: wanted.to_string(),
                available: quoted(None),
            });
        }
        None => {
            let mut found = None;
            for name in &names {
                if first_cell(&mut workbook, path, name)? {
                    found = Some(name.clone());
                    break;
                }
            }
            found.ok_or_else(|| ImportError::Empty { path: path.to_path_buf(), what: "workbook".into() })?
        }
    };
    let mut cells = workbook.worksheet_cells_reader(&name).map_err(|e| damaged(path, &e))?;
    let dimensions = cells.dimensions();
    let mut table = Table::new(path, &name);
    let mut batch = Vec::with_capacity(BATCH_ROWS);
    let (mut batch_bytes, mut total_bytes) = (0usize, 0u64);
    while let Some(cell) = cells.next_cell().map_err(|e| damaged(path, &e))? {
        let (row, col) = cell.get_position();
        bounded_text(path, &name, (row, col), cell.get_value())?;
        let value = Data::from(cell.get_value().clone());
        if let Some(done) = table.cell(row, col, &value)? {
            if let Some(meta) = done.header {
                let hint = u64::from(dimensions.end.0).checked_sub(u64::from(dimensions.start.0));
                if sender.send(Message::Start(meta, hint)).is_err() {
                    return Ok(());
                }
            }
            if let Some(finished) = done.row {
                let bytes = finished.text_len();
                total_bytes += bytes as u64;
                if total_bytes > budget {
                    return Err(container::amplified(
                        path,
                        &format!("worksheet \"{name}\" holds more than {budget} bytes of text by row {}", row + 1),
                    ));
                }
                batch_bytes += bytes;
                batch.push(finished);
                if (batch.len() == BATCH_ROWS || batch_bytes >= BATCH_BYTES)
                    && sender.send(Message::Rows(std::mem::take(&mut batch))).is_err()
                {
                    return Ok(());
                }
                if batch.is_empty() {
                    batch_bytes = 0;
                }
            }
        }
    }
    let done = table.finish()?;
    if let Some(meta) = done.header {
        let _ = sender.send(Message::Start(meta, Some(0)));
    }
    if let Some(finished) = done.row {
        batch.push(finished);
    }
    if table.columns.is_none() {
        return Err(ImportError::Empty { path: path.to_path_buf(), what: format!("worksheet \"{name}\"") });
    }
    if table.rows_read == 0 {
        let others = quoted(Some(&name));
        let hint = if others.is_empty() { String::new() } else { format!(", or choose another worksheet ({others})") };
        let setting = (!others.is_empty()).then_some(Setting::Worksheet);
        return Err(ImportError::NoDataRows { path: path.to_path_buf(), hint, setting });
    }
    if !batch.is_empty() {
        let _ = sender.send(Message::Rows(batch));
    }
    Ok(())
}

/// True when the worksheet has a non-empty cell.
fn first_cell(workbook: &mut Xlsx<BufReader<File>>, path: &Path, name: &str) -> Result<bool, ImportError> {
    let mut cells = workbook.worksheet_cells_reader(name).map_err(|e| damaged(path, &e))?;
    while let Some(cell) = cells.next_cell().map_err(|e| damaged(path, &e))? {
        if !matches!(Data::from(cell.get_value().clone()), Data::Empty) {
            return Ok(true);
        }
    }
    Ok(false)
}

/// What feeding a cell completed: the header (once) and/or a data row.
#[derive(Default)]
struct Completed {
    header: Option<SheetMeta>,
    row: Option<Row>,
}

/// Assembles streamed cells into a header and rows.
struct Table {
    path: PathBuf,
    sheet: String,
    /// The header's (first column, width) once known.
    columns: Option<(u32, usize)>,
    /// The sheet row being assembled and its cells by column.
    current: Option<(u32, Vec<(u32, String)>)>,
    /// The text bytes of the row being assembled.
    current_bytes: usize,
    rows_read: u64,
}

impl Table {
    fn new(path: &Path, sheet: &str) -> Self {
        Self {
            path: path.to_path_buf(),
            sheet: sheet.to_string(),
            columns: None,
            current: None,
            current_bytes: 0,
            rows_read: 0,
        }
    }

    fn cell(&mut self, row: u32, col: u32, value: &Data) -> Result<Option<Completed>, ImportError> {
        let mut completed = None;
        if self.current.as_ref().is_some_and(|(r, _)| *r != row) {
            completed = Some(self.complete()?);
        }
        if !matches!(value, Data::Empty) {
            let (_, cells) = self.current.get_or_insert_with(|| (row, Vec::new()));
            cells.push((col, cell_text(value)));
            self.current_bytes += cells.last().map_or(0, |(_, text)| text.len());
            if self.current_bytes > MAX_ROW_BYTES {
                return Err(ImportError::malformed(
                    &self.path,
                    format!("worksheet \"{}\" row {}", self.sheet, row + 1),
                    format!(
                        "the row holds more than {} MB of text, more than any model reads in one prompt; split it",
                        MAX_ROW_BYTES >> 20
                    ),
                ));
            }
        }
        Ok(completed)
    }

    fn finish(&mut self) -> Result<Completed, ImportError> {
        self.complete()
    }

    /// Turns the assembled sheet row into the header or a data row (blank rows are not data).
    fn complete(&mut self) -> Result<Completed, ImportError> {
        self.current_bytes = 0;
        let Some((sheet_row, cells)) = self.current.take() else { return Ok(Completed::default()) };
        if cells.is_empty() {
            return Ok(Completed::default());
        }
        match self.columns {
            None => {
                let first = cells.iter().map(|(c, _)| *c).min().unwrap_or(0);
                let last = cells.iter().map(|(c, _)| *c).max().unwrap_or(0);
                let mut names = vec![String::new(); (last - first + 1) as usize];
                for (col, text) in cells {
                    names[(col - first) as usize] = text;
                }
                let headers = headers::validate(&self.path, names)?;
                self.columns = Some((first, headers.len()));
                let meta = SheetMeta {
                    path: self.path.clone(),
                    format: SheetFormat::Xlsx,
                    sheet: Some(self.sheet.clone()),
                    delimiter: None,
                    headers,
                };
                Ok(Completed { header: Some(meta), row: None })
            }
            Some((first, width)) => {
                let mut texts = vec![String::new(); width];
                for (col, text) in cells {
                    let index = col.checked_sub(first).map(|i| i as usize).filter(|&i| i < width);
                    let Some(index) = index else {
                        return Err(ImportError::Ragged {
                            path: self.path.clone(),
                            location: format!("worksheet \"{}\" row {}", self.sheet, sheet_row + 1),
                            expected: width,
                            found: (col + 1).saturating_sub(first) as usize,
                            hint: "a cell holds data in a column without a header; name that column or clear the cell"
                                .into(),
                            setting: None,
                        });
                    };
                    texts[index] = text;
                }
                self.rows_read += 1;
                Ok(Completed { header: None, row: Some(Row::from_cells(self.rows_read, &texts)) })
            }
        }
    }
}
