//! JSON Lines: one object per line; the columns are the union of keys in first-seen order.
//!
//! Read twice — once to learn the columns, once to stream the rows — so memory stays bounded.

use std::collections::HashMap;
use std::fs::File;
use std::io::{BufRead, BufReader};
use std::path::Path;

use serde_json::{Map, Value};

use super::{ImportError, Row, RowSource, SheetFormat, SheetMeta, headers};

/// A streaming reader of a JSON Lines file.
pub(crate) struct JsonlSource {
    meta: SheetMeta,
    lines: std::io::Lines<BufReader<File>>,
    line_number: u64,
    rows_read: u64,
    index: HashMap<String, usize>,
    cells: Vec<String>,
    total_rows: u64,
}

fn open_lines(path: &Path) -> Result<std::io::Lines<BufReader<File>>, ImportError> {
    let file = File::open(path).map_err(|e| ImportError::io(path, e))?;
    Ok(BufReader::with_capacity(256 * 1024, file).lines())
}

fn read_line(path: &Path, line: std::io::Result<String>, number: u64) -> Result<String, ImportError> {
    line.map_err(|e| match e.kind() {
        std::io::ErrorKind::InvalidData => ImportError::Encoding {
            path: path.to_path_buf(),
            location: format!("line {number}"),
            detail: "invalid byte sequence".into(),
        },
        _ => ImportError::io(path, e),
    })
}

fn parse_object(path: &Path, text: &str, number: u64) -> Result<Map<String, Value>, ImportError> {
    match serde_json::from_str::<Value>(text) {
        Ok(Value::Object(map)) => Ok(map),
        Ok(_) => Err(ImportError::malformed(
            path,
            format!("line {number}"),
            "is JSON but not an object; each line must be one {\"column\": value, …} object",
        )),
        Err(e) => Err(ImportError::malformed(
            path,
            format!("line {number}"),
            format!("is not valid JSON ({e}); each line must be one complete JSON object"),
        )),
    }
}

impl JsonlSource {
    /// Scans the file once for its columns, then opens it again for streaming.
    pub(crate) fn open(path: &Path) -> Result<Self, ImportError> {
        let mut names: Vec<String> = Vec::new();
        let mut index: HashMap<String, usize> = HashMap::new();
        let mut rows = 0u64;
        for (i, line) in open_lines(path)?.enumerate() {
            let number = i as u64 + 1;
            let text = read_line(path, line, number)?;
            let text = text.strip_prefix('\u{feff}').unwrap_or(&text);
            if text.trim().is_empty() {
                continue;
            }
            for key in parse_object(path, text, number)?.keys() {
                if !index.contains_key(key) {
                    index.insert(key.clone(), names.len());
                    names.push(key.clone());
                }
            }
            rows += 1;
        }
        if rows == 0 {
            return Err(ImportError::Empty { path: path.to_path_buf(), what: "file".into() });
        }
        let headers = headers::validate(path, names)?;
        let cells = vec![String::new(); headers.len()];
        let meta =
            SheetMeta { path: path.to_path_buf(), format: SheetFormat::Jsonl, sheet: None, delimiter: None, headers };
        Ok(Self { meta, lines: open_lines(path)?, line_number: 0, rows_read: 0, index, cells, total_rows: rows })
    }
}

impl RowSource for JsonlSource {
    fn meta(&self) -> &SheetMeta {
        &self.meta
    }

    fn count_hint(&mut self) -> Option<u64> {
        Some(self.total_rows)
    }

    fn next_row(&mut self, row: &mut Row) -> Result<bool, ImportError> {
        let path = self.meta.path.clone();
        loop {
            let Some(line) = self.lines.next() else {
                if self.rows_read != self.total_rows {
                    return Err(ImportError::malformed(
                        &path,
                        format!("line {}", self.line_number),
                        format!(
                            "the file changed while it was read ({} rows when its columns were read, {} now); \
                             open it again once nothing writes to it",
                            self.total_rows, self.rows_read
                        ),
                    ));
                }
                return Ok(false);
            };
            self.line_number += 1;
            let text = read_line(&path, line, self.line_number)?;
            let text = text.strip_prefix('\u{feff}').unwrap_or(&text);
            if text.trim().is_empty() {
                continue;
            }
            let object = parse_object(&path, text, self.line_number)?;
            self.cells.iter_mut().for_each(String::clear);
            for (key, value) in object {
                let Some(&column) = self.index.get(&key) else {
                    return Err(ImportError::malformed(
                        &path,
                        format!("line {}", self.line_number),
                        format!("has a new key \"{key}\" (the file changed while being read); try again"),
                    ));
                };
                self.cells[column] = value_text(value);
            }
            row.clear();
            for cell in &self.cells {
                row.push(cell);
            }
            self.rows_read += 1;
            row.number = self.rows_read;
            return Ok(true);
        }
    }
}

/// Strings exactly, numbers and booleans as written, null as empty, arrays and objects as compact JSON.
fn value_text(value: Value) -> String {
    match value {
        Value::String(s) => s,
        Value::Null => String::new(),
        Value::Bool(b) => b.to_string(),
        Value::Number(n) => n.to_string(),
        other => other.to_string(),
    }
}
