//! Policy evaluation as AWS documents it for one account: an explicit Deny beats any Allow, no Allow is an
//! implicit deny; a statement applies when its action, resource and principal match and all its
//! conditions hold. Anything undecidable makes the answer `Unknown` (with the reason), never `Allowed`.

use serde::Serialize;

use super::condition::{Context, Truth, test};
use super::document::{Effect, Policy, Principals, Statement};
use super::wildcard::{action_matches, arn_matches};

/// Who makes the request (trust policies name principals; identity policies do not).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Principal {
    /// An AWS service, e.g. `bedrock.amazonaws.com`.
    Service(String),
    /// An IAM user or role (its ARN).
    Aws(String),
}

/// The request to decide.
#[derive(Debug, Clone)]
pub struct Request<'a> {
    /// The action, e.g. `s3:GetObject`.
    pub action: &'a str,
    /// The resource ARN (for trust policies, the role).
    pub resource: &'a str,
    /// The principal, for policies that name principals.
    pub principal: Option<&'a Principal>,
    /// The request context.
    pub context: &'a Context,
}

/// The outcome.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Decision {
    /// An Allow applies and no Deny.
    Allowed,
    /// A Deny applies.
    ExplicitDeny,
    /// Nothing allows it.
    ImplicitDeny,
    /// It depends on something the engine cannot decide.
    Unknown,
}

/// A statement that took part in the decision.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct StatementRef {
    /// Its policy.
    pub policy: String,
    /// Its Sid or position.
    pub statement: String,
    /// Its effect.
    pub effect: Effect,
}

/// A decision and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Evaluation {
    /// The outcome.
    pub decision: Decision,
    /// The statements that decided it (the Deny, or the Allows); empty for an implicit deny.
    pub deciding: Vec<StatementRef>,
    /// Why the outcome is unknown, when it is (or what was left undecided).
    pub unknowns: Vec<String>,
}

impl Evaluation {
    /// "statement "X" of policy P" for each deciding statement, joined.
    pub fn deciding_text(&self) -> String {
        self.deciding.iter().map(|s| format!("{} of {}", s.statement, s.policy)).collect::<Vec<_>>().join("; ")
    }
}

fn principal_matches(principals: &Principals, who: &Principal) -> bool {
    let Principals::Named(named) = principals else { return true };
    named.iter().any(|(kind, value)| match (kind.as_str(), who) {
        ("Service", Principal::Service(service)) => value.eq_ignore_ascii_case(service),
        ("AWS", Principal::Aws(arn)) => {
            let account = arn.split(':').nth(4).unwrap_or("");
            value == arn
                || arn_matches(value, arn)
                || (!account.is_empty() && (value == account || *value == format!("arn:aws:iam::{account}:root")))
        }
        _ => false,
    })
}

/// How one statement bears on the request: does not apply, applies, or might.
enum Applies {
    No,
    Yes,
    Maybe(String),
}

fn applies(statement: &Statement, request: &Request<'_>) -> Applies {
    let action = match (&statement.action, &statement.not_action) {
        (Some(list), _) => list.iter().any(|p| action_matches(p, request.action)),
        (None, Some(list)) => !list.iter().any(|p| action_matches(p, request.action)),
        (None, None) => false,
    };
    if !action {
        return Applies::No;
    }
    let mut maybe = Vec::new();
    let resource_matches = |patterns: &[String], maybe: &mut Vec<String>| {
        patterns.iter().any(|p| match request.context.substitute(p) {
            Some(p) => arn_matches(&p, request.resource),
            None => {
                maybe.push(format!("{}: the policy variable in {p:?} is not known to this check", statement.label()));
                false
            }
        })
    };
    let resource = match (&statement.resource, &statement.not_resource) {
        (Some(list), _) => resource_matches(list, &mut maybe),
        (None, Some(list)) => !resource_matches(list, &mut maybe),
        // Trust policies have no Resource: the role they are attached to.
        (None, None) => true,
    };
    if !resource && maybe.is_empty() {
        return Applies::No;
    }
    match (&statement.principal, &statement.not_principal, request.principal) {
        (Some(p), _, Some(who)) if !principal_matches(p, who) => return Applies::No,
        (_, Some(p), Some(who)) if principal_matches(p, who) => return Applies::No,
        (Some(_) | None, _, None) if statement.principal.is_some() || statement.not_principal.is_some() => {
            maybe.push(format!("{} names a principal, and this request has none", statement.label()));
        }
        _ => {}
    }
    for condition in &statement.conditions {
        match test(condition, request.context) {
            Truth::True => {}
            Truth::False => return Applies::No,
            Truth::Unknown(why) => maybe.push(format!("{}: {why}", statement.label())),
        }
    }
    if !resource {
        // Only an unknown variable kept the resource in play.
        return Applies::Maybe(maybe.join("; "));
    }
    if maybe.is_empty() { Applies::Yes } else { Applies::Maybe(maybe.join("; ")) }
}

/// Decides `request` against every statement of `policies`.
pub fn evaluate(policies: &[Policy], request: &Request<'_>) -> Evaluation {
    let mut allows = Vec::new();
    let mut maybe_allows = Vec::new();
    let mut denies = Vec::new();
    let mut maybe_denies = Vec::new();
    for policy in policies {
        for statement in &policy.statements {
            let reference =
                StatementRef { policy: policy.name.clone(), statement: statement.label(), effect: statement.effect };
            match (applies(statement, request), statement.effect) {
                (Applies::No, _) => {}
                (Applies::Yes, Effect::Allow) => allows.push(reference),
                (Applies::Yes, Effect::Deny) => denies.push(reference),
                (Applies::Maybe(why), Effect::Allow) => maybe_allows.push((reference, why)),
                (Applies::Maybe(why), Effect::Deny) => maybe_denies.push((reference, why)),
            }
        }
    }
    let reasons = |list: &[(StatementRef, String)]| list.iter().map(|(_, why)| why.clone()).collect::<Vec<_>>();
    if !denies.is_empty() {
        return Evaluation { decision: Decision::ExplicitDeny, deciding: denies, unknowns: Vec::new() };
    }
    if allows.is_empty() && maybe_allows.is_empty() {
        return Evaluation { decision: Decision::ImplicitDeny, deciding: Vec::new(), unknowns: Vec::new() };
    }
    if !maybe_denies.is_empty() {
        let mut deciding = allows;
        deciding.extend(maybe_denies.iter().map(|(r, _)| r.clone()));
        return Evaluation { decision: Decision::Unknown, deciding, unknowns: reasons(&maybe_denies) };
    }
    if !allows.is_empty() {
        return Evaluation { decision: Decision::Allowed, deciding: allows, unknowns: Vec::new() };
    }
    Evaluation {
        decision: Decision::Unknown,
        deciding: maybe_allows.iter().map(|(r, _)| r.clone()).collect(),
        unknowns: reasons(&maybe_allows),
    }
}
