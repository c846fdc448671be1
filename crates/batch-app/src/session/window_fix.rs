//! The window's words for a remedy: the step and the control that fix it (the CLI words the same remedies
//! with its flags and commands).

use batch_core::model::InvocationType;
use batch_core::remedy::{Remedy, Setting};

/// Where in the window `setting` is chosen.
fn control(setting: Setting) -> &'static str {
    match setting {
        Setting::Sheet => "the sheet (Data step)",
        Setting::Model => "the model (Model step)",
        Setting::Worksheet => "the worksheet (Data step)",
        Setting::Delimiter => "the file's delimiter: save it as comma-separated CSV and open it again (Data step)",
        Setting::IdColumn => "the record-id column",
        Setting::InvocationType => "Invocation (Model step)",
        Setting::RecordsPerJob => "Rows to send (Data step)",
        Setting::JobTimeout => "Timeout (hours, 24–168) in the Submit step",
        Setting::ConcurrentJobs => "the concurrent jobs of a run",
        Setting::SpendCap => "Spend cap (Submit step)",
        Setting::MaxTokens => "Max tokens (Model step)",
    }
}

/// The fix `remedy` stands for, in the window's words.
pub(super) fn window_fix(remedy: &Remedy) -> String {
    match remedy {
        Remedy::Change { setting: Setting::Delimiter } => control(Setting::Delimiter).to_string(),
        Remedy::Change { setting } => format!("change {}", control(*setting)),
        Remedy::Clear { setting } => format!("leave {} empty: it does not apply to this file", control(*setting)),
        Remedy::UseInvocation { invocation: InvocationType::Converse } => {
            "choose Invocation: Converse in the Model step".to_string()
        }
        Remedy::UseInvocation { invocation: InvocationType::InvokeModel } => {
            "choose Invocation: InvokeModel in the Model step".to_string()
        }
        Remedy::WaitForRun { run } => format!("wait in the Jobs step until run {run} has ended"),
        Remedy::FetchRun { run } => format!("fetch the results of run {run} in the Jobs step first"),
        Remedy::StopRun { run } => format!("stop run {run} in the Jobs step, then submit again"),
        Remedy::RetryOnDemand { run } => {
            format!("choose \"Retry on demand\" in the Results step of run {run}")
        }
        Remedy::SendOnDemand => "choose \"On demand\" under How to send in the Submit step".to_string(),
        Remedy::ContinueOnDemand { run } => format!("continue run {run} in the Jobs step"),
        Remedy::ListRuns => "the Jobs step lists the runs this app knows".to_string(),
        Remedy::PrepareAgain => "submit again from the Submit step, which prepares the sheet anew".to_string(),
    }
}
