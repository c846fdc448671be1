//! Import tests: every format, hostile cells, and each error names the file, the place and the fix.

use std::path::{Path, PathBuf};

use super::*;
use crate::remedy::{HasRemedy, Remedy, Setting};

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/fixtures").join(name)
}

fn write(dir: &tempfile::TempDir, name: &str, bytes: &[u8]) -> PathBuf {
    let path = dir.path().join(name);
    std::fs::write(&path, bytes).unwrap();
    path
}

/// Reads a whole sheet: (headers, rows as cell texts).
fn read_all(path: &Path, options: &SheetOptions) -> Result<(Vec<String>, Vec<Vec<String>>), ImportError> {
    let mut source = open_sheet(path, options)?;
    let headers = source.meta().headers.clone();
    let mut rows = Vec::new();
    let mut row = Row::new();
    while source.next_row(&mut row)? {
        assert_eq!(row.number(), rows.len() as u64 + 1, "row numbers count data rows from 1");
        rows.push(row.iter().map(str::to_string).collect());
    }
    Ok((headers, rows))
}

fn default() -> SheetOptions {
    SheetOptions::default()
}

#[test]
fn csv_keeps_every_cell_exactly() {
    let dir = tempfile::tempdir().unwrap();
    let hostile = [
        "  padded  ",
        "She said \"hi\"",
        "two\nlines",
        "crlf\r\ninside",
        "tab\there",
        "emoji 👍🏽",
        "עברית and العربية",
        "中文 日本語",
        "=1+2",
        "{{ title }} {% if x %}",
        "",
    ];
    let mut text = String::from("\u{feff}id,text\r\n");
    for (i, cell) in hostile.iter().enumerate() {
        text.push_str(&format!("{},\"{}\"\r\n", i + 1, cell.replace('"', "\"\"")));
    }
    let long = "x".repeat(10_000);
    text.push_str(&format!("99,{long}\r\n"));
    let path = write(&dir, "hostile.csv", text.as_bytes());
    let (headers, rows) = read_all(&path, &default()).unwrap();
    assert_eq!(headers, ["id", "text"], "the BOM is not part of the first header");
    for (i, cell) in hostile.iter().enumerate() {
        assert_eq!(rows[i][1], *cell, "row {}", i + 1);
    }
    assert_eq!(rows.last().unwrap()[1].len(), 10_000);
}

#[test]
fn csv_delimiters_are_sniffed_or_given() {
    let dir = tempfile::tempdir().unwrap();
    for (name, sep) in [("semi.csv", ';'), ("tab.tsv", '\t'), ("pipe.txt", '|'), ("comma.csv", ',')] {
        let text = format!("a{sep}b{sep}c\n1{sep}\"2,5\"{sep}x y\n4{sep}5{sep}6\n");
        let path = write(&dir, name, text.as_bytes());
        let (headers, rows) = read_all(&path, &default()).unwrap();
        assert_eq!(headers, ["a", "b", "c"], "{name}");
        assert_eq!(rows[0], ["1", "2,5", "x y"], "{name}");
    }
    let path = write(&dir, "forced.csv", b"a;b\n1;2\n");
    let forced = SheetOptions { delimiter: Some(b','), ..default() };
    let (headers, rows) = read_all(&path, &forced).unwrap();
    assert_eq!(headers, ["a;b"]);
    assert_eq!(rows[0], ["1;2"]);
}

#[test]
fn csv_ragged_row_names_the_line() {
    let dir = tempfile::tempdir().unwrap();
    let path = write(&dir, "ragged.csv", b"a,b\n1,2\n\"multi\nline\",3\n4,5,6\n");
    let err = read_all(&path, &default()).unwrap_err();
    let text = err.to_string();
    assert!(matches!(err, ImportError::Ragged { expected: 2, found: 3, .. }), "{text}");
    assert!(text.contains("ragged.csv") && text.contains("line 5"), "{text}");
    assert!(text.contains("change the delimiter"), "{text}");
    assert_eq!(err.remedy(), Some(Remedy::change(Setting::Delimiter)));
}

#[test]
fn header_problems_are_reported() {
    let dir = tempfile::tempdir().unwrap();
    let dup = write(&dir, "dup.csv", b"name,age,name\n1,2,3\n");
    let err = read_all(&dup, &default()).unwrap_err();
    assert!(matches!(&err, ImportError::DuplicateHeader { name, first: 1, second: 3, .. } if name == "name"), "{err}");
    let empty = write(&dir, "empty-header.csv", b"name,,age\n1,2,3\n");
    let err = read_all(&empty, &default()).unwrap_err();
    assert!(matches!(err, ImportError::EmptyHeader { column: 2, .. }), "{err}");
}

#[test]
fn empty_and_header_only_files_are_refused() {
    let dir = tempfile::tempdir().unwrap();
    let empty = write(&dir, "empty.csv", b"");
    assert!(matches!(read_all(&empty, &default()).unwrap_err(), ImportError::Empty { .. }));
    let header_only = write(&dir, "header.csv", b"a,b\r\n");
    let err = read_all(&header_only, &default()).unwrap_err();
    assert!(matches!(err, ImportError::NoDataRows { .. }));
    assert!(err.to_string().contains("no data rows"));
}

#[test]
fn bad_encodings_and_binary_files_are_refused() {
    let dir = tempfile::tempdir().unwrap();
    let latin1 = write(&dir, "latin1.csv", b"name\nJos\xe9\n");
    let err = read_all(&latin1, &default()).unwrap_err();
    assert!(matches!(err, ImportError::Encoding { .. }), "{err}");
    assert!(err.to_string().contains("line 2") && err.to_string().contains("UTF-8"), "{err}");
    let utf16 = write(&dir, "utf16.csv", &[0xFF, 0xFE, b'a', 0, b'\n', 0]);
    assert!(read_all(&utf16, &default()).unwrap_err().to_string().contains("UTF-16"));
    let png = write(&dir, "image.csv", b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR");
    assert!(matches!(read_all(&png, &default()).unwrap_err(), ImportError::NotASheet { .. }));
    let fake_xlsx = write(&dir, "fake.xlsx", b"just text");
    let err = read_all(&fake_xlsx, &default()).unwrap_err();
    assert!(matches!(err, ImportError::NotASheet { .. }), "{err}");
    let missing = read_all(&dir.path().join("nope.csv"), &default()).unwrap_err();
    assert!(matches!(missing, ImportError::Io { .. }));
}

fn write_xlsx(path: &Path) {
    use rust_xlsxwriter::{ExcelDateTime, Format, Workbook};
    let mut book = Workbook::new();
    book.add_worksheet().set_name("Blank").unwrap();
    let sheet = book.add_worksheet();
    sheet.set_name("Reviews").unwrap();
    for (c, name) in ["id", "name", "score", "ratio", "when", "flag", "note"].iter().enumerate() {
        sheet.write_string(0, c as u16, *name).unwrap();
    }
    let date = Format::new().set_num_format("yyyy-mm-dd");
    sheet.write_number(1, 0, 1).unwrap();
    sheet.write_string(1, 1, "Ann").unwrap();
    sheet.write_number(1, 2, 4.0).unwrap();
    sheet.write_number(1, 3, 0.1 + 0.2).unwrap();
    sheet.write_datetime_with_format(1, 4, ExcelDateTime::from_ymd(2024, 5, 1).unwrap(), &date).unwrap();
    sheet.write_boolean(1, 5, true).unwrap();
    sheet.write_string(1, 6, "line one\nline two").unwrap();
    // Row 3 is a blank spacer; row 4 has text that looks like a formula and an empty cell.
    sheet.write_number(3, 0, 2).unwrap();
    sheet.write_string(3, 1, "=SUM(A1:A2)").unwrap();
    sheet.write_number(3, 2, -12.5).unwrap();
    let other = book.add_worksheet();
    other.set_name("Other").unwrap();
    other.write_string(0, 0, "only").unwrap();
    other.write_string(1, 0, "x").unwrap();
    book.save(path).unwrap();
}

#[test]
fn xlsx_cells_read_as_a_spreadsheet_shows_them() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("book.xlsx");
    write_xlsx(&path);
    let source = open_sheet(&path, &default()).unwrap();
    assert_eq!(source.meta().sheet.as_deref(), Some("Reviews"), "the first sheet with data is the default");
    assert_eq!(source.meta().format, SheetFormat::Xlsx);
    let (headers, rows) = read_all(&path, &default()).unwrap();
    assert_eq!(headers, ["id", "name", "score", "ratio", "when", "flag", "note"]);
    assert_eq!(rows[0], ["1", "Ann", "4", "0.3", "2024-05-01", "TRUE", "line one\nline two"]);
    assert_eq!(rows[1], ["2", "=SUM(A1:A2)", "-12.5", "", "", "", ""], "blank spacer rows are skipped");
    assert_eq!(rows.len(), 2);
    let other = SheetOptions { sheet: Some("Other".into()), ..default() };
    assert_eq!(read_all(&path, &other).unwrap().1, vec![vec!["x".to_string()]]);
    let wrong = SheetOptions { sheet: Some("Nope".into()), ..default() };
    let err = read_all(&path, &wrong).unwrap_err().to_string();
    assert!(err.contains("\"Nope\"") && err.contains("\"Reviews\""), "{err}");
    assert_eq!(sheet_names(&path).unwrap(), ["Blank", "Reviews", "Other"]);
}

const TYPED_XLS_ODS: [[&str; 7]; 3] = [
    ["1", "Ann", "4", "0.25", "2024-05-01", "TRUE", "plain"],
    ["2", "Bø \"quoted\"", "10", "1.5", "2026-11-21", "FALSE", ""],
    ["3", "日本", "-3", "0.1", "1999-12-31", "TRUE", "line one\nline two"],
];

#[test]
fn xls_fixture_reads_typed_cells() {
    let (headers, rows) = read_all(&fixture("typed.xls"), &default()).unwrap();
    assert_eq!(headers, ["id", "name", "score", "ratio", "when", "flag", "note"]);
    assert_eq!(rows, TYPED_XLS_ODS.map(|r| r.map(str::to_string).to_vec()).to_vec());
}

#[test]
fn ods_fixture_reads_typed_cells() {
    let (_, rows) = read_all(&fixture("typed.ods"), &default()).unwrap();
    assert_eq!(rows, TYPED_XLS_ODS.map(|r| r.map(str::to_string).to_vec()).to_vec());
}

#[test]
fn parquet_fixture_reads_typed_columns() {
    let (headers, rows) = read_all(&fixture("typed.parquet"), &default()).unwrap();
    assert_eq!(headers, ["id", "name", "score", "ratio", "when", "flag", "note"]);
    assert_eq!(rows[0], ["1", "Ann", "4", "0.25", "2024-05-01", "true", "plain"]);
    assert_eq!(rows[1], ["2", "Bø \"quoted\"", "10", "1.5", "2026-11-21", "false", ""], "null reads as empty");
    assert_eq!(rows[2][6], "line one\nline two");
}

#[test]
fn sheet_option_on_a_csv_is_an_error() {
    let dir = tempfile::tempdir().unwrap();
    let path = write(&dir, "a.csv", b"a\n1\n");
    let err = read_all(&path, &SheetOptions { sheet: Some("x".into()), ..default() }).unwrap_err();
    assert!(err.to_string().contains("only XLSX, XLS and ODS workbooks have worksheets"), "{err}");
    assert_eq!(err.remedy(), Some(Remedy::Clear { setting: Setting::Worksheet }));
}

#[test]
fn jsonl_columns_are_the_union_of_keys() {
    let dir = tempfile::tempdir().unwrap();
    let text = "{\"id\": 1, \"text\": \"hi\\nthere\"}\n\n{\"id\": 2.5, \"extra\": [1, {\"a\": true}], \"text\": null}\r\n{\"text\": \"only\", \"flag\": false}\n";
    let path = write(&dir, "rows.jsonl", text.as_bytes());
    let (headers, rows) = read_all(&path, &default()).unwrap();
    assert_eq!(headers, ["id", "text", "extra", "flag"]);
    assert_eq!(rows[0], ["1", "hi\nthere", "", ""]);
    assert_eq!(rows[1], ["2.5", "", "[1,{\"a\":true}]", ""]);
    assert_eq!(rows[2], ["", "only", "", "false"]);
    let bad = write(&dir, "bad.jsonl", b"{\"a\": 1}\n[1, 2]\n");
    let err = read_all(&bad, &default()).unwrap_err().to_string();
    assert!(err.contains("line 2") && err.contains("not an object"), "{err}");
    let broken = write(&dir, "broken.jsonl", b"{\"a\": 1}\n{\"a\": \n");
    assert!(read_all(&broken, &default()).unwrap_err().to_string().contains("line 2"));
}

#[test]
fn damaged_files_are_errors_not_panics() {
    for name in ["damaged-truncated-1.xls", "damaged-truncated-2.xls"] {
        let err = read_all(&fixture(name), &default()).unwrap_err();
        assert!(matches!(err, ImportError::NotASheet { .. }), "{name}: {err}");
        assert!(err.to_string().contains("damaged"), "{err}");
        assert!(!is_guarded(), "the guard is released after a caught panic");
    }
}

#[test]
fn xlsx_stream_reports_ragged_empty_and_header_only_sheets() {
    use rust_xlsxwriter::Workbook;
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("edge.xlsx");
    let mut book = Workbook::new();
    let ragged = book.add_worksheet();
    ragged.set_name("Ragged").unwrap();
    ragged.write_string(0, 0, "a").unwrap();
    ragged.write_string(0, 1, "b").unwrap();
    ragged.write_string(1, 0, "1").unwrap();
    ragged.write_string(2, 3, "stray").unwrap();
    let header_only = book.add_worksheet();
    header_only.set_name("HeaderOnly").unwrap();
    header_only.write_string(0, 0, "a").unwrap();
    book.add_worksheet().set_name("Empty").unwrap();
    book.save(&path).unwrap();
    let pick = |name: &str| SheetOptions { sheet: Some(name.into()), ..default() };
    let err = read_all(&path, &pick("Ragged")).unwrap_err();
    assert!(matches!(err, ImportError::Ragged { .. }), "{err}");
    assert!(err.to_string().contains("row 3"), "{err}");
    let err = read_all(&path, &pick("HeaderOnly")).unwrap_err();
    assert!(matches!(err, ImportError::NoDataRows { .. }), "{err}");
    assert!(err.to_string().contains("\"Ragged\""), "names the other sheets: {err}");
    let err = read_all(&path, &pick("Empty")).unwrap_err();
    assert!(matches!(err, ImportError::Empty { .. }), "{err}");
}

#[test]
fn an_xlsx_stream_dropped_early_stops_its_reader() {
    use rust_xlsxwriter::Workbook;
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("many.xlsx");
    let mut book = Workbook::new();
    let sheet = book.add_worksheet();
    sheet.write_string(0, 0, "n").unwrap();
    for r in 1..20_000u32 {
        sheet.write_number(r, 0, r as f64).unwrap();
    }
    book.save(&path).unwrap();
    let mut source = open_sheet(&path, &default()).unwrap();
    let mut row = Row::new();
    assert!(source.next_row(&mut row).unwrap());
    assert_eq!(row.get(0), "1");
    assert!(source.count_hint().is_some_and(|h| h >= 19_999));
    drop(source); // must return: the producer thread notices the closed channel
}

#[test]
fn a_csv_quote_that_never_closes_is_refused_at_the_line_it_opens() {
    let dir = tempfile::tempdir().unwrap();
    let mut rows: Vec<String> = (1..=200).map(|i| format!("{i},review {i}")).collect();
    // Row 10 (line 11, below the header) opens a quote that nothing closes: before, the reader returned
    // 10 rows and the other 190 were the tenth row's cell.
    rows[9] = "10,\"stray quote in review 10".into();
    let stray = write(&dir, "stray.csv", format!("id,text\n{}\n", rows.join("\n")).as_bytes());
    let error = read_all(&stray, &default()).unwrap_err();
    let text = error.to_string();
    assert!(text.contains("line 11") && text.contains("closing quote never comes"), "{text}");
    assert!(text.starts_with(&stray.display().to_string()), "names the file: {text}");

    // Opened on the very last line (no line end after it, or one): refused too.
    for tail in ["3,\"unfinished", "3,\"unfinished\n", "3,\"says \"\"hi\"\" and never closes\r\n"] {
        let last = write(&dir, "last.csv", format!("id,text\n1,a\n2,b\n{tail}").as_bytes());
        let error = read_all(&last, &default()).unwrap_err().to_string();
        assert!(error.contains("line 4"), "{tail:?}: {error}");
    }
    // A header whose quote never closes leaves no data rows, and says why.
    let header = write(&dir, "header.csv", b"id,\"text\n1,a\n");
    assert!(read_all(&header, &default()).unwrap_err().to_string().contains("line 1"));

    // Quotes that are fine: inside an unquoted cell (text), doubled inside a quoted one, a quoted cell over
    // several lines, and text right after a closing quote.
    let fine = write(
        &dir,
        "fine.csv",
        b"id,text\n1,a 5\" screen\n2,\"she said \"\"hi\"\"\"\n3,\"two\nlines\"\n4,\"quoted\"tail\n5,\"\"\n",
    );
    let (_, read) = read_all(&fine, &default()).unwrap();
    assert_eq!(read.len(), 5);
    assert_eq!(read[0][1], "a 5\" screen");
    assert_eq!(read[3][1], "quotedtail");
}

#[test]
fn a_jsonl_file_that_shrinks_between_its_two_passes_is_not_a_short_sheet() {
    let dir = tempfile::tempdir().unwrap();
    let path = write(&dir, "rows.jsonl", b"{\"a\": 1}\n{\"a\": 2}\n{\"a\": 3}\n");
    let mut source = open_sheet(&path, &default()).unwrap();
    // The columns pass saw three rows; the file loses one before the rows pass ends.
    std::fs::write(&path, b"{\"a\": 1}\n{\"a\": 2}\n").unwrap();
    let mut row = Row::new();
    let mut outcome = Ok(true);
    while let Ok(true) = outcome {
        outcome = source.next_row(&mut row);
    }
    let error = outcome.unwrap_err().to_string();
    assert!(error.contains("changed while it was read"), "{error}");
}

/// A minimal XLSX whose sheet has the header "text" and `rows` cells that all show shared string 0, which
/// is `shared` (a few kilobytes standing for `rows` × `shared.len()` bytes of text).
fn amplifying_workbook(dir: &tempfile::TempDir, name: &str, rows: usize, shared: &str) -> PathBuf {
    use std::io::Write;
    let path = dir.path().join(name);
    let mut zip = zip::ZipWriter::new(std::fs::File::create(&path).unwrap());
    let options = zip::write::SimpleFileOptions::default().compression_method(zip::CompressionMethod::Deflated);
    let main = "http://schemas.openxmlformats.org/spreadsheetml/2006/main";
    let rel = "http://schemas.openxmlformats.org/officeDocument/2006/relationships";
    let package = "http://schemas.openxmlformats.org/package/2006/relationships";
    let mut sheet = format!(r#"<worksheet xmlns="{main}"><sheetData><row r="1"><c r="A1" t="s"><v>1</v></c></row>"#);
    for r in 2..rows + 2 {
        sheet.push_str(&format!(r#"<row r="{r}"><c r="A{r}" t="s"><v>0</v></c></row>"#));
    }
    sheet.push_str("</sheetData></worksheet>");
    let parts = [
        (
            "[Content_Types].xml",
            (
                r#"<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/></Types>"#
                .to_string()
            ),
        ),
        (
            "_rels/.rels",
            format!(
                r#"<Relationships xmlns="{package}"><Relationship Id="rId1" Type="{rel}/officeDocument" Target="xl/workbook.xml"/></Relationships>"#
            ),
        ),
        (
            "xl/workbook.xml",
            format!(
                r#"<workbook xmlns="{main}" xmlns:r="{rel}"><sheets><sheet name="Sheet1" sheetId="1" r:id="rId1"/></sheets></workbook>"#
            ),
        ),
        (
            "xl/_rels/workbook.xml.rels",
            format!(
                r#"<Relationships xmlns="{package}"><Relationship Id="rId1" Type="{rel}/worksheet" Target="worksheets/sheet1.xml"/><Relationship Id="rId2" Type="{rel}/sharedStrings" Target="sharedStrings.xml"/></Relationships>"#
            ),
        ),
        ("xl/worksheets/sheet1.xml", sheet),
        (
            "xl/sharedStrings.xml",
            format!(
                r#"<sst xmlns="{main}" count="2" uniqueCount="2"><si><t>{shared}</t></si><si><t>text</t></si></sst>"#
            ),
        ),
    ];
    for (name, text) in parts {
        zip.start_file(name, options).unwrap();
        zip.write_all(text.as_bytes()).unwrap();
    }
    zip.finish().unwrap();
    path
}

#[test]
fn a_small_workbook_standing_for_gigabytes_of_text_is_refused_quickly() {
    let dir = tempfile::tempdir().unwrap();
    // The reported case: a ~20 KB workbook whose 2,000 cells all show one 5,000,000-character string
    // (10 GB of text; before, `preview` took 48 s and 6 GB).
    let huge = amplifying_workbook(&dir, "huge-string.xlsx", 2_000, &"A".repeat(5_000_000));
    assert!(std::fs::metadata(&huge).unwrap().len() < 100_000);
    let error = read_all(&huge, &default()).unwrap_err().to_string();
    assert!(error.contains("cell A2") && error.contains("32767 characters"), "{error}");

    // Cells within Excel's limit, but so many that the text outgrows any honest workbook of this size.
    let many = amplifying_workbook(&dir, "many-cells.xlsx", 120_000, &"B".repeat(32_000));
    let error = read_all(&many, &default()).unwrap_err().to_string();
    assert!(error.contains("bytes of text by row") && error.contains("far more than a workbook"), "{error}");

    // A shared-string table that decompresses far past the budget is refused before calamine holds it.
    let table = amplifying_workbook(&dir, "table.xlsx", 1, &"C".repeat(160_000_000));
    let error = read_all(&table, &default()).unwrap_err().to_string();
    assert!(error.contains("xl/sharedStrings.xml expands"), "{error}");
    assert!(sheet_names(&table).unwrap_err().to_string().contains("xl/sharedStrings.xml expands"));

    // The same shape at an honest size reads every row.
    let honest = amplifying_workbook(&dir, "honest.xlsx", 500, &"D".repeat(1_000));
    let (headers, rows) = read_all(&honest, &default()).unwrap();
    assert_eq!((headers, rows.len()), (vec!["text".to_string()], 500));
    assert_eq!(rows[499][0].len(), 1_000);
}
