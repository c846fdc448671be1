//! The access checks of a batch job, each with a fixed id, a status (pass, fail, warn, unknown), a
//! plain-language summary, the deciding statements, and the fix.

use serde::Serialize;

use super::condition::Context;
use super::document::{Effect, Policy, Principals};
use super::evaluate::{Decision, Principal, Request, evaluate};
use super::fixes;
use super::setup::AccessSetup;
use super::wildcard::action_matches;

/// Policies, or why they are not known (not given offline, or not readable live).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Known<T> {
    /// Read.
    Yes(T),
    /// Not known; the reason.
    No(String),
}

/// Everything the checks evaluate.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AccessPolicies {
    /// The role's trust policy.
    pub trust: Known<Policy>,
    /// The role's permission policies (inline and attached).
    pub role: Known<Vec<Policy>>,
    /// The caller's ARN (user or role), if known.
    pub caller_arn: Option<String>,
    /// The caller's policies (its own, its groups').
    pub caller: Known<Vec<Policy>>,
}

/// A check's outcome.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub enum CheckStatus {
    /// Fine.
    Pass,
    /// Will not work as is.
    Fail,
    /// Works, but worth changing.
    Warn,
    /// Cannot be decided from what is known.
    Unknown,
}

/// One check's result.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct CheckResult {
    /// The fixed id, e.g. `caller.pass_role`.
    pub id: String,
    /// Its status.
    pub status: CheckStatus,
    /// One plain sentence.
    pub summary: String,
    /// Why: the deciding statements, or what could not be decided.
    pub detail: String,
    /// What to change (a policy to copy), when something should change.
    pub fix: Option<String>,
    /// AWS's own answer (IAM policy simulator), when it was asked.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "ts", ts(optional))]
    pub aws_simulator: Option<String>,
    /// The requests the check evaluated, so the same can be put to AWS's policy simulator.
    #[serde(skip)]
    pub requests: Vec<CheckRequest>,
}

impl CheckResult {
    /// A result with no simulator answer and no recorded requests (checks made outside this module).
    pub fn new(
        id: &str,
        status: CheckStatus,
        summary: impl Into<String>,
        detail: impl Into<String>,
        fix: Option<String>,
    ) -> Self {
        result(id, status, summary, detail, fix)
    }
}

/// Whose permissions a check is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Subject {
    /// The service role.
    Role,
    /// The caller.
    Caller,
}

/// One request a check evaluated.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CheckRequest {
    /// Whose policies.
    pub subject: Subject,
    /// The action.
    pub action: String,
    /// The resource ARN.
    pub resource: String,
    /// The context the check supplied.
    pub context: Vec<(String, Vec<String>)>,
}

/// The overall verdict.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub enum Verdict {
    /// Every check passes.
    Pass,
    /// Nothing fails, but something warns or is unknown.
    Warn,
    /// Something fails.
    Fail,
}

/// Every check's result and the verdict.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct AccessReport {
    /// The verdict.
    pub verdict: Verdict,
    /// The checks, in a fixed order.
    pub checks: Vec<CheckResult>,
}

impl AccessReport {
    /// A report of these results.
    pub fn new(checks: Vec<CheckResult>) -> Self {
        let verdict = if checks.iter().any(|c| c.status == CheckStatus::Fail) {
            Verdict::Fail
        } else if checks.iter().all(|c| c.status == CheckStatus::Pass) {
            Verdict::Pass
        } else {
            Verdict::Warn
        };
        Self { verdict, checks }
    }
}

pub(super) fn result(
    id: &str,
    status: CheckStatus,
    summary: impl Into<String>,
    detail: impl Into<String>,
    fix: Option<String>,
) -> CheckResult {
    CheckResult {
        id: id.into(),
        status,
        summary: summary.into(),
        detail: detail.into(),
        fix,
        aws_simulator: None,
        requests: Vec::new(),
    }
}

/// One permission question: may `who` do each `(action, resource)` under `policies`?
pub(super) struct Question<'a> {
    pub(super) id: &'a str,
    pub(super) who: Subject,
    /// "the service role can read the input files" (summaries).
    pub(super) can: &'a str,
    /// "the service role cannot read the input files".
    pub(super) cannot: &'a str,
    pub(super) requests: Vec<(&'a str, String)>,
    pub(super) context: Context,
    pub(super) fix: String,
}

pub(super) fn ask(question: Question<'_>, policies: &Known<Vec<Policy>>) -> CheckResult {
    let asked: Vec<CheckRequest> = question
        .requests
        .iter()
        .map(|(action, resource)| CheckRequest {
            subject: question.who,
            action: action.to_string(),
            resource: resource.clone(),
            context: question.context.entries(),
        })
        .collect();
    let mut answer = answer(question, policies);
    answer.requests = asked;
    answer
}

fn answer(question: Question<'_>, policies: &Known<Vec<Policy>>) -> CheckResult {
    let Question { id, can, cannot, requests, context, fix, .. } = question;
    let policies = match policies {
        Known::Yes(p) => p,
        Known::No(why) => return result(id, CheckStatus::Unknown, format!("not checked: {why}"), "", Some(fix)),
    };
    let mut allowed_by = Vec::new();
    let mut unknowns = Vec::new();
    for (action, resource) in &requests {
        let request = Request { action, resource, principal: None, context: &context };
        let evaluation = evaluate(policies, &request);
        match evaluation.decision {
            Decision::Allowed => {
                allowed_by.push(format!("{action} on {resource}: allowed by {}", evaluation.deciding_text()))
            }
            Decision::ExplicitDeny => {
                return result(
                    id,
                    CheckStatus::Fail,
                    format!("{} — a Deny forbids {action}", capitalized(cannot)),
                    format!(
                        "{action} on {resource} is denied by {}; a Deny beats every Allow, so narrow or remove it",
                        evaluation.deciding_text()
                    ),
                    Some(fix),
                );
            }
            Decision::ImplicitDeny => {
                let names: Vec<&str> = policies.iter().map(|p| p.name.as_str()).collect();
                return result(
                    id,
                    CheckStatus::Fail,
                    format!("{} — nothing allows {action}", capitalized(cannot)),
                    format!("no statement in {} allows {action} on {resource}", names.join(", ")),
                    Some(fix),
                );
            }
            Decision::Unknown => unknowns.push(format!("{action} on {resource}: {}", evaluation.unknowns.join("; "))),
        }
    }
    if !unknowns.is_empty() {
        return result(id, CheckStatus::Unknown, format!("Cannot tell whether {can}"), unknowns.join(" | "), Some(fix));
    }
    result(id, CheckStatus::Pass, capitalized(can), allowed_by.join(" | "), None)
}

fn capitalized(text: &str) -> String {
    let mut chars = text.chars();
    chars.next().map(|c| c.to_uppercase().collect::<String>() + chars.as_str()).unwrap_or_default()
}

/// The trust checks: Bedrock may assume the role; the trust limits which account's jobs; nobody else may.
fn trust_checks(setup: &AccessSetup, trust: &Known<Policy>) -> Vec<CheckResult> {
    let fix = fixes::pretty(&fixes::trust_policy(setup));
    let trust = match trust {
        Known::Yes(t) => t,
        Known::No(why) => {
            return ["trust.bedrock_principal", "trust.confused_deputy", "trust.open_principal"]
                .iter()
                .map(|id| result(id, CheckStatus::Unknown, format!("not checked: {why}"), "", Some(fix.clone())))
                .collect();
        }
    };
    let bedrock = Principal::Service("bedrock.amazonaws.com".into());
    let job_arn = setup.job_arn();
    let context = Context::new()
        .with("aws:SourceAccount", &[&setup.account])
        .with("aws:SourceArn", &[&job_arn])
        .with("aws:PrincipalServiceName", &["bedrock.amazonaws.com"])
        .with("aws:SecureTransport", &["true"]);
    let request = Request {
        action: "sts:AssumeRole",
        resource: setup.role_arn.as_str(),
        principal: Some(&bedrock),
        context: &context,
    };
    let evaluation = evaluate(std::slice::from_ref(trust), &request);
    let principal = match evaluation.decision {
        Decision::Allowed => result(
            "trust.bedrock_principal",
            CheckStatus::Pass,
            "Bedrock can assume the service role for this account's jobs",
            format!("allowed by {}", evaluation.deciding_text()),
            None,
        ),
        Decision::Unknown => result(
            "trust.bedrock_principal",
            CheckStatus::Unknown,
            "Cannot tell whether Bedrock may assume the service role",
            evaluation.unknowns.join("; "),
            Some(fix.clone()),
        ),
        Decision::ExplicitDeny => result(
            "trust.bedrock_principal",
            CheckStatus::Fail,
            "The trust policy denies Bedrock",
            format!("sts:AssumeRole by bedrock.amazonaws.com is denied by {}", evaluation.deciding_text()),
            Some(fix.clone()),
        ),
        Decision::ImplicitDeny => result(
            "trust.bedrock_principal",
            CheckStatus::Fail,
            "Bedrock cannot assume the service role",
            trust_diagnosis(setup, trust),
            Some(fix.clone()),
        ),
    };
    // Statements that let Bedrock in, whatever their conditions.
    let for_bedrock: Vec<_> = trust
        .statements
        .iter()
        .filter(|s| s.effect == Effect::Allow && statement_allows_assume(s) && names_bedrock(s.principal.as_ref()))
        .collect();
    let deputy = if for_bedrock.is_empty() {
        result(
            "trust.confused_deputy",
            CheckStatus::Unknown,
            "No statement lets Bedrock in (see trust.bedrock_principal)",
            "",
            None,
        )
    } else {
        let open: Vec<String> = for_bedrock
            .iter()
            .filter(|s| {
                !s.conditions.iter().any(|c| {
                    c.key.eq_ignore_ascii_case("aws:SourceAccount") || c.key.eq_ignore_ascii_case("aws:SourceArn")
                })
            })
            .map(|s| s.label())
            .collect();
        if open.is_empty() {
            result(
                "trust.confused_deputy",
                CheckStatus::Pass,
                "The trust is limited to this account's jobs (aws:SourceAccount / aws:SourceArn)",
                "",
                None,
            )
        } else {
            result(
                "trust.confused_deputy",
                CheckStatus::Warn,
                "The trust lets Bedrock assume the role for any account's jobs",
                format!(
                    "{} of {} has no aws:SourceAccount or aws:SourceArn condition, so another account's Bedrock job could use this role (the confused-deputy problem)",
                    open.join(", "),
                    trust.name
                ),
                Some(fix.clone()),
            )
        }
    };
    let anyone: Vec<String> = trust
        .statements
        .iter()
        .filter(|s| s.effect == Effect::Allow && statement_allows_assume(s) && s.conditions.is_empty())
        .filter(|s| matches!(s.principal, Some(Principals::Anyone)))
        .map(|s| s.label())
        .collect();
    let open = if anyone.is_empty() {
        result("trust.open_principal", CheckStatus::Pass, "The trust names its principals", "", None)
    } else {
        result(
            "trust.open_principal",
            CheckStatus::Fail,
            "Anyone can assume the service role",
            format!(
                "{} of {} allows sts:AssumeRole to Principal \"*\" without conditions",
                anyone.join(", "),
                trust.name
            ),
            Some(fix),
        )
    };
    vec![principal, deputy, open]
}

fn statement_allows_assume(statement: &super::document::Statement) -> bool {
    match (&statement.action, &statement.not_action) {
        (Some(list), _) => list.iter().any(|p| action_matches(p, "sts:AssumeRole")),
        (None, Some(list)) => !list.iter().any(|p| action_matches(p, "sts:AssumeRole")),
        _ => false,
    }
}

fn names_bedrock(principals: Option<&Principals>) -> bool {
    match principals {
        Some(Principals::Anyone) => true,
        Some(Principals::Named(named)) => {
            named.iter().any(|(kind, value)| kind == "Service" && value.eq_ignore_ascii_case("bedrock.amazonaws.com"))
        }
        None => false,
    }
}

/// Why a trust policy keeps Bedrock out, in the words of the usual mistakes.
fn trust_diagnosis(setup: &AccessSetup, trust: &Policy) -> String {
    let assume: Vec<_> =
        trust.statements.iter().filter(|s| s.effect == Effect::Allow && statement_allows_assume(s)).collect();
    let root = format!("arn:aws:iam::{}:root", setup.account);
    for statement in &assume {
        if let Some(Principals::Named(named)) = &statement.principal {
            if named.iter().any(|(k, v)| k == "AWS" && (*v == root || *v == setup.account || v.ends_with(":root"))) {
                return format!(
                    "{} of {} names the account root ({root}) as principal: that lets IAM users and roles of the account assume the role, not the Bedrock service; the principal must be {{\"Service\": \"bedrock.amazonaws.com\"}}",
                    statement.label(),
                    trust.name
                );
            }
            if named.iter().any(|(k, v)| k == "Service" && v.eq_ignore_ascii_case("bedrock.amazonaws.com")) {
                return format!(
                    "{} of {} names bedrock.amazonaws.com, but its conditions do not hold for a job of account {} in {} (aws:SourceAccount = {}, aws:SourceArn = {})",
                    statement.label(),
                    trust.name,
                    setup.account,
                    setup.region,
                    setup.account,
                    setup.job_arn()
                );
            }
        }
    }
    if assume.is_empty() {
        format!("no statement of {} allows sts:AssumeRole", trust.name)
    } else {
        format!("no statement of {} names the service principal bedrock.amazonaws.com", trust.name)
    }
}

/// Runs every check.
pub fn run_checks(setup: &AccessSetup, policies: &AccessPolicies) -> AccessReport {
    let mut checks = trust_checks(setup, &policies.trust);
    let role_fix = fixes::pretty(&fixes::role_policy(setup));
    let owner = setup.resource_account().to_string();
    let role_context = || {
        Context::new()
            .with("aws:ResourceAccount", &[&owner])
            .with("aws:PrincipalAccount", &[&setup.account])
            .with("aws:PrincipalArn", &[setup.role_arn.as_str()])
            .with("aws:SecureTransport", &["true"])
    };
    let input_prefix = setup.input.as_folder().key().to_string();
    checks.push(ask(
        Question {
            who: Subject::Role,
            id: "role.s3_read_input",
            can: "the service role can read the input files",
            cannot: "the service role cannot read the input files",
            requests: vec![("s3:GetObject", setup.input_object_arn())],
            context: role_context(),
            fix: role_fix.clone(),
        },
        &policies.role,
    ));
    checks.push(ask(
        Question {
            who: Subject::Role,
            id: "role.s3_list_input",
            can: "the service role can list the input bucket",
            cannot: "the service role cannot list the input bucket",
            requests: vec![("s3:ListBucket", setup.input.bucket_arn())],
            context: role_context().with("s3:prefix", &[&input_prefix]),
            fix: role_fix.clone(),
        },
        &policies.role,
    ));
    checks.push(ask(
        Question {
            who: Subject::Role,
            id: "role.s3_write_output",
            can: "the service role can write the outputs under the output prefix",
            cannot: "the service role cannot write the outputs under the output prefix",
            requests: vec![("s3:PutObject", setup.output_object_arn())],
            context: role_context(),
            fix: role_fix.clone(),
        },
        &policies.role,
    ));
    if let Some(key) = setup.kms_key_arn() {
        checks.push(match key {
            Ok(key) => ask(
                Question {
                    who: Subject::Role,
                    id: "role.kms_output",
                    can: "the service role can use the output KMS key",
                    cannot: "the service role cannot use the output KMS key",
                    requests: vec![("kms:GenerateDataKey", key)],
                    context: role_context(),
                    fix: role_fix.clone(),
                },
                &policies.role,
            ),
            Err(why) => result(
                "role.kms_output",
                CheckStatus::Unknown,
                "Cannot tell whether the service role may use the output key",
                why,
                Some(role_fix.clone()),
            ),
        });
    }
    checks.push(broader_than_needed(setup, &policies.role, role_context()));

    let caller = policies.caller_arn.clone().unwrap_or_default();
    let caller_context = || {
        let mut context =
            Context::new().with("aws:PrincipalAccount", &[&setup.account]).with("aws:SecureTransport", &["true"]);
        if !caller.is_empty() {
            context = context.with("aws:PrincipalArn", &[&caller]);
        }
        context
    };
    let statement = |value: serde_json::Value| fixes::pretty(&value);
    checks.push(ask(
        Question {
            who: Subject::Caller,
            id: "caller.pass_role",
            can: "you can pass the service role to Bedrock (iam:PassRole)",
            cannot: "you cannot pass the service role to Bedrock (iam:PassRole)",
            requests: vec![("iam:PassRole", setup.role_arn.as_str().to_string())],
            context: caller_context()
                .with("iam:PassedToService", &["bedrock.amazonaws.com"])
                .with("aws:ResourceAccount", &[setup.role_arn.account()]),
            fix: statement(fixes::pass_role_statement(setup)),
        },
        &policies.caller,
    ));
    checks.push(ask(
        Question {
            who: Subject::Caller,
            id: "caller.create_job",
            can: "you can create batch jobs with this model",
            cannot: "you cannot create batch jobs with this model",
            requests: std::iter::once(setup.model_arn())
                .chain(setup.profile_model_arns())
                .chain(std::iter::once(setup.job_arn()))
                .map(|arn| ("bedrock:CreateModelInvocationJob", arn))
                .collect(),
            context: caller_context()
                .with("aws:ResourceAccount", &[&setup.account])
                .with("aws:RequestedRegion", &[&setup.region]),
            fix: statement(fixes::job_statement(setup)),
        },
        &policies.caller,
    ));
    checks.push(super::model_access::invoke_model(
        setup,
        &policies.caller,
        caller_context().with("aws:ResourceAccount", &[&setup.account]).with("aws:RequestedRegion", &[&setup.region]),
    ));
    checks.push(super::model_access::org_conditions(&policies.role, &policies.caller));
    let caller_s3 = fixes::caller_s3_statements(setup);
    checks.push(ask(
        Question {
            who: Subject::Caller,
            id: "caller.s3_upload_input",
            can: "you can upload the input files",
            cannot: "you cannot upload the input files",
            requests: vec![("s3:PutObject", setup.input_object_arn())],
            context: caller_context().with("aws:ResourceAccount", &[&owner]),
            fix: statement(caller_s3[0].clone()),
        },
        &policies.caller,
    ));
    checks.push(ask(
        Question {
            who: Subject::Caller,
            id: "caller.s3_read_output",
            can: "you can list and download the outputs",
            cannot: "you cannot list and download the outputs",
            requests: vec![("s3:GetObject", setup.output_object_arn()), ("s3:ListBucket", setup.output.bucket_arn())],
            context: caller_context()
                .with("aws:ResourceAccount", &[&owner])
                .with("s3:prefix", &[setup.output.as_folder().key()]),
            fix: statement(serde_json::Value::Array(caller_s3[1..].to_vec())),
        },
        &policies.caller,
    ));
    AccessReport::new(checks)
}

/// Warns when the role could write to buckets the job never uses.
fn broader_than_needed(setup: &AccessSetup, role: &Known<Vec<Policy>>, context: Context) -> CheckResult {
    const ID: &str = "role.least_privilege";
    let Known::Yes(policies) = role else {
        return result(ID, CheckStatus::Unknown, "not checked: the role's policies are not known", "", None);
    };
    let elsewhere = "arn:aws:s3:::some-unrelated-bucket-0123456789/anything";
    let request = Request { action: "s3:PutObject", resource: elsewhere, principal: None, context: &context };
    let evaluation = evaluate(policies, &request);
    if evaluation.decision == Decision::Allowed {
        result(
            ID,
            CheckStatus::Warn,
            "The service role can write to any bucket, more than the job needs",
            format!(
                "s3:PutObject on an unrelated bucket is allowed by {}; whoever may pass this role can use that",
                evaluation.deciding_text()
            ),
            Some(fixes::pretty(&fixes::role_policy(setup))),
        )
    } else {
        result(ID, CheckStatus::Pass, "The service role cannot write to unrelated buckets", "", None)
    }
}
