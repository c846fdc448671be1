//! Delimited text: UTF-8 with or without BOM, LF or CRLF, quoted fields with newlines, sniffed delimiter.

use std::fs::File;
use std::io::{BufReader, Read};
use std::path::Path;

use super::{ImportError, Row, RowSource, SheetFormat, SheetMeta, headers};
use crate::remedy::Setting;

/// Delimiters tried when none is given, in order of preference on ties.
pub(crate) const CANDIDATE_DELIMITERS: [u8; 4] = [b',', b';', b'\t', b'|'];
const SNIFF_BYTES: usize = 64 * 1024;
const SNIFF_RECORDS: usize = 50;

/// A streaming reader of a delimited text file.
pub(crate) struct CsvSource {
    meta: SheetMeta,
    reader: csv::Reader<BufReader<File>>,
    rows_read: u64,
    /// Where the last record read (the header first) starts: checked for an unclosed quote at the end.
    last_record: csv::Position,
}

impl CsvSource {
    /// Opens the file, checks its encoding, sniffs the delimiter if needed and reads the header row.
    pub(crate) fn open(path: &Path, delimiter: Option<u8>) -> Result<Self, ImportError> {
        let sample = read_sample(path)?;
        check_text(path, &sample)?;
        let delimiter = match delimiter {
            Some(d) => d,
            None => sniff_delimiter(&sample),
        };
        let file = File::open(path).map_err(|e| ImportError::io(path, e))?;
        let mut reader = csv::ReaderBuilder::new()
            .delimiter(delimiter)
            .has_headers(false)
            .flexible(true)
            .from_reader(BufReader::with_capacity(256 * 1024, file));
        let mut header = csv::StringRecord::new();
        let has_header = reader.read_record(&mut header).map_err(|e| csv_error(path, e))?;
        if !has_header {
            return Err(ImportError::Empty { path: path.to_path_buf(), what: "file".into() });
        }
        let mut names: Vec<String> = header.iter().map(str::to_string).collect();
        if let Some(first) = names.first_mut()
            && let Some(stripped) = first.strip_prefix('\u{feff}')
        {
            *first = stripped.to_string();
        }
        let last_record = header.position().cloned().unwrap_or_else(csv::Position::new);
        let names = headers::validate(path, names)?;
        let meta = SheetMeta {
            path: path.to_path_buf(),
            format: SheetFormat::Csv,
            sheet: None,
            delimiter: Some(delimiter),
            headers: names,
        };
        Ok(Self { meta, reader, rows_read: 0, last_record })
    }
}

impl RowSource for CsvSource {
    fn meta(&self) -> &SheetMeta {
        &self.meta
    }

    fn count_hint(&mut self) -> Option<u64> {
        count_records(&self.meta.path).ok()
    }

    fn next_row(&mut self, row: &mut Row) -> Result<bool, ImportError> {
        let path = &self.meta.path;
        let more = self.reader.read_record(&mut row.cells).map_err(|e| csv_error(path, e))?;
        if !more {
            // The reader ends a field quoted but never closed at the end of the file, without an error: the
            // rest of the file would silently be one cell of the last row read.
            if let Some(opened) = unclosed_quote(path, &self.last_record, self.meta.delimiter.unwrap_or(b','))? {
                return Err(ImportError::malformed(
                    path,
                    format!("line {opened}"),
                    "a quoted cell opens here and its closing quote never comes, so everything after it would be \
                     read as that one cell; close the quote, write a quote that is part of the text as two (\"\"), \
                     or remove the stray quote",
                ));
            }
            if self.rows_read == 0 {
                return Err(ImportError::NoDataRows { path: path.clone(), hint: String::new(), setting: None });
            }
            return Ok(false);
        }
        let expected = self.meta.headers.len();
        if row.cells.len() != expected {
            let line = row.cells.position().map(|p| p.line()).unwrap_or(0);
            return Err(ImportError::Ragged {
                path: path.clone(),
                location: format!("line {line}"),
                expected,
                found: row.cells.len(),
                hint: format!(
                    "fix that row (a stray delimiter or an unclosed quote), or change the delimiter if the {} used is wrong",
                    delimiter_name(self.meta.delimiter.unwrap_or(b','))
                ),
                setting: Some(Setting::Delimiter),
            });
        }
        if let Some(position) = row.cells.position() {
            self.last_record = position.clone();
        }
        self.rows_read += 1;
        row.number = self.rows_read;
        Ok(true)
    }
}

/// Where the reader is inside the last record, byte by byte: csv-core's states that matter for quotes.
#[derive(Clone, Copy, PartialEq, Eq)]
enum QuoteState {
    /// At the start of a field (a quote here opens a quoted field).
    FieldStart,
    /// In an unquoted field (a quote here is text).
    Unquoted,
    /// In a quoted field.
    Quoted,
    /// Just after a quote inside a quoted field: a second one is text, anything else closes the field.
    AfterQuote,
}

/// The line where a quoted field opens without closing in the file's last record (the one starting at
/// `start`), if it does. Mirrors csv-core's reader (RFC 4180 quotes, `""` inside quotes, CR or LF ends a
/// record), which the csv crate does not expose; reads only from the last record to the end.
fn unclosed_quote(path: &Path, start: &csv::Position, delimiter: u8) -> Result<Option<u64>, ImportError> {
    use std::io::{Seek, SeekFrom};
    let mut file = File::open(path).map_err(|e| ImportError::io(path, e))?;
    file.seek(SeekFrom::Start(start.byte())).map_err(|e| ImportError::io(path, e))?;
    let mut reader = BufReader::with_capacity(256 * 1024, file);
    let (mut state, mut line, mut opened) = (QuoteState::FieldStart, start.line(), 0);
    let mut buffer = [0u8; 64 * 1024];
    loop {
        let n = reader.read(&mut buffer).map_err(|e| ImportError::io(path, e))?;
        if n == 0 {
            return Ok((state == QuoteState::Quoted).then_some(opened));
        }
        for &byte in &buffer[..n] {
            let ends_field = byte == delimiter || byte == b'\n' || byte == b'\r';
            state = match (state, byte) {
                (QuoteState::FieldStart, b'"') => {
                    opened = line;
                    QuoteState::Quoted
                }
                (QuoteState::Quoted, b'"') => QuoteState::AfterQuote,
                (QuoteState::Quoted, _) => QuoteState::Quoted,
                (QuoteState::AfterQuote, b'"') => QuoteState::Quoted,
                (_, _) if ends_field => QuoteState::FieldStart,
                (_, _) => QuoteState::Unquoted,
            };
            // csv-core counts a line per LF (CRLF is one line end).
            if byte == b'\n' {
                line += 1;
            }
        }
    }
}

/// True when some byte of `word` equals `byte`.
#[inline]
fn has_byte(word: u64, byte: u8) -> bool {
    const LOW: u64 = 0x0101_0101_0101_0101;
    let v = word ^ (LOW * u64::from(byte));
    (v.wrapping_sub(LOW) & !v & (LOW << 7)) != 0
}

/// Counts the data records below the header as the reader sees them in ordinary files (RFC 4180 quotes,
/// LF or CRLF, blank lines skipped), scanning eight bytes at a time. A hint only: unusual files may differ.
pub(crate) fn count_records(path: &Path) -> std::io::Result<u64> {
    let mut file = File::open(path)?;
    let mut buf = vec![0u8; 1 << 20];
    let (mut in_quotes, mut has_content, mut records) = (false, false, 0u64);
    loop {
        let n = file.read(&mut buf)?;
        if n == 0 {
            break;
        }
        let chunk = &buf[..n];
        let mut i = 0;
        while i < n {
            if i + 8 <= n {
                let word = u64::from_le_bytes(chunk[i..i + 8].try_into().unwrap_or([b'"'; 8]));
                if !has_byte(word, b'"') && !has_byte(word, b'\n') && !has_byte(word, b'\r') {
                    has_content = true;
                    i += 8;
                    continue;
                }
            }
            match chunk[i] {
                b'"' => {
                    in_quotes = !in_quotes;
                    has_content = true;
                }
                b'\n' | b'\r' if !in_quotes => {
                    records += u64::from(has_content);
                    has_content = false;
                }
                _ => has_content = true,
            }
            i += 1;
        }
    }
    records += u64::from(has_content);
    Ok(records.saturating_sub(1))
}

/// A readable name for a delimiter byte.
pub(crate) fn delimiter_name(delimiter: u8) -> String {
    match delimiter {
        b'\t' => "tab".to_string(),
        b',' => "comma".to_string(),
        b';' => "semicolon".to_string(),
        b'|' => "pipe".to_string(),
        other => format!("'{}'", other as char),
    }
}

fn read_sample(path: &Path) -> Result<Vec<u8>, ImportError> {
    let file = File::open(path).map_err(|e| ImportError::io(path, e))?;
    let mut sample = Vec::with_capacity(SNIFF_BYTES);
    file.take(SNIFF_BYTES as u64).read_to_end(&mut sample).map_err(|e| ImportError::io(path, e))?;
    Ok(sample)
}

/// Rejects UTF-16 and binary files before parsing, with advice.
fn check_text(path: &Path, sample: &[u8]) -> Result<(), ImportError> {
    if sample.starts_with(&[0xFF, 0xFE]) || sample.starts_with(&[0xFE, 0xFF]) {
        return Err(ImportError::Encoding {
            path: path.to_path_buf(),
            location: "line 1".into(),
            detail: "the file is UTF-16".into(),
        });
    }
    if sample.is_empty() {
        return Err(ImportError::Empty { path: path.to_path_buf(), what: "file".into() });
    }
    if sample.contains(&0) {
        return Err(ImportError::not_a_sheet(path, "it contains binary data (NUL bytes), not delimited text"));
    }
    Ok(())
}

/// Picks the delimiter that splits the sampled records into the most, consistently many fields.
pub(crate) fn sniff_delimiter(sample: &[u8]) -> u8 {
    // Cut the sample at its last newline so a truncated final record does not skew the counts.
    let cut = sample.iter().rposition(|&b| b == b'\n').map(|i| i + 1).unwrap_or(sample.len());
    let sample = &sample[..cut];
    // Ranked by: every sampled record has the same width, then the width, then how many records agree.
    let mut best: Option<(u8, (bool, usize, usize))> = None;
    for &delimiter in &CANDIDATE_DELIMITERS {
        let mut reader =
            csv::ReaderBuilder::new().delimiter(delimiter).has_headers(false).flexible(true).from_reader(sample);
        let mut counts = Vec::new();
        let mut record = csv::ByteRecord::new();
        while counts.len() < SNIFF_RECORDS {
            match reader.read_byte_record(&mut record) {
                Ok(true) => counts.push(record.len()),
                _ => break,
            }
        }
        let Some(&width) = counts.first() else { continue };
        if width < 2 {
            continue;
        }
        let consistent = counts.iter().filter(|&&c| c == width).count();
        let rank = (consistent == counts.len(), width, consistent);
        if best.is_none_or(|(_, best_rank)| rank > best_rank) {
            best = Some((delimiter, rank));
        }
    }
    best.map(|(d, _)| d).unwrap_or(b',')
}

fn csv_error(path: &Path, error: csv::Error) -> ImportError {
    let line = error.position().map(|p| p.line());
    let location = line.map(|l| format!("line {l}")).unwrap_or_else(|| "file".into());
    match error.into_kind() {
        csv::ErrorKind::Io(source) => ImportError::io(path, source),
        csv::ErrorKind::Utf8 { err, .. } => ImportError::Encoding {
            path: path.to_path_buf(),
            location,
            detail: format!("invalid byte sequence in field {}", err.field() + 1),
        },
        other => ImportError::malformed(path, location, format!("{other:?}; check quoting on that line")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sniffs_each_candidate() {
        assert_eq!(sniff_delimiter(b"a,b,c\n1,2,3\n"), b',');
        assert_eq!(sniff_delimiter(b"a;b;c\n1;2,5;3\n"), b';');
        assert_eq!(sniff_delimiter(b"a\tb\n1\t2\n"), b'\t');
        assert_eq!(sniff_delimiter(b"a|b|c\n1|2|3\n"), b'|');
    }

    #[test]
    fn prefers_consistent_width_over_more_fields() {
        // Commas inside the text but semicolons as the real delimiter.
        let sample = b"name;comment\nann;hello, world, again\nbob;fine\n";
        assert_eq!(sniff_delimiter(sample), b';');
    }

    #[test]
    fn counts_records_like_the_reader() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("c.csv");
        let text = "a,b\r\n1,\"two\r\nlines \"\"quoted\"\"\"\n\n3,x\n4,a long field that spans words\n5,\"\"";
        std::fs::write(&path, text).unwrap();
        assert_eq!(count_records(&path).unwrap(), 4);
        let mut source = CsvSource::open(&path, None).unwrap();
        let mut row = Row::new();
        let mut read = 0;
        while source.next_row(&mut row).unwrap() {
            read += 1;
        }
        assert_eq!(read, 4);
    }

    #[test]
    fn single_column_defaults_to_comma() {
        assert_eq!(sniff_delimiter(b"text\nhello\n"), b',');
    }
}
