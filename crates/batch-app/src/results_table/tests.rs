use super::*;

/// A joined export of `rows` rows: every third failed, every fifth missing, the rest succeeded.
fn export(dir: &Path, rows: u64) -> PathBuf {
    let path = dir.join("results.csv");
    let mut text = String::from("id,note,record_id,status,output,error,input_tokens,output_tokens,stop_reason,tier\n");
    for i in 1..=rows {
        let (status, output, error, tokens) = if i % 5 == 0 {
            ("missing", String::new(), "", String::new())
        } else if i % 3 == 0 {
            ("failed", String::new(), "ValidationException: too long", String::new())
        } else {
            ("succeeded", format!("answer {i}"), "", (10 + i % 40).to_string())
        };
        let note = if i == 7 { "50% off, \"quoted\"" } else { "plain" };
        text.push_str(&format!(
            "{i},\"{}\",RID{i:011},{status},{output},{error},12,{tokens},{},{}\n",
            note.replace('"', "\"\""),
            if tokens.is_empty() { "" } else { "end_turn" },
            match status {
                "missing" => "",
                _ if i % 4 == 0 => "flex",
                _ => "batch",
            }
        ));
    }
    std::fs::write(&path, text).unwrap();
    path
}

#[test]
fn pages_follow_input_order_and_filters() {
    let dir = tempfile::tempdir().unwrap();
    let table = ResultsTable::build(&export(dir.path(), 1000), &dir.path().join("results.db")).unwrap();
    assert_eq!(table.columns().len(), 10);

    let page = table.page(&RowFilter::default(), 990, 50).unwrap();
    assert_eq!(page.matching, 1000);
    let numbers: Vec<u64> = page.rows.iter().map(|r| r.0).collect();
    assert_eq!(numbers, (991..=1000).collect::<Vec<_>>(), "the last page is short and in order");
    assert_eq!(page.rows[0].1[4], "answer 991");

    let failed = RowFilter { status: Some(Status::Failed), search: None, field: None };
    let page = table.page(&failed, 2, 3).unwrap();
    assert_eq!(page.matching, 267, "multiples of 3 that are not multiples of 5");
    assert_eq!(page.rows.iter().map(|r| r.0).collect::<Vec<_>>(), [9, 12, 18]);

    let counts = table.counts().unwrap();
    assert_eq!((counts.succeeded, counts.failed, counts.missing), (533, 267, 200));
}

#[test]
fn search_is_literal_and_ignores_ascii_case() {
    let dir = tempfile::tempdir().unwrap();
    let table = ResultsTable::build(&export(dir.path(), 30), &dir.path().join("results.db")).unwrap();
    let find = |text: &str| {
        let page = table.page(&RowFilter { status: None, search: Some(text.into()), field: None }, 0, 100).unwrap();
        page.rows.iter().map(|r| r.0).collect::<Vec<_>>()
    };
    assert_eq!(find("50%"), [7], "% is literal");
    assert_eq!(find("ANSWER 2"), [2, 22, 23, 26, 28, 29], "answers 2 and 2x that succeeded");
    assert!(find("no such text").is_empty());
    let with_status =
        table.page(&RowFilter { status: Some(Status::Failed), search: Some("validation".into()), field: None }, 0, 100);
    assert_eq!(with_status.unwrap().matching, 8);
}

#[test]
fn a_row_a_histogram_and_a_rebuild() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("results.db");
    let table = ResultsTable::build(&export(dir.path(), 100), &db).unwrap();
    let row = table.row(7).unwrap().unwrap();
    assert_eq!(row[1], "50% off, \"quoted\"");
    assert_eq!(table.row(101).unwrap(), None);

    // 100 rows: 20 multiples of 5 missing, 27 other multiples of 3 failed, 53 succeeded.
    let counts = table.counts().unwrap();
    assert_eq!((counts.succeeded, counts.failed, counts.missing), (53, 27, 20));
    let bins = table.bin_output_tokens(4).unwrap();
    let total: u64 = bins.iter().map(|b| b.rows).sum();
    assert_eq!(total, 53, "every row with tokens is in one bin");
    assert_eq!(bins.first().unwrap().from, 11);
    assert!(bins.last().unwrap().to >= 49);
    let kept = table.output_token_bins().unwrap();
    assert_eq!(kept, table.bin_output_tokens(TOKEN_BINS).unwrap(), "the bins kept at build time are the computed ones");
    assert_eq!(table.counts().unwrap(), table.count_statuses().unwrap(), "the kept counts are the counted ones");
    drop(table);

    // Building again (a retry was merged) replaces the table.
    let again = ResultsTable::build(&export(dir.path(), 40), &db).unwrap();
    assert_eq!(again.page(&RowFilter::default(), 0, 10).unwrap().matching, 40);
    assert_eq!(ResultsTable::open(&db).unwrap().counts().unwrap().missing, 8);
}

#[test]
fn a_file_that_is_not_a_joined_export_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("sheet.csv");
    std::fs::write(&path, "a,b\n1,2\n").unwrap();
    let error = ResultsTable::build(&path, &dir.path().join("r.db")).err().unwrap();
    assert!(error.to_string().contains("not a joined results file"), "{error}");
    let missing = ResultsTable::open(&dir.path().join("none.db")).err().unwrap();
    assert!(missing.to_string().contains("fetch the run first"), "{missing}");
    // A table an earlier version built (without the tier column) is refused, so it is rebuilt by a fetch.
    let old = dir.path().join("old.db");
    let db = rusqlite::Connection::open(&old).unwrap();
    db.execute_batch("CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);").unwrap();
    let columns = r#"["id","record_id","status","output","error","input_tokens","output_tokens","stop_reason"]"#;
    db.execute("INSERT INTO meta (key, value) VALUES ('columns', ?1)", [columns]).unwrap();
    drop(db);
    let outdated = ResultsTable::open(&old).err().unwrap();
    assert!(outdated.to_string().contains("fetch the run again"), "{outdated}");
}

#[test]
fn exports_are_written_from_the_index_with_every_row_and_cell_the_join_gave() {
    let dir = tempfile::tempdir().unwrap();
    let source = export(dir.path(), 300);
    let table = ResultsTable::build(&source, &dir.path().join("results.db")).unwrap();
    let again = dir.path().join("again.csv");
    let written = table.export(&again, false).unwrap();
    assert_eq!(written, Exported { rows: 300, format: batch_core::export::ExportFormat::Csv });
    let records = |path: &Path| -> Vec<csv::StringRecord> {
        csv::Reader::from_path(path).unwrap().records().map(Result::unwrap).collect()
    };
    let (before, after) = (records(&source), records(&again));
    assert_eq!(after.len(), 300);
    assert_eq!(before, after, "every cell as the join wrote it, in input order");
    let headers = |path: &Path| csv::Reader::from_path(path).unwrap().headers().unwrap().clone();
    assert_eq!(headers(&source), headers(&again));

    let parquet = table.export(&dir.path().join("again.parquet"), false).unwrap();
    assert_eq!(parquet.rows, 300);
    let unknown = table.export(&dir.path().join("again.txt"), false).unwrap_err();
    assert!(unknown.to_string().contains("unknown export format"), "{unknown}");
}

#[test]
fn rows_are_filtered_by_an_answer_field_s_value_and_a_list_field_by_what_it_holds() {
    use batch_core::answer::{AnswerField, Cell, FieldKind};
    use batch_core::export::{ResultFields, RowWriter, result_columns};
    let dir = tempfile::tempdir().unwrap();
    let field = |name: &str, kind| AnswerField {
        name: name.into(),
        kind,
        description: String::new(),
        required: true,
        nullable: false,
    };
    let fields = vec![
        field("label", FieldKind::OneOf(vec!["bug".into(), "question".into()])),
        field("tags", FieldKind::TextList),
        field("urgent", FieldKind::Boolean),
    ];
    let columns = result_columns(&["text".to_string()], &fields);
    let path = dir.path().join("typed.db");
    let mut writer = Box::new(writer::TableWriter::create(&path, &columns).unwrap());
    for i in 1..=30u64 {
        let label = if i % 3 == 0 { "bug" } else { "question" };
        let tags = if i % 2 == 0 { vec!["ui".to_string(), "bug".into()] } else { vec!["api".to_string()] };
        let answer = [Cell::Text(label.into()), Cell::List(tags), Cell::Boolean(i % 5 == 0)];
        let outcome = batch_core::results::Outcome::default();
        let result = ResultFields {
            record_id: &format!("R{i}"),
            status: Status::Succeeded,
            outcome: &outcome,
            answer: &answer,
            attempts: &[],
        };
        writer.write(&Row::from_cells(i, [format!("ticket {i}")]), &result).unwrap();
    }
    writer.finish().unwrap();
    let table = ResultsTable::open(&path).unwrap();
    let count = |name: &str, value: &str| {
        let filter =
            RowFilter { field: Some(FieldValue { name: name.into(), value: value.into() }), ..RowFilter::default() };
        table.page(&filter, 0, 100).unwrap()
    };
    let bugs = count("label", "bug");
    assert_eq!(bugs.matching, 10);
    assert!(bugs.rows.iter().all(|(n, _)| n % 3 == 0));
    // A list field matches the rows whose list holds the value — not a label that merely contains its text.
    assert_eq!(count("tags", "bug").matching, 15);
    assert_eq!(count("tags", "bu").matching, 0);
    assert_eq!(count("urgent", "true").matching, 6);
    // With the other conditions: both must hold.
    let both = RowFilter {
        status: Some(Status::Succeeded),
        search: Some("ticket 1".into()),
        field: Some(FieldValue { name: "label".into(), value: "bug".into() }),
    };
    let rows: Vec<u64> = table.page(&both, 0, 100).unwrap().rows.into_iter().map(|(n, _)| n).collect();
    assert_eq!(rows, [12, 15, 18]);
    let unknown =
        RowFilter { field: Some(FieldValue { name: "mood".into(), value: "x".into() }), ..RowFilter::default() };
    let error = table.page(&unknown, 0, 10).unwrap_err();
    assert!(error.to_string().contains("no field \"mood\" (its fields: label, tags, urgent)"), "{error}");
}
