//! Fuzzing on stable Rust, for a fixed budget each run: the sheet readers (CSV, XLSX, XLS, ODS, Parquet, JSON
//! Lines), the template renderer and the output parser get random and mutated inputs, and must answer each
//! with rows or an error — never a panic, a hang or a short read that looks like success.
//!
//! Two sources of inputs: proptest's generators (bytes shaped like each format, and byte flips, cuts and
//! splices of valid seed files), and `tests/fixtures/fuzz/<reader>/`, the inputs that ever failed, replayed on
//! every run. A failing case is also saved by proptest under `proptest-regressions/`; copy the input itself
//! into the corpus folder when fixing it.

use std::path::{Path, PathBuf};

use batch_core::results::parse_line;
use batch_core::sheet::{ImportError, Row, SheetOptions, open_sheet};
use batch_core::template::analysis::analyze;
use batch_core::template::{PromptTemplate, TemplateRole};
use proptest::prelude::*;

/// Cases per property: enough to find shallow breakage on every run, few enough for CI (a few seconds each).
const CASES: u32 = 400;

fn config() -> ProptestConfig {
    ProptestConfig { cases: CASES, ..ProptestConfig::default() }
}

/// Reads a whole sheet as the tools do. Every row it returns has one cell per header.
fn read_all(path: &Path) -> Result<(Vec<String>, u64), ImportError> {
    let mut source = open_sheet(path, &SheetOptions::default())?;
    let width = source.meta().headers.len();
    let headers = source.meta().headers.clone();
    let mut row = Row::new();
    let mut rows = 0;
    while source.next_row(&mut row)? {
        rows += 1;
        assert_eq!(row.len(), width, "row {rows} has {} cells for {width} headers", row.len());
        assert_eq!(row.number(), rows, "rows are numbered in order");
    }
    Ok((headers, rows))
}

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/fixtures").join(name)
}

/// An XLSX seed written here (the repository keeps no binary XLSX fixture).
fn xlsx_seed() -> Vec<u8> {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("seed.xlsx");
    let mut book = rust_xlsxwriter::Workbook::new();
    let sheet = book.add_worksheet();
    for (col, name) in ["id", "text", "score"].iter().enumerate() {
        sheet.write_string(0, col as u16, *name).unwrap();
    }
    for row in 1..6u32 {
        sheet.write_number(row, 0, f64::from(row)).unwrap();
        sheet.write_string(row, 1, format!("review {row}, \"quoted\" ünïcode")).unwrap();
        sheet.write_number(row, 2, f64::from(row) / 4.0).unwrap();
    }
    book.save(&path).unwrap();
    std::fs::read(path).unwrap()
}

/// Mutates `seed`: `flips` bytes set at positions, then cut to `keep` of its length (per mille), then a splice.
fn mutate(seed: &[u8], flips: &[(usize, u8)], keep: u16, splice: &[u8]) -> Vec<u8> {
    let mut bytes = seed.to_vec();
    for &(at, value) in flips {
        if !bytes.is_empty() {
            let at = at % bytes.len();
            bytes[at] = value;
        }
    }
    let len = bytes.len() * usize::from(keep.min(1000)) / 1000;
    bytes.truncate(len.max(1));
    bytes.extend_from_slice(splice);
    bytes
}

/// Keeps the panics a reader's guard turns into errors (damaged-file panics inside calamine or parquet) off
/// the test output, as the CLI does; any other panic is reported and fails its test.
fn quiet_guarded_panics() {
    static ONCE: std::sync::Once = std::sync::Once::new();
    ONCE.call_once(|| {
        let report = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            if !batch_core::sheet::is_guarded() {
                report(info);
            }
        }));
    });
}

/// Writes `bytes` as `name` in a fresh folder and reads it; the read must end (rows or an error).
fn read_bytes(name: &str, bytes: &[u8]) -> Result<(Vec<String>, u64), ImportError> {
    quiet_guarded_panics();
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join(name);
    std::fs::write(&path, bytes).unwrap();
    read_all(&path)
}

/// Text shaped like CSV: fields, quotes, delimiters and line ends in any order.
fn csv_like() -> impl Strategy<Value = Vec<u8>> {
    let piece = prop_oneof![
        Just(b",".to_vec()),
        Just(b";".to_vec()),
        Just(b"\t".to_vec()),
        Just(b"\"".to_vec()),
        Just(b"\"\"".to_vec()),
        Just(b"\n".to_vec()),
        Just(b"\r\n".to_vec()),
        Just(b"\r".to_vec()),
        Just("\u{feff}".as_bytes().to_vec()),
        Just("é😀".as_bytes().to_vec()),
        "[a-z0-9 ]{1,6}".prop_map(String::into_bytes),
        prop::collection::vec(any::<u8>(), 1..4),
    ];
    prop::collection::vec(piece, 1..60).prop_map(|pieces| pieces.concat())
}

/// Text shaped like JSON Lines.
fn jsonl_like() -> impl Strategy<Value = Vec<u8>> {
    let piece = prop_oneof![
        Just(b"{".to_vec()),
        Just(b"}".to_vec()),
        Just(b"\"a\":".to_vec()),
        Just(b"\"b\":".to_vec()),
        Just(b"1".to_vec()),
        Just(b"null".to_vec()),
        Just(b"[1,{\"x\":2}]".to_vec()),
        Just(b"\"text\"".to_vec()),
        Just(b",".to_vec()),
        Just(b"\n".to_vec()),
        prop::collection::vec(any::<u8>(), 1..3),
    ];
    prop::collection::vec(piece, 1..50).prop_map(|pieces| pieces.concat())
}

/// Templates shaped like the ones analysts write, with the Jinja pieces that can go wrong.
fn template_like() -> impl Strategy<Value = String> {
    let piece = prop_oneof![
        Just("{{ id }}".to_string()),
        Just("{{ Review Text }}".to_string()),
        Just("{{ text | upper }}".to_string()),
        Just("{{ row[\"Review Text\"] }}".to_string()),
        Just("{% if id %}".to_string()),
        Just("{% else %}".to_string()),
        Just("{% endif %}".to_string()),
        Just("{% for k, v in row|items %}".to_string()),
        Just("{% for i in range(1000) %}".to_string()),
        Just("{% endfor %}".to_string()),
        Just("{{ text * 1000 }}".to_string()),
        Just("{{".to_string()),
        Just("}}".to_string()),
        Just("{%".to_string()),
        Just("%}".to_string()),
        Just("{# note #}".to_string()),
        Just("{{ row['Rev".to_string()),
        Just("{{ ü | é(".to_string()),
        "[a-z :\n]{1,8}",
    ];
    prop::collection::vec(piece, 1..14).prop_map(|pieces| pieces.concat())
}

proptest! {
    #![proptest_config(config())]

    #[test]
    fn csv_bytes_read_to_rows_or_an_error(bytes in csv_like()) {
        let _ = read_bytes("fuzz.csv", &bytes);
    }

    #[test]
    fn jsonl_bytes_read_to_rows_or_an_error(bytes in jsonl_like()) {
        let _ = read_bytes("fuzz.jsonl", &bytes);
    }

    #[test]
    fn mutated_workbooks_and_parquet_read_to_rows_or_an_error(
        which in 0usize..4,
        flips in prop::collection::vec((any::<usize>(), any::<u8>()), 0..12),
        keep in 500u16..=1000,
        splice in prop::collection::vec(any::<u8>(), 0..16),
    ) {
        let (name, seed) = match which {
            0 => ("fuzz.xlsx", xlsx_seed()),
            1 => ("fuzz.xls", std::fs::read(fixture("typed.xls")).unwrap()),
            2 => ("fuzz.ods", std::fs::read(fixture("typed.ods")).unwrap()),
            _ => ("fuzz.parquet", std::fs::read(fixture("typed.parquet")).unwrap()),
        };
        let _ = read_bytes(name, &mutate(&seed, &flips, keep, &splice));
    }

    #[test]
    fn templates_compile_and_render_within_their_budget_or_say_why(
        source in template_like(),
        cells in prop::collection::vec("[a-zA-Z0-9 {}%\"]{0,20}", 3),
    ) {
        let headers: Vec<String> = ["id", "Review Text", "text"].map(String::from).to_vec();
        if let Ok(template) = PromptTemplate::compile(&source, &headers, TemplateRole::Prompt) {
            let row = Row::from_cells(1, cells.iter());
            if let Ok(prompt) = template.render(&row) {
                prop_assert!(prompt.len() <= batch_core::template::MAX_PROMPT_BYTES);
            }
        }
    }

    #[test]
    fn the_editor_analysis_gives_the_template_back_and_agrees_with_compiling(source in template_like()) {
        let headers: Vec<String> = ["id", "Review Text", "text"].map(String::from).to_vec();
        let analysis = analyze(&source, &headers, TemplateRole::Prompt);
        prop_assert_eq!(analysis.pieces.iter().map(|p| p.text.as_str()).collect::<String>(), source.clone());
        // A template that compiles has no error; one that does not (and is not blank) says why.
        if PromptTemplate::compile(&source, &headers, TemplateRole::Prompt).is_ok() {
            prop_assert_eq!(analysis.error, None);
        } else if !source.trim().is_empty() {
            prop_assert!(analysis.error.is_some() || !analysis.unknown.is_empty(), "{:?}", analysis);
        }
    }

    #[test]
    fn output_lines_parse_or_give_a_reason(
        bytes in prop_oneof![
            prop::collection::vec(any::<u8>(), 0..200),
            jsonl_like(),
            (any::<bool>(), "[a-z]{0,8}", any::<i64>()).prop_map(|(ok, text, n)| {
                let body = if ok {
                    format!(r#"{{"recordId":"{text}","modelOutput":{{"content":[{{"type":"text","text":"{text}"}}],"usage":{{"input_tokens":{n}}}}}}}"#)
                } else {
                    format!(r#"{{"recordId":"{text}","error":{{"errorCode":{n},"errorMessage":"{text}"}}}}"#)
                };
                body.into_bytes()
            }),
        ],
    ) {
        if let Ok(parsed) = parse_line(&bytes) {
            prop_assert!(std::str::from_utf8(&bytes).is_ok(), "a parsed line is text");
            let _ = parsed.outcome;
        }
    }
}

/// Every input that ever broke a reader, kept in `tests/fixtures/fuzz/<reader>/` and replayed: each must now
/// be read to its rows or refused with an error, as its `.expect` file (the error's start, or `rows N`) says.
#[test]
fn every_input_that_ever_failed_is_read_as_expected_now() {
    let corpus = fixture("fuzz");
    let mut checked = 0;
    for entry in std::fs::read_dir(&corpus).unwrap().flatten() {
        let path = entry.path();
        if path.extension().is_some_and(|e| e == "expect") || path.file_name().is_some_and(|n| n == "README.md") {
            continue;
        }
        let expect = std::fs::read_to_string(
            path.with_extension(format!("{}.expect", path.extension().and_then(|e| e.to_str()).unwrap_or(""))),
        )
        .unwrap_or_else(|_| panic!("{}: no .expect beside it", path.display()));
        let expect = expect.trim();
        let got = match read_all(&path) {
            Ok((_, rows)) => format!("rows {rows}"),
            Err(error) => error.to_string(),
        };
        assert!(
            got.contains(expect),
            "{}: expected {expect:?}, got {got:?}",
            path.file_name().unwrap().to_string_lossy()
        );
        checked += 1;
    }
    assert!(checked >= 3, "the corpus holds the inputs that failed: {checked}");
}
