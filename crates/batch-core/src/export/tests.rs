//! Export tests: each format round-trips the exact cells; formulas never run; limits give clear errors.

use std::path::Path;

use super::*;
use crate::answer::Cell;
use crate::sheet::{SheetOptions, open_sheet};

fn outcome(output: &str, tokens: Option<u64>) -> Outcome {
    Outcome {
        output: output.into(),
        error: String::new(),
        input_tokens: tokens,
        output_tokens: tokens.map(|t| t + 1),
        stop_reason: "end_turn".into(),
        tier: Some(crate::service_tier::Tier::OnDemand),
        ..Outcome::default()
    }
}

const CELLS: [&str; 3] = ["=1+2", "line\nbreak \"q\"", "@handle"];

fn write_export(path: &Path, excel_safe: bool) -> Vec<String> {
    let headers = vec!["formula".to_string(), "text".to_string(), "status".to_string()];
    let columns = result_columns(&headers, &[]);
    let mut writer = open_writer(path, ExportFormat::from_path(path).unwrap(), &columns, excel_safe).unwrap();
    let row = Row::from_cells(1, CELLS);
    let done = outcome("+ answer", Some(12));
    writer
        .write(
            &row,
            &ResultFields {
                record_id: "ABC00000001",
                status: Status::Succeeded,
                outcome: &done,
                answer: &[],
                attempts: &[],
            },
        )
        .unwrap();
    let empty = Outcome::default();
    let row2 = Row::from_cells(2, ["", "", ""]);
    writer
        .write(
            &row2,
            &ResultFields {
                record_id: "ABC00000002",
                status: Status::Missing,
                outcome: &empty,
                answer: &[],
                attempts: &[],
            },
        )
        .unwrap();
    writer.finish().unwrap();
    columns.names
}

fn read_back(path: &Path) -> (Vec<String>, Vec<Vec<String>>) {
    let mut source = open_sheet(path, &SheetOptions::default()).unwrap();
    let headers = source.meta().headers.clone();
    let mut rows = Vec::new();
    let mut row = Row::new();
    while source.next_row(&mut row).unwrap() {
        rows.push(row.iter().map(str::to_string).collect());
    }
    (headers, rows)
}

#[test]
fn colliding_result_columns_get_a_prefix() {
    let columns = result_columns(&["status".to_string(), "result_status".to_string(), "output".to_string()], &[]).names;
    assert_eq!(
        &columns[3..],
        [
            "record_id",
            "result_result_status",
            "result_output",
            "error",
            "input_tokens",
            "output_tokens",
            "stop_reason",
            "tier"
        ]
    );
}

#[test]
fn excel_safe_neutralises_formula_starts_only() {
    assert_eq!(excel_safe("=SUM(A1)"), "'=SUM(A1)");
    assert_eq!(excel_safe("+1"), "'+1");
    assert_eq!(excel_safe("-2"), "'-2");
    assert_eq!(excel_safe("@x"), "'@x");
    assert_eq!(excel_safe("a=b"), "a=b");
    assert_eq!(excel_safe(""), "");
}

#[test]
fn each_format_round_trips_exact_values() {
    let dir = tempfile::tempdir().unwrap();
    for name in ["out.csv", "out.xlsx", "out.parquet", "out.jsonl"] {
        let path = dir.path().join(name);
        let columns = write_export(&path, false);
        let (headers, rows) = read_back(&path);
        assert_eq!(headers, columns, "{name}");
        assert_eq!(rows.len(), 2, "{name}");
        assert_eq!(rows[0][..3], CELLS, "{name}: input cells exact, formulas kept as text");
        assert_eq!(
            rows[0][3..],
            ["ABC00000001", "succeeded", "+ answer", "", "12", "13", "end_turn", "on-demand"],
            "{name}"
        );
        assert_eq!(rows[1][3..], ["ABC00000002", "missing", "", "", "", "", "", ""], "{name}");
        let leftovers: Vec<_> = std::fs::read_dir(dir.path())
            .unwrap()
            .flatten()
            .filter(|e| e.file_name().to_string_lossy().ends_with(".partial"))
            .collect();
        assert!(leftovers.is_empty(), "{name}: temporary file removed");
    }
}

#[test]
fn xlsx_cells_are_text_not_formulas() {
    use calamine::{Data, Reader, Xlsx, open_workbook};
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("f.xlsx");
    write_export(&path, false);
    let mut book: Xlsx<_> = open_workbook(&path).unwrap();
    let formulas = book.worksheet_formula("Results").unwrap();
    assert!(formulas.used_cells().all(|(_, _, f)| f.is_empty()), "no cell is a formula");
    let values = book.worksheet_range("Results").unwrap();
    assert_eq!(values.get((1, 0)), Some(&Data::String("=1+2".into())));
    assert_eq!(values.get((1, 7)), Some(&Data::Float(12.0)), "tokens are numbers");
}

#[test]
fn csv_excel_safe_prefixes_risky_cells() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("safe.csv");
    write_export(&path, true);
    let (_, rows) = read_back(&path);
    assert_eq!(rows[0][..3], ["'=1+2", "line\nbreak \"q\"", "'@handle"]);
    assert_eq!(rows[0][5], "'+ answer");
}

#[test]
fn an_xlsx_cell_over_the_limit_is_refused_and_nothing_is_left() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("big.xlsx");
    let columns = result_columns(&["text".to_string()], &[]);
    let mut writer = open_writer(&path, ExportFormat::Xlsx, &columns, false).unwrap();
    let long = "y".repeat(XLSX_MAX_CELL_CHARS + 1);
    let err = writer
        .write(
            &Row::from_cells(5, [long.as_str()]),
            &ResultFields {
                record_id: "A",
                status: Status::Missing,
                outcome: &Outcome::default(),
                answer: &[],
                attempts: &[],
            },
        )
        .unwrap_err();
    let text = err.to_string();
    assert!(text.contains("row 5") && text.contains("\"text\"") && text.contains(".csv"), "{text}");
    drop(writer);
    assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 0, "no target and no temporary file");
}

#[test]
fn an_xlsx_export_past_the_sheet_s_row_limit_is_refused_and_nothing_is_left() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("many.xlsx");
    let columns = result_columns(&["text".to_string()], &[]);
    // The sheet's limit lowered to three rows: the fourth is refused, with what to use instead.
    let mut writer = xlsx_writer::XlsxExport::create_with_cap(&path, &columns, 3).unwrap();
    let fields = ResultFields {
        record_id: "A",
        status: Status::Missing,
        outcome: &Outcome::default(),
        answer: &[],
        attempts: &[],
    };
    for n in 1..=3 {
        writer.write(&Row::from_cells(n, ["x"]), &fields).unwrap();
    }
    let error = writer.write(&Row::from_cells(4, ["x"]), &fields).unwrap_err().to_string();
    assert!(
        error.contains("more than the 3 rows an XLSX sheet holds") && error.contains(".csv or .parquet"),
        "{error}"
    );
    drop(writer);
    assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 0, "no target and no temporary file");
}

#[test]
fn unknown_extensions_are_refused() {
    let err = ExportFormat::from_path(Path::new("out.txt")).unwrap_err();
    assert!(err.to_string().contains(".csv, .xlsx, .parquet or .jsonl"));
}

/// An export of a run whose answers have typed fields: one valid row, one row whose answer fell short.
fn write_typed_export(path: &Path) -> ExportColumns {
    use crate::answer::{AnswerField, FieldKind};
    let fields = [
        AnswerField::new("label", FieldKind::OneOf(vec!["pos".into(), "neg".into()]), ""),
        AnswerField::new("score", FieldKind::Number, ""),
        AnswerField::new("count", FieldKind::Integer, ""),
        AnswerField::new("urgent", FieldKind::Boolean, ""),
        AnswerField::new("due", FieldKind::Date, ""),
        AnswerField::new("tags", FieldKind::TextList, ""),
    ];
    let columns = result_columns(&["text".to_string()], &fields);
    let mut writer = open_writer(path, ExportFormat::from_path(path).unwrap(), &columns, false).unwrap();
    let answer = [
        Cell::Text("pos".into()),
        Cell::Number(0.75),
        Cell::Integer(3),
        Cell::Boolean(true),
        Cell::Date("2026-02-28".into()),
        Cell::List(vec!["a, b".into(), "c".into()]),
    ];
    let done = outcome("{\"label\":\"pos\"}", Some(12));
    let row = Row::from_cells(1, ["first"]);
    writer
        .write(
            &row,
            &ResultFields {
                record_id: "R1",
                status: Status::Succeeded,
                outcome: &done,
                answer: &answer,
                attempts: &[],
            },
        )
        .unwrap();
    let short = Outcome { error: "score: expected a number".into(), ..Outcome::default() };
    let row = Row::from_cells(2, ["second"]);
    writer
        .write(
            &row,
            &ResultFields { record_id: "R2", status: Status::Invalid, outcome: &short, answer: &[], attempts: &[] },
        )
        .unwrap();
    writer.finish().unwrap();
    columns
}

#[test]
fn answer_fields_are_columns_between_the_inputs_and_the_results_in_every_format() {
    let dir = tempfile::tempdir().unwrap();
    for name in ["t.csv", "t.xlsx", "t.parquet", "t.jsonl"] {
        let path = dir.path().join(name);
        let columns = write_typed_export(&path);
        let (headers, rows) = read_back(&path);
        assert_eq!(headers, columns.names, "{name}");
        assert_eq!(&headers[..8], ["text", "label", "score", "count", "urgent", "due", "tags", "record_id"]);
        assert_eq!(rows[0][..2], ["first", "pos"], "{name}");
        assert_eq!(rows[1][1..7], ["", "", "", "", "", ""], "{name}: an invalid answer has no field values");
        assert_eq!(rows[1][8], "invalid", "{name}");
    }
    let (_, csv) = read_back(&dir.path().join("t.csv"));
    assert_eq!(csv[0][1..7], ["pos", "0.75", "3", "true", "2026-02-28", r#"["a, b","c"]"#], "CSV holds text");
    let line = std::fs::read_to_string(dir.path().join("t.jsonl")).unwrap();
    let first: serde_json::Value = serde_json::from_str(line.lines().next().unwrap()).unwrap();
    assert_eq!(first["score"], 0.75);
    assert_eq!(first["count"], 3);
    assert_eq!(first["urgent"], true);
    assert_eq!(first["tags"], serde_json::json!(["a, b", "c"]));
}

#[test]
fn parquet_keeps_the_answer_types_and_xlsx_writes_numbers_as_numbers() {
    use polars::prelude::{DataType, ParquetReader, SerReader};
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("t.parquet");
    write_typed_export(&path);
    let frame = ParquetReader::new(std::fs::File::open(&path).unwrap()).finish().unwrap();
    let types: Vec<DataType> = frame.dtypes();
    assert_eq!(
        types[..8],
        [
            DataType::String,
            DataType::String,
            DataType::Float64,
            DataType::Int64,
            DataType::Boolean,
            DataType::Date,
            DataType::List(Box::new(DataType::String)),
            DataType::String
        ]
    );
    assert_eq!(frame.column("score").unwrap().f64().unwrap().get(0), Some(0.75));
    assert_eq!(frame.column("score").unwrap().f64().unwrap().get(1), None, "null where the answer fell short");
    assert_eq!(frame.column("due").unwrap().date().unwrap().phys.get(0), Cell::Date("2026-02-28".into()).epoch_days());
    assert_eq!(frame.column("input_tokens").unwrap().i64().unwrap().get(0), Some(12));

    use calamine::{Data, Reader, Xlsx, open_workbook};
    let path = dir.path().join("t.xlsx");
    write_typed_export(&path);
    let mut book: Xlsx<_> = open_workbook(&path).unwrap();
    let values = book.worksheet_range("Results").unwrap();
    assert_eq!(values.get((1, 2)), Some(&Data::Float(0.75)));
    assert_eq!(values.get((1, 3)), Some(&Data::Float(3.0)));
    assert_eq!(values.get((1, 4)), Some(&Data::Bool(true)));
    assert!(matches!(values.get((1, 5)), Some(Data::DateTime(_))), "{:?}", values.get((1, 5)));
    assert_eq!(values.get((1, 6)), Some(&Data::String(r#"["a, b","c"]"#.into())));
}

#[test]
fn a_cell_reads_back_from_its_text_as_the_same_cell() {
    use crate::answer::FieldKind;
    let cases = [
        (FieldKind::Number, Cell::Number(-1.5)),
        (FieldKind::Integer, Cell::Integer(42)),
        (FieldKind::Boolean, Cell::Boolean(false)),
        (FieldKind::Date, Cell::Date("2024-02-29".into())),
        (FieldKind::TextList, Cell::List(vec!["x\"y".into(), String::new()])),
        (FieldKind::Text, Cell::Text("plain".into())),
        (FieldKind::Json, Cell::Json("{\"a\":1}".into())),
    ];
    for (kind, cell) in cases {
        assert_eq!(Cell::parse(&kind, &cell.text()), cell, "{kind:?}");
    }
    assert_eq!(Cell::parse(&FieldKind::Number, "many"), Cell::Null, "text of another kind is null");
    assert_eq!(Cell::parse(&FieldKind::Date, "2023-02-29"), Cell::Null);
    assert_eq!(Cell::Date("1970-01-02".into()).epoch_days(), Some(1));
}
