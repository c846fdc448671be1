//! The CLI's words for a remedy: the flag or the command that fixes it (the window words the same remedies
//! with its steps and controls).

use batch_app::history::HistoryError;
use batch_app::lifecycle::LifecycleError;
use batch_core::model::{InvocationType, ModelError};
use batch_core::model_lifecycle::LifecycleNotice;
use batch_core::plan::PlanError;
use batch_core::prepare::PrepareError;
use batch_core::records::RecordError;
use batch_core::remedy::{HasRemedy, Remedy, Setting};
use batch_core::results::ResultsError;
use batch_core::sheet::ImportError;

/// `cause` as an error that may know a remedy, when it is an `E`.
fn as_remedied<'a, E: HasRemedy + std::error::Error + 'static>(
    cause: &'a (dyn std::error::Error + 'static),
) -> Option<&'a dyn HasRemedy> {
    cause.downcast_ref::<E>().map(|e| e as &dyn HasRemedy)
}

/// The error types of the layers below that point at remedies.
type Recognise = for<'a> fn(&'a (dyn std::error::Error + 'static)) -> Option<&'a dyn HasRemedy>;
const KNOWN: [Recognise; 9] = [
    as_remedied::<LifecycleError>,
    as_remedied::<PrepareError>,
    as_remedied::<ResultsError>,
    as_remedied::<ImportError>,
    as_remedied::<RecordError>,
    as_remedied::<ModelError>,
    as_remedied::<PlanError>,
    as_remedied::<HistoryError>,
    as_remedied::<LifecycleNotice>,
];

/// The remedy the first error of `error`'s chain that knows one points at.
pub fn remedy_of(error: &anyhow::Error) -> Option<Remedy> {
    error.chain().find_map(|cause| KNOWN.iter().find_map(|recognise| recognise(cause))?.remedy())
}

/// The flag that chooses `setting`.
fn flag(setting: Setting) -> &'static str {
    match setting {
        Setting::Sheet => "--input FILE",
        Setting::Model => "--model ID (or pass --allow-end-of-life)",
        Setting::Worksheet => "--sheet NAME",
        Setting::Delimiter => "--delimiter",
        Setting::IdColumn => "--id-column HEADER",
        Setting::InvocationType => "--invocation-type",
        Setting::RecordsPerJob => "--min-records/--max-records-per-file",
        Setting::JobTimeout => "--timeout-hours (24 to 168)",
        Setting::ConcurrentJobs => "--max-concurrent-jobs (1 or more)",
        Setting::SpendCap => "--max-cost USD",
        Setting::MaxTokens => "--max-tokens",
    }
}

/// The fix `remedy` stands for, in the CLI's words.
pub fn cli_fix(remedy: &Remedy) -> String {
    match remedy {
        Remedy::Change { setting } => format!("set {}", flag(*setting)),
        Remedy::Clear { setting } => format!("remove {}", flag(*setting)),
        Remedy::UseInvocation { invocation: InvocationType::Converse } => "pass --invocation-type converse".into(),
        Remedy::UseInvocation { invocation: InvocationType::InvokeModel } => {
            "pass --invocation-type invoke-model".into()
        }
        Remedy::WaitForRun { run } => format!("`bedrock-batch status {run} --watch` waits for it"),
        Remedy::FetchRun { run } => format!("`bedrock-batch fetch {run} --out DIR` fetches it"),
        Remedy::StopRun { run } => format!("`bedrock-batch stop {run}` stops it"),
        Remedy::RetryOnDemand { run } => {
            format!("`bedrock-batch retry {run} --on-demand` sends them on demand (full price, no minimum)")
        }
        Remedy::SendOnDemand => "pass --on-demand to send the rows with on-demand calls (no minimum; full price, or Flex where the model offers it)".into(),
        Remedy::ContinueOnDemand { run } => {
            format!("`bedrock-batch status {run} --watch` continues it (answered rows are not sent again)")
        }
        Remedy::ListRuns => "`bedrock-batch jobs` lists what is".into(),
        Remedy::PrepareAgain => "run `bedrock-batch prepare` again".into(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_remedy_deep_in_the_chain_is_worded_with_the_flag_that_fixes_it() {
        let few = PrepareError::from(PlanError::TooFewRecords { rows: 60, min: 100 });
        let error = anyhow::Error::from(LifecycleError::Prepare(few)).context("cannot submit");
        let remedy = remedy_of(&error).expect("the plan's remedy is found under the context");
        assert!(cli_fix(&remedy).starts_with("pass --on-demand"), "{}", cli_fix(&remedy));
        let waiting = LifecycleError::Blocked {
            message: "run r1 has not ended".into(),
            remedy: Remedy::WaitForRun { run: "r1".into() },
        };
        assert_eq!(
            remedy_of(&waiting.into()).map(|r| cli_fix(&r)).as_deref(),
            Some("`bedrock-batch status r1 --watch` waits for it")
        );
        assert_eq!(remedy_of(&anyhow::anyhow!("plain")), None);
    }
}
