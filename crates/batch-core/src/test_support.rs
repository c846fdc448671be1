//! Helpers shared by the crate's tests: small sheets and prepared folders.

use std::path::{Path, PathBuf};

use crate::limits::Limits;
use crate::model::ModelId;
use crate::prepare::{PrepareRequest, PreparedPlan, prepare};
use crate::pricing::PriceTable;
use crate::progress::NoProgress;
use crate::records::InferenceParams;
use crate::sheet::SheetOptions;

/// Writes a CSV of `rows` rows with columns id, text (row 3 holds hostile text).
pub fn write_sheet(dir: &Path, rows: usize) -> PathBuf {
    let path = dir.join("sheet.csv");
    let mut text = String::from("id,text\n");
    for i in 1..=rows {
        let cell = if i == 3 { "\"quote \"\" and\nnewline =1+2\"".to_string() } else { format!("review number {i}") };
        text.push_str(&format!("U{i},{cell}\n"));
    }
    std::fs::write(&path, text).unwrap();
    path
}

/// A prepare request for `input` with small limits suitable for tests.
pub fn request(input: &Path, out: &Path, model: &str) -> PrepareRequest {
    PrepareRequest {
        input: input.to_path_buf(),
        sheet: SheetOptions::default(),
        template: "Summarise: {{text}}".into(),
        system: None,
        model: ModelId::parse(model).unwrap(),
        invocation: None,
        params: InferenceParams { max_tokens: 50, ..InferenceParams::default() },
        answer: crate::answer::AnswerShape::FreeText,
        id_column: Some("id".into()),
        limits: Limits {
            min_records_per_job: 5,
            max_records_per_file: 40,
            max_records_per_job: 40,
            ..Limits::default()
        },
        prices: PriceTable::bundled(),
        out_dir: out.to_path_buf(),
    }
}

/// Prepares `rows` rows for `model` under `dir`; returns (sheet, prepared folder, plan).
pub fn prepared(dir: &Path, rows: usize, model: &str) -> (PathBuf, PathBuf, PreparedPlan) {
    prepared_as(dir, rows, model, None)
}

/// Like [`prepared`], with the records written for `invocation` (the model's default when `None`).
pub fn prepared_as(
    dir: &Path,
    rows: usize,
    model: &str,
    invocation: Option<crate::model::InvocationType>,
) -> (PathBuf, PathBuf, PreparedPlan) {
    let input = write_sheet(dir, rows);
    let out = dir.join("prepared");
    let plan = prepare(&PrepareRequest { invocation, ..request(&input, &out, model) }, &NoProgress).unwrap();
    (input, out, plan)
}
