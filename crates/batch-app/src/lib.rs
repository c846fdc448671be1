//! Bedrock Batch Studio's application layer: the use cases that the CLI, the desktop app and the tests drive
//! (prepare, submit, track, fetch, retry), and the job history they share.

pub mod cost_check;
pub mod error;
pub mod fetched_rows;
pub mod history;
pub mod latest_only;
pub mod lifecycle;
pub mod model_runs;
pub mod on_demand;
pub mod places;
pub mod ports;
pub mod profile_routes;
pub mod prompt_totals;
pub mod results_table;
pub mod row_selection;
pub mod run_comparison;
pub mod session;
pub mod settings;
pub mod sheet_opening;
pub mod sheet_pages;
pub mod start_run;
pub mod window_files;
