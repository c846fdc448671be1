//! The cost check on the fakes: the sample spans the lengths, the ratio scales the estimate, an unusable
//! CountTokens leaves the estimate with the reason, and the output estimate's three cases.

use super::*;
use crate::lifecycle::fakes::{SandboxInvoker, prepared_within};
use crate::ports::FailureKind;
use batch_core::model::{InvocationType, ModelId};
use batch_core::service_tier::Tier;

fn run<F: std::future::Future>(future: F) -> F::Output {
    tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap().block_on(future)
}

fn invoker() -> SandboxInvoker {
    SandboxInvoker::new(&ModelId::parse("amazon.nova-lite-v1:0").unwrap(), InvocationType::Converse, Tier::OnDemand)
}

#[test]
fn counted_tokens_scale_the_estimate_with_a_band() {
    let dir = tempfile::tempdir().unwrap();
    let prepared = prepared_within(dir.path(), "prepared", 120, 1);
    let plan = PreparedPlan::read(&prepared.join(PLAN_FILE)).unwrap();
    let sample = sample_records(&prepared, &plan, 30).unwrap();
    assert_eq!(sample.len(), 30);
    let length = |v: &Value| v.to_string().len();
    assert!(length(&sample[0]) < length(&sample[29]), "from the shortest to the longest");

    // The fake counts a tenth more than the estimate: the measured total is a tenth above it.
    let measure = run(measure_input(&prepared, &invoker(), 30)).unwrap();
    assert_eq!((measure.records, measure.sampled), (120, 30));
    let ratio = measure.ratio.unwrap();
    assert!((1.0..1.2).contains(&ratio), "{ratio}");
    assert_eq!(measure.expected, (measure.estimated as f64 * ratio).round() as u64);
    assert!(measure.low <= measure.expected && measure.expected <= measure.high);
    assert!(measure.unavailable.is_none());

    // Without an estimate of the whole run (the window's is still being computed), the sample's stands for it.
    let unknown = CostBasis { estimated_input: 0, ..CostBasis::of_plan(&plan) };
    let measured = run(measure_sample(&unknown, &sample, &invoker()));
    let per_record = measured.estimated / 120;
    assert!(per_record > 0 && measured.expected > measured.estimated, "{measured:?}");
}

/// CountTokens refused (a model it does not serve, or no permission).
struct Refusing;

impl RecordInvoker for Refusing {
    fn tier(&self) -> Tier {
        Tier::OnDemand
    }
    async fn invoke(&self, _: &Value) -> Result<Value, ServiceError> {
        Err(ServiceError::new(FailureKind::AccessDenied, "Converse", "no"))
    }
    async fn count_tokens(&self, _: &Value) -> Result<u64, ServiceError> {
        Err(ServiceError::new(
            FailureKind::AccessDenied,
            "CountTokens",
            "not authorized to perform bedrock:CountTokens",
        ))
    }
}

#[test]
fn without_count_tokens_the_estimate_stands_and_says_why() {
    let dir = tempfile::tempdir().unwrap();
    let prepared = prepared_within(dir.path(), "prepared", 20, 1);
    let measure = run(measure_input(&prepared, &Refusing, 30)).unwrap();
    assert_eq!((measure.ratio, measure.expected), (None, measure.estimated));
    assert!(measure.unavailable.unwrap().contains("bedrock:CountTokens"));
}

#[test]
fn output_is_estimated_from_a_sample_else_past_runs_else_only_the_worst_case() {
    let dir = tempfile::tempdir().unwrap();
    let prepared = prepared_within(dir.path(), "prepared", 40, 1);
    let sample = run(test_outputs(&prepared, &invoker(), 10)).unwrap();
    assert_eq!((sample.rows, sample.output_tokens.len(), sample.failed), (10, 10, 0));
    let from_sample = output_estimate(1_000, 50, Some(&sample), &[]);
    assert!(from_sample.low.unwrap() <= from_sample.expected.unwrap());
    assert!(from_sample.expected.unwrap() <= from_sample.worst && from_sample.worst == 50_000);
    assert!(from_sample.basis.contains("sample of 10 rows"));

    let past = [PastAnswers { rows: 100, output_tokens: 2_000 }, PastAnswers { rows: 300, output_tokens: 9_000 }];
    let from_past = output_estimate(1_000, 50, None, &past);
    assert_eq!((from_past.low, from_past.expected), (Some(20_000), Some(27_500)));
    assert!(from_past.basis.contains("2 past run(s)"));
    let unknown = output_estimate(1_000, 50, None, &[]);
    assert_eq!((unknown.low, unknown.expected, unknown.worst), (None, None, 50_000));
}
