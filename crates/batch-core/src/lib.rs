//! Domain core of Bedrock Batch Studio: everything between a spreadsheet and a joined, exported result
//! that needs neither AWS nor a window.
//!
//! The flow: [`sheet`] streams rows → [`template`] renders prompts → [`records`] builds Bedrock JSONL lines →
//! [`plan`] splits them into job parts within [`limits`] and prices them ([`pricing`]) → [`prepare`] writes the
//! parts; later [`results`] reads `*.jsonl.out` files, joins them to rows by `recordId` and [`export`] writes
//! CSV, XLSX, Parquet or JSON Lines.

pub mod answer;
pub mod aws_names;
pub mod batch_backlog;
pub mod clock;
pub mod deadline;
pub mod export;
pub mod file_names;
pub mod frame;
pub mod iam;
pub mod json_escape;
pub mod limits;
pub mod model;
pub mod model_catalogue;
pub mod model_facts;
pub mod model_lifecycle;
pub mod parallel;
pub mod plan;
pub mod prepare;
pub mod pricing;
pub mod progress;
pub mod record_id;
pub mod record_keys;
pub mod records;
pub mod remedy;
pub mod results;
mod sandbox_answer;
pub mod sandbox_model;
pub mod service_tier;
pub mod sheet;
mod string_newtype;
pub mod template;
pub mod tokens;

#[cfg(test)]
pub(crate) mod test_support;
