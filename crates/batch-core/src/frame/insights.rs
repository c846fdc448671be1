//! What a run's answers say, field by field: how often each label was given, the spread of numbers (min,
//! quartiles, max, a histogram), and the most frequent values of text, lists and dates — computed with polars'
//! lazy API over the typed columns of the answers that were valid.

use polars::prelude::{
    DataFrame, DataType, ExplodeOptions, IntoLazy, LazyFrame, PolarsResult, QuantileMethod, SortMultipleOptions, col,
    len, lit, when,
};
use serde::{Deserialize, Serialize};

use super::TypedColumn;
use crate::answer::{AnswerField, Cell, FieldKind};

/// Bars of a numeric field's histogram.
pub const HISTOGRAM_BINS: usize = 10;
/// Values listed for a text field.
pub const TOP_VALUES: usize = 5;

/// One value and the rows that gave it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct ValueCount {
    /// The value, as text.
    pub value: String,
    /// Rows (for a list field: answers whose list holds it).
    #[cfg_attr(feature = "ts", ts(type = "number"))]
    pub rows: u64,
}

/// One bar of a histogram: values from `from` up to `to` (the last bar includes `to`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct HistogramBin {
    /// Its lowest value.
    pub from: f64,
    /// Its highest value.
    pub to: f64,
    /// Rows in it.
    #[cfg_attr(feature = "ts", ts(type = "number"))]
    pub rows: u64,
}

/// What a field's values look like.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "summary", rename_all = "snake_case")]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub enum FieldSummary {
    /// A field with a fixed set of values (labels, true/false): every value with its rows, listed ones first
    /// in their order (zero included), then any other.
    Labels {
        /// The values.
        counts: Vec<ValueCount>,
    },
    /// Numbers: their spread.
    Numbers {
        /// Smallest.
        min: f64,
        /// First quartile.
        q1: f64,
        /// Median.
        median: f64,
        /// Third quartile.
        q3: f64,
        /// Largest.
        max: f64,
        /// Mean.
        mean: f64,
        /// Equal-width bars from min to max.
        histogram: Vec<HistogramBin>,
    },
    /// Text, lists, dates: how many distinct values, and the most frequent.
    TopValues {
        /// Distinct values.
        #[cfg_attr(feature = "ts", ts(type = "number"))]
        distinct: u64,
        /// The most frequent, most first.
        top: Vec<ValueCount>,
    },
}

/// One field's insight.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct FieldInsight {
    /// The field's name.
    pub name: String,
    /// Rows with a value (valid answers whose field is not null).
    #[cfg_attr(feature = "ts", ts(type = "number"))]
    pub values: u64,
    /// The summary (none when no row has a value).
    pub summary: Option<FieldSummary>,
}

/// Collects the answers' typed cells row by row, then summarises each field.
pub struct InsightsBuilder {
    fields: Vec<AnswerField>,
    columns: Vec<TypedColumn>,
}

impl InsightsBuilder {
    /// A builder for these fields.
    pub fn new(fields: &[AnswerField]) -> Self {
        Self { fields: fields.to_vec(), columns: fields.iter().map(|f| TypedColumn::for_kind(&f.kind)).collect() }
    }

    /// Adds one row's cells (nulls for an answer that was not valid).
    pub fn push<'c>(&mut self, cells: impl IntoIterator<Item = &'c Cell>) {
        let mut cells = cells.into_iter();
        for column in &mut self.columns {
            column.push_cell(cells.next().unwrap_or(&Cell::Null));
        }
    }

    /// Each field's insight, in the fields' order.
    pub fn finish(mut self) -> PolarsResult<Vec<FieldInsight>> {
        let names: Vec<String> = (0..self.fields.len()).map(|i| format!("f{i}")).collect();
        let columns = self.columns.iter_mut().zip(&names).map(|(c, name)| c.take(name));
        let frame = DataFrame::new_infer_height(columns.collect::<PolarsResult<_>>()?)?;
        self.fields.iter().zip(&names).map(|(field, name)| field_insight(&frame, field, name)).collect()
    }
}

/// The insight of one field, whose column in `frame` is `name`.
fn field_insight(frame: &DataFrame, field: &AnswerField, name: &str) -> PolarsResult<FieldInsight> {
    let values = frame.column(name)?;
    let values = (values.len() - values.null_count()) as u64;
    let lazy = frame.clone().lazy().select([col(name)]).drop_nulls(None);
    let summary = if values == 0 {
        None
    } else {
        Some(match &field.kind {
            FieldKind::OneOf(listed) => labels(counts(lazy, name)?, listed),
            FieldKind::SomeOf(listed) => labels(counts(exploded(lazy, name), name)?, listed),
            FieldKind::Boolean => labels(counts(lazy, name)?, &["true".into(), "false".into()]),
            FieldKind::Number | FieldKind::Integer => numbers(lazy, name)?,
            FieldKind::TextList => top_values(counts(exploded(lazy, name), name)?),
            FieldKind::Text | FieldKind::Date | FieldKind::Json => top_values(counts(lazy, name)?),
        })
    };
    Ok(FieldInsight { name: field.name.clone(), values, summary })
}

/// A list column with one row per item.
fn exploded(lazy: LazyFrame, name: &str) -> LazyFrame {
    lazy.select([col(name).explode(ExplodeOptions { empty_as_null: false, keep_nulls: false })]).drop_nulls(None)
}

/// Every value of column `name` (as text) with its rows, most first, then by value.
fn counts(lazy: LazyFrame, name: &str) -> PolarsResult<Vec<ValueCount>> {
    let grouped = lazy
        .select([col(name).cast(DataType::String).alias("value")])
        .group_by([col("value")])
        .agg([len().cast(DataType::UInt64).alias("rows")])
        .sort(["rows", "value"], SortMultipleOptions::default().with_order_descending_multi([true, false]))
        .collect()?;
    let values = grouped.column("value")?.str()?;
    let rows = grouped.column("rows")?.u64()?;
    Ok(values
        .iter()
        .zip(rows.iter())
        .map(|(value, rows)| ValueCount { value: value.unwrap_or_default().to_string(), rows: rows.unwrap_or(0) })
        .collect())
}

/// Counts of a fixed set of values: the listed ones in their order (zero when never given), then others.
fn labels(mut counts: Vec<ValueCount>, listed: &[String]) -> FieldSummary {
    let mut ordered: Vec<ValueCount> = listed
        .iter()
        .map(|label| {
            let rows = counts.iter().find(|c| &c.value == label).map_or(0, |c| c.rows);
            ValueCount { value: label.clone(), rows }
        })
        .collect();
    counts.retain(|c| !listed.contains(&c.value));
    ordered.extend(counts);
    FieldSummary::Labels { counts: ordered }
}

/// The distinct count and the most frequent values.
fn top_values(counts: Vec<ValueCount>) -> FieldSummary {
    FieldSummary::TopValues { distinct: counts.len() as u64, top: counts.into_iter().take(TOP_VALUES).collect() }
}

/// Min, quartiles, max, mean and an equal-width histogram of a numeric column.
fn numbers(lazy: LazyFrame, name: &str) -> PolarsResult<FieldSummary> {
    let x = || col(name).cast(DataType::Float64);
    let quantile = |q: f64| x().quantile(lit(q), QuantileMethod::Linear);
    let stats = lazy
        .clone()
        .select([
            x().min().alias("min"),
            quantile(0.25).alias("q1"),
            quantile(0.5).alias("median"),
            quantile(0.75).alias("q3"),
            x().max().alias("max"),
            x().mean().alias("mean"),
        ])
        .collect()?;
    let stat = |key: &str| -> PolarsResult<f64> {
        Ok(stats.column(key)?.cast(&DataType::Float64)?.f64()?.get(0).unwrap_or(f64::NAN))
    };
    let (min, max) = (stat("min")?, stat("max")?);
    let bins = if max > min { HISTOGRAM_BINS } else { 1 };
    let width = if max > min { (max - min) / bins as f64 } else { 1.0 };
    let last = lit(bins as i64 - 1);
    let binned = lazy
        .select([((x() - lit(min)) / lit(width)).cast(DataType::Int64).alias("bin")])
        .select([when(col("bin").gt(last.clone())).then(last).otherwise(col("bin")).alias("bin")])
        .group_by([col("bin")])
        .agg([len().cast(DataType::UInt64).alias("rows")])
        .collect()?;
    let mut histogram: Vec<HistogramBin> = (0..bins)
        .map(|i| HistogramBin { from: min + width * i as f64, to: min + width * (i + 1) as f64, rows: 0 })
        .collect();
    if let Some(last) = histogram.last_mut() {
        last.to = max;
    }
    let (bin, rows) = (binned.column("bin")?.i64()?, binned.column("rows")?.u64()?);
    for (bin, rows) in bin.iter().zip(rows.iter()) {
        if let (Some(bin), Some(rows)) = (bin, rows)
            && let Some(slot) = usize::try_from(bin).ok().and_then(|b| histogram.get_mut(b))
        {
            slot.rows = rows;
        }
    }
    Ok(FieldSummary::Numbers {
        min,
        q1: stat("q1")?,
        median: stat("median")?,
        q3: stat("q3")?,
        max,
        mean: stat("mean")?,
        histogram,
    })
}
