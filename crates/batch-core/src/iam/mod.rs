//! The access check: an IAM policy evaluator (no AWS dependency) and the checks a Bedrock batch job needs —
//! the service role's trust and S3 permissions, and the caller's PassRole, job and S3 permissions — each
//! explained with the deciding statement and a least-privilege fix.

mod checks;
mod condition;
mod document;
mod evaluate;
pub mod fixes;
mod model_access;
mod setup;
mod wildcard;

pub use checks::{
    AccessPolicies, AccessReport, CheckRequest, CheckResult, CheckStatus, Known, Subject, Verdict, run_checks,
};
pub use condition::{Context, Truth};
pub use document::{Condition, Effect, Policy, PolicyError, Principals, Statement};
pub use evaluate::{Decision, Evaluation, Principal, Request, StatementRef, evaluate};
pub use setup::{AccessSetup, EXAMPLE_JOB_ID};
pub use wildcard::{action_matches, arn_matches, glob};

#[cfg(test)]
mod tests;
