//! Runs compared over the same rows: per shared field, how often the runs gave the same value, a confusion
//! matrix of labels between the first run and each other, and the rows where they disagree — joined on the
//! row number with polars' lazy API.

use polars::prelude::{
    DataFrame, DataType, IntoColumn, IntoLazy, JoinArgs, JoinType, LazyFrame, NamedFrom, PolarsResult, Series,
    SortMultipleOptions, col, len, lit,
};
use serde::{Deserialize, Serialize};

use super::TypedColumn;
use crate::answer::{AnswerField, Cell, FieldKind};
use crate::results::Status;

/// One run's answers, row by row, to compare with others.
pub struct RunAnswers {
    /// What the run is called in the comparison.
    pub name: String,
    fields: Vec<AnswerField>,
    rows: Vec<u64>,
    columns: Vec<TypedColumn>,
}

impl RunAnswers {
    /// An empty run with these answer fields.
    pub fn new(name: &str, fields: &[AnswerField]) -> Self {
        Self {
            name: name.into(),
            fields: fields.to_vec(),
            rows: Vec::new(),
            columns: fields.iter().map(|f| TypedColumn::for_kind(&f.kind)).collect(),
        }
    }

    /// Adds input row `row` (1-based); only a succeeded row's cells count as answers.
    pub fn push<'c>(&mut self, row: u64, status: Status, cells: impl IntoIterator<Item = &'c Cell>) {
        self.rows.push(row);
        let mut cells = cells.into_iter();
        for column in &mut self.columns {
            let cell = cells.next().filter(|_| status == Status::Succeeded).unwrap_or(&Cell::Null);
            column.push_cell(cell);
        }
    }

    /// The run as a frame: `row`, then each field in `fields` as text (lists sorted, so order does not count),
    /// named `<field>#<run index>`.
    fn frame(mut self, fields: &[String], index: usize) -> PolarsResult<LazyFrame> {
        let mut columns = vec![Series::new("row".into(), std::mem::take(&mut self.rows)).into_column()];
        for name in fields {
            let Some(at) = self.fields.iter().position(|f| &f.name == name) else { continue };
            let mut column = self.columns[at].take(&key(name, index))?;
            if let DataType::List(_) = column.dtype() {
                let sorted: Vec<Option<String>> = column
                    .list()?
                    .into_iter()
                    .map(|items| {
                        let mut texts: Vec<String> =
                            items?.str().ok()?.into_iter().map(|t| t.unwrap_or_default().to_string()).collect();
                        texts.sort();
                        serde_json::to_string(&texts).ok()
                    })
                    .collect();
                column = Series::new(key(name, index).into(), sorted).into_column();
            }
            columns.push(column.cast(&DataType::String)?);
        }
        Ok(DataFrame::new_infer_height(columns)?.lazy())
    }
}

fn key(field: &str, run: usize) -> String {
    format!("{field}#{run}")
}

/// One cell of a confusion matrix: rows the first run labelled `first` and the other run `other`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct ConfusionCell {
    /// The first run's label.
    pub first: String,
    /// The other run's label.
    pub other: String,
    /// Rows.
    #[cfg_attr(feature = "ts", ts(type = "number"))]
    pub rows: u64,
}

/// How two runs' labels line up.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct Confusion {
    /// The run compared with the first.
    pub other_run: String,
    /// Every pair of labels given, most rows first.
    pub cells: Vec<ConfusionCell>,
}

/// One field compared across the runs.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct FieldAgreement {
    /// The field.
    pub name: String,
    /// Rows every run answered with a value for this field.
    #[cfg_attr(feature = "ts", ts(type = "number"))]
    pub compared: u64,
    /// Of those, rows where every run gave the same value.
    #[cfg_attr(feature = "ts", ts(type = "number"))]
    pub agreed: u64,
    /// `agreed / compared` (none when nothing was compared).
    pub agreement: Option<f64>,
    /// For a label field: the first run against each other run.
    pub confusion: Vec<Confusion>,
}

/// A row where the runs disagree (or where some answered and others did not).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct Disagreement {
    /// The 1-based input row.
    #[cfg_attr(feature = "ts", ts(type = "number"))]
    pub row: u64,
    /// Per field, per run, the value (empty when none).
    pub values: Vec<Vec<String>>,
}

/// Runs compared.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct Comparison {
    /// The runs, in the order given.
    pub runs: Vec<String>,
    /// Rows all runs have.
    #[cfg_attr(feature = "ts", ts(type = "number"))]
    pub rows: u64,
    /// The fields every run has, in the first run's order.
    pub fields: Vec<FieldAgreement>,
    /// Rows where a field's values differ, in row order.
    pub disagreements: Vec<Disagreement>,
}

/// Compares runs over the rows they share, field by field (the fields all of them have).
pub fn compare(runs: Vec<RunAnswers>) -> PolarsResult<Comparison> {
    let names: Vec<String> = runs.iter().map(|r| r.name.clone()).collect();
    let fields: Vec<AnswerField> = runs
        .first()
        .map(|first| {
            first.fields.iter().filter(|f| runs.iter().all(|r| r.fields.iter().any(|g| g.name == f.name))).cloned()
        })
        .into_iter()
        .flatten()
        .collect();
    let field_names: Vec<String> = fields.iter().map(|f| f.name.clone()).collect();
    let mut joined: Option<LazyFrame> = None;
    for (index, run) in runs.into_iter().enumerate() {
        let frame = run.frame(&field_names, index)?;
        joined = Some(match joined {
            None => frame,
            Some(left) => left.join(frame, [col("row")], [col("row")], JoinArgs::new(JoinType::Inner)),
        });
    }
    let Some(joined) = joined else {
        return Ok(Comparison { runs: names, rows: 0, fields: Vec::new(), disagreements: Vec::new() });
    };
    let joined = joined.sort(["row"], SortMultipleOptions::default()).collect()?;
    let runs = names.len();
    let mut agreements = Vec::with_capacity(fields.len());
    let mut differs = vec![false; joined.height()];
    for field in &fields {
        let keys: Vec<String> = (0..runs).map(|i| key(&field.name, i)).collect();
        let all_answered = keys.iter().map(|k| col(k).is_not_null()).reduce(|a, b| a.and(b)).unwrap_or(lit(false));
        let all_same =
            keys.iter().skip(1).map(|k| col(k).eq(col(&keys[0]))).reduce(|a, b| a.and(b)).unwrap_or(lit(true));
        let any_answered = keys.iter().map(|k| col(k).is_not_null()).reduce(|a, b| a.or(b)).unwrap_or(lit(false));
        let flags = joined
            .clone()
            .lazy()
            .select([
                all_answered.clone().alias("compared"),
                all_answered.clone().and(all_same.clone()).alias("agreed"),
                any_answered.and(all_answered.and(all_same).not()).alias("differs"),
            ])
            .collect()?;
        let count = |name: &str| -> PolarsResult<u64> { Ok(flags.column(name)?.bool()?.sum().unwrap_or(0) as u64) };
        let (compared, agreed) = (count("compared")?, count("agreed")?);
        for (slot, flag) in differs.iter_mut().zip(flags.column("differs")?.bool()?.iter()) {
            *slot |= flag.unwrap_or(false);
        }
        let confusion = if matches!(field.kind, FieldKind::OneOf(_) | FieldKind::Boolean) {
            (1..runs)
                .map(|other| confusion(&joined, &keys[0], &keys[other], &names[other]))
                .collect::<PolarsResult<_>>()?
        } else {
            Vec::new()
        };
        let agreement = (compared > 0).then(|| agreed as f64 / compared as f64);
        agreements.push(FieldAgreement { name: field.name.clone(), compared, agreed, agreement, confusion });
    }
    let row_numbers = joined.column("row")?.u64()?;
    let texts: Vec<polars::prelude::StringChunked> = fields
        .iter()
        .flat_map(|f| (0..runs).map(move |i| key(&f.name, i)))
        .map(|k| Ok(joined.column(&k)?.str()?.clone()))
        .collect::<PolarsResult<_>>()?;
    let disagreements = differs
        .iter()
        .enumerate()
        .filter(|(_, d)| **d)
        .map(|(at, _)| Disagreement {
            row: row_numbers.get(at).unwrap_or(0),
            values: (0..fields.len())
                .map(|f| (0..runs).map(|r| texts[f * runs + r].get(at).unwrap_or_default().to_string()).collect())
                .collect(),
        })
        .collect();
    Ok(Comparison { runs: names, rows: joined.height() as u64, fields: agreements, disagreements })
}

/// The label pairs of two runs' columns, most rows first.
fn confusion(joined: &DataFrame, first: &str, other: &str, other_run: &str) -> PolarsResult<Confusion> {
    let pairs = joined
        .clone()
        .lazy()
        .select([col(first).alias("first"), col(other).alias("other")])
        .drop_nulls(None)
        .group_by([col("first"), col("other")])
        .agg([len().cast(DataType::UInt64).alias("rows")])
        .sort(
            ["rows", "first", "other"],
            SortMultipleOptions::default().with_order_descending_multi([true, false, false]),
        )
        .collect()?;
    let (a, b, rows) = (pairs.column("first")?.str()?, pairs.column("other")?.str()?, pairs.column("rows")?.u64()?);
    let cells = a
        .iter()
        .zip(b.iter())
        .zip(rows.iter())
        .map(|((a, b), rows)| ConfusionCell {
            first: a.unwrap_or_default().to_string(),
            other: b.unwrap_or_default().to_string(),
            rows: rows.unwrap_or(0),
        })
        .collect();
    Ok(Confusion { other_run: other_run.into(), cells })
}

/// Writes the rows where the runs disagree to a CSV file: `row`, then per field each run's value
/// (`label (run)`); returns the rows written. Written beside the target and moved into place when complete.
pub fn write_disagreements(path: &std::path::Path, comparison: &Comparison) -> Result<u64, crate::export::ExportError> {
    use crate::export::{ExportError, ExportFormat};
    if ExportFormat::from_path(path).ok() != Some(ExportFormat::Csv) {
        let detail = "the rows where runs disagree are written as CSV; end the file name with .csv".into();
        return Err(ExportError::DoesNotFit { path: path.to_path_buf(), detail });
    }
    let temp = crate::export::TempTarget::new(path);
    let written: Result<(), csv::Error> = (|| {
        let mut out = csv::Writer::from_path(temp.path())?;
        let mut header = vec!["row".to_string()];
        for field in &comparison.fields {
            header.extend(comparison.runs.iter().map(|run| format!("{} ({run})", field.name)));
        }
        out.write_record(&header)?;
        for row in &comparison.disagreements {
            let mut cells = vec![row.row.to_string()];
            cells.extend(row.values.iter().flatten().cloned());
            out.write_record(&cells)?;
        }
        out.flush()?;
        Ok(())
    })();
    written.map_err(|e| temp.error(e))?;
    temp.persist()?;
    Ok(comparison.disagreements.len() as u64)
}
