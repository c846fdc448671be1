//! The checks about the model itself: bedrock:InvokeModel on the model and a profile's destination models
//! (reported needed, not documented: a warning), and organisation conditions that make batch requests to
//! foundation models fail because those resources belong to Bedrock, not to the account.

use super::checks::{CheckResult, CheckStatus, Known, Question, Subject, ask, result};
use super::condition::Context;
use super::document::Policy;
use super::fixes;
use super::setup::AccessSetup;
use super::wildcard::action_matches;

/// The condition keys about the resource's organisation that a foundation model never satisfies.
const ORG_KEYS: [&str; 2] = ["aws:ResourceOrgID", "aws:ResourceOrgPaths"];

/// May the caller call bedrock:InvokeModel on the model and its profile's models? A warning when not: AWS's batch
/// permissions page does not list it, but users report batch jobs through inference profiles need it.
pub(super) fn invoke_model(setup: &AccessSetup, caller: &Known<Vec<Policy>>, context: Context) -> CheckResult {
    let mut requests = vec![("bedrock:InvokeModel", setup.model_arn())];
    requests.extend(setup.profile_model_arns().into_iter().map(|arn| ("bedrock:InvokeModel", arn)));
    let mut checked = ask(
        Question {
            who: Subject::Caller,
            id: "caller.invoke_model",
            can: "you can invoke the model (bedrock:InvokeModel)",
            cannot: "you cannot invoke the model (bedrock:InvokeModel)",
            requests,
            context,
            fix: fixes::pretty(&fixes::invoke_statement(setup)),
        },
        caller,
    );
    if checked.status == CheckStatus::Fail {
        checked.status = CheckStatus::Warn;
        checked.detail = format!(
            "{}. AWS's batch permissions page does not list bedrock:InvokeModel, but users report that batch jobs \
             through inference profiles fail without it on the profile and its models; adding it is harmless",
            checked.detail
        );
    }
    checked
}

/// Statements with organisation conditions on resources (`aws:ResourceOrgID`, `aws:ResourceOrgPaths`) that apply
/// to Bedrock's actions: foundation models belong to Bedrock, not to the organisation, so AWS warns such
/// conditions make batch requests fail with AccessDeniedException.
pub(super) fn org_conditions(role: &Known<Vec<Policy>>, caller: &Known<Vec<Policy>>) -> CheckResult {
    const ID: &str = "org_conditions";
    let mut found = Vec::new();
    for (whose, policies) in [("the service role's", role), ("your", caller)] {
        let Known::Yes(policies) = policies else { continue };
        for policy in policies {
            for statement in &policy.statements {
                let keys: Vec<&str> = statement
                    .conditions
                    .iter()
                    .filter(|c| ORG_KEYS.iter().any(|k| c.key.eq_ignore_ascii_case(k)))
                    .map(|c| c.key.as_str())
                    .collect();
                let bedrock = match (&statement.action, &statement.not_action) {
                    (Some(actions), _) => {
                        actions.iter().any(|a| action_matches(a, "bedrock:CreateModelInvocationJob"))
                            || actions.iter().any(|a| action_matches(a, "bedrock:InvokeModel"))
                    }
                    (None, Some(_)) => true,
                    (None, None) => false,
                };
                if !keys.is_empty() && bedrock {
                    found.push(format!(
                        "{} of {whose} policy {} ({})",
                        statement.label(),
                        policy.name,
                        keys.join(", ")
                    ));
                }
            }
        }
    }
    if found.is_empty() {
        return result(
            ID,
            CheckStatus::Pass,
            "No organisation condition on resources applies to Bedrock's calls",
            "",
            None,
        );
    }
    result(
        ID,
        CheckStatus::Warn,
        "An organisation condition on resources applies to Bedrock's calls and will refuse batch requests",
        format!(
            "{}: foundation models used by batch belong to Bedrock, not to your organisation, so a condition on \
             aws:ResourceOrgID or aws:ResourceOrgPaths never holds for them and the request fails with \
             AccessDeniedException (AWS's batch permissions page). Service control policies can do the same and \
             are not visible here",
            found.join("; ")
        ),
        Some(
            "Exclude Bedrock's foundation-model and inference-profile resources from the condition (for example a \
             separate statement for arn:aws:bedrock:*::foundation-model/* without it), or scope the condition to \
             the actions that need it"
                .into(),
        ),
    )
}
