//! Typed answer columns as polars frames: the values a run's answers hold, per field and with their types,
//! summarised ([`insights`]: label distributions, numeric summaries, top values) and compared between runs
//! ([`compare`]). The Parquet export writes the same typed columns.

mod column;
pub mod compare;
pub mod insights;
#[cfg(test)]
mod tests;

pub(crate) use column::TypedColumn;
