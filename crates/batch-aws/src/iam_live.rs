//! The access check's live reads: who is calling (STS), the service role's trust and permission policies,
//! and the caller's policies (a user with its groups, or the role behind an assumed-role session — paths
//! included) through aws-sdk-iam; AWS's policy simulator beside the local evaluation; and creating the
//! role from the generated policies. A read the caller may not make leaves the checks that needed it
//! `unknown`, with the reason.

use aws_config::SdkConfig;
use aws_sdk_iam::Client;
use aws_sdk_iam::types::{ContextEntry, ContextKeyTypeEnum};
use batch_app::ports::{FailureKind, ServiceError};
use batch_core::iam::{
    AccessPolicies, AccessReport, AccessSetup, CheckRequest, CheckResult, CheckStatus, Known, Policy, Subject, fixes,
    run_checks,
};

use crate::failure::service_error;
use crate::identity::caller_identity;

/// What was read, and what could not be.
#[derive(Debug, Clone)]
pub struct LiveRead {
    /// The policies for the checks.
    pub policies: AccessPolicies,
    /// The caller's IAM ARN (an assumed-role session resolved to its role, path included).
    pub caller_iam_arn: Option<String>,
    /// The caller's account.
    pub account: String,
    /// Notes for the reader (what was resolved, what could not be read).
    pub notes: Vec<String>,
}

/// IAM returns policy documents percent-encoded (RFC 3986).
fn decode(document: &str) -> String {
    percent_encoding::percent_decode_str(document).decode_utf8_lossy().into_owned()
}

fn parse(name: &str, document: &str) -> Result<Policy, ServiceError> {
    Policy::parse(name, &decode(document))
        .map_err(|e| ServiceError::new(FailureKind::Invalid, "read policy", e.to_string()))
}

/// Why a read failed, for an `unknown` check.
fn unreadable(what: &str, error: &ServiceError) -> String {
    let first = error.message.lines().next().unwrap_or("");
    match error.kind {
        FailureKind::AccessDenied => format!("you are not allowed to read {what} ({first})"),
        _ => format!("{what} could not be read ({first})"),
    }
}

/// Whose policies to read.
enum Identity<'a> {
    Role(&'a str),
    User(&'a str),
}

async fn managed_documents(client: &Client, arns: Vec<String>) -> Result<Vec<Policy>, ServiceError> {
    let mut policies = Vec::new();
    for arn in arns {
        let policy = client.get_policy().policy_arn(&arn).send().await.map_err(|e| service_error("GetPolicy", e))?;
        let version = policy.policy().and_then(|p| p.default_version_id()).unwrap_or("v1").to_string();
        let got = client
            .get_policy_version()
            .policy_arn(&arn)
            .version_id(&version)
            .send()
            .await
            .map_err(|e| service_error("GetPolicyVersion", e))?;
        let document = got.policy_version().and_then(|v| v.document()).unwrap_or("{}");
        policies.push(parse(&format!("managed policy {arn} ({version})"), document)?);
    }
    Ok(policies)
}

/// The inline and attached managed policies of a role or user.
async fn identity_policies(client: &Client, who: Identity<'_>) -> Result<Vec<Policy>, ServiceError> {
    let mut policies = Vec::new();
    match who {
        Identity::Role(name) => {
            let names = client
                .list_role_policies()
                .role_name(name)
                .send()
                .await
                .map_err(|e| service_error("ListRolePolicies", e))?;
            for policy in names.policy_names() {
                let got = client
                    .get_role_policy()
                    .role_name(name)
                    .policy_name(policy)
                    .send()
                    .await
                    .map_err(|e| service_error("GetRolePolicy", e))?;
                policies.push(parse(&format!("inline policy {policy} of role {name}"), got.policy_document())?);
            }
            let attached = client
                .list_attached_role_policies()
                .role_name(name)
                .send()
                .await
                .map_err(|e| service_error("ListAttachedRolePolicies", e))?;
            let arns = attached.attached_policies().iter().filter_map(|p| p.policy_arn().map(str::to_string)).collect();
            policies.extend(managed_documents(client, arns).await?);
        }
        Identity::User(name) => {
            let names = client
                .list_user_policies()
                .user_name(name)
                .send()
                .await
                .map_err(|e| service_error("ListUserPolicies", e))?;
            for policy in names.policy_names() {
                let got = client
                    .get_user_policy()
                    .user_name(name)
                    .policy_name(policy)
                    .send()
                    .await
                    .map_err(|e| service_error("GetUserPolicy", e))?;
                policies.push(parse(&format!("inline policy {policy} of user {name}"), got.policy_document())?);
            }
            let attached = client
                .list_attached_user_policies()
                .user_name(name)
                .send()
                .await
                .map_err(|e| service_error("ListAttachedUserPolicies", e))?;
            let arns = attached.attached_policies().iter().filter_map(|p| p.policy_arn().map(str::to_string)).collect();
            policies.extend(managed_documents(client, arns).await?);
            let groups = client
                .list_groups_for_user()
                .user_name(name)
                .send()
                .await
                .map_err(|e| service_error("ListGroupsForUser", e))?;
            for group in groups.groups() {
                let group = group.group_name();
                let names = client
                    .list_group_policies()
                    .group_name(group)
                    .send()
                    .await
                    .map_err(|e| service_error("ListGroupPolicies", e))?;
                for policy in names.policy_names() {
                    let got = client
                        .get_group_policy()
                        .group_name(group)
                        .policy_name(policy)
                        .send()
                        .await
                        .map_err(|e| service_error("GetGroupPolicy", e))?;
                    policies.push(parse(&format!("inline policy {policy} of group {group}"), got.policy_document())?);
                }
                let attached = client
                    .list_attached_group_policies()
                    .group_name(group)
                    .send()
                    .await
                    .map_err(|e| service_error("ListAttachedGroupPolicies", e))?;
                let arns =
                    attached.attached_policies().iter().filter_map(|p| p.policy_arn().map(str::to_string)).collect();
                policies.extend(managed_documents(client, arns).await?);
            }
        }
    }
    Ok(policies)
}

/// Reads everything the checks need; failures become `Known::No` with the reason.
pub async fn read_live(config: &SdkConfig, setup: &AccessSetup) -> Result<LiveRead, ServiceError> {
    let client = Client::new(config);
    let me = caller_identity(config).await?;
    let mut notes = vec![format!("caller: {} (account {})", me.arn, me.account)];
    let role_name = setup.role_arn.name();
    let (trust, role) = match client.get_role().role_name(role_name).send().await {
        Ok(got) => {
            let trust = match got.role().and_then(|r| r.assume_role_policy_document()) {
                Some(document) => match parse(&format!("trust policy of role {role_name}"), document) {
                    Ok(policy) => Known::Yes(policy),
                    Err(e) => Known::No(e.message),
                },
                None => Known::No("the role has no trust policy".into()),
            };
            let role = match identity_policies(&client, Identity::Role(role_name)).await {
                Ok(policies) => Known::Yes(policies),
                Err(e) => Known::No(unreadable(&format!("the policies of role {role_name}"), &e)),
            };
            (trust, role)
        }
        Err(e) => {
            let error = service_error("GetRole", e);
            let why = if error.kind == FailureKind::NotFound {
                format!(
                    "the role {role_name} does not exist in account {}; create it with the trust and permission policies the fix gives",
                    me.account
                )
            } else {
                unreadable(&format!("role {role_name}"), &error)
            };
            (Known::No(why.clone()), Known::No(why))
        }
    };
    // The caller: an assumed-role session is the role behind it (whose path only GetRole knows).
    let arn = me.arn.clone();
    let resource = arn.splitn(6, ':').nth(5).unwrap_or("").to_string();
    let (caller_iam_arn, caller) = if let Some(rest) = resource.strip_prefix("assumed-role/") {
        let name = rest.split('/').next().unwrap_or("");
        match client.get_role().role_name(name).send().await {
            Ok(got) => {
                let iam_arn = got.role().map(|r| r.arn().to_string());
                notes.push(format!("the session is role {}", iam_arn.as_deref().unwrap_or(name)));
                let policies = match identity_policies(&client, Identity::Role(name)).await {
                    Ok(p) => Known::Yes(p),
                    Err(e) => Known::No(unreadable(&format!("the policies of your role {name}"), &e)),
                };
                (iam_arn, policies)
            }
            Err(e) => (None, Known::No(unreadable(&format!("your role {name}"), &service_error("GetRole", e)))),
        }
    } else if let Some(rest) = resource.strip_prefix("user/") {
        let name = rest.rsplit('/').next().unwrap_or(rest);
        let policies = match identity_policies(&client, Identity::User(name)).await {
            Ok(p) => Known::Yes(p),
            Err(e) => Known::No(unreadable(&format!("the policies of your user {name}"), &e)),
        };
        (Some(arn.clone()), policies)
    } else if resource == "root" {
        let all = Policy::parse(
            "the account root user (IAM policies do not limit it)",
            r#"{"Statement": {"Effect": "Allow", "Action": "*", "Resource": "*"}}"#,
        )
        .map_err(|e| ServiceError::new(FailureKind::Other, "read policy", e.to_string()))?;
        (Some(arn.clone()), Known::Yes(vec![all]))
    } else {
        (None, Known::No(format!("{arn} is neither an IAM user nor a role session")))
    };
    Ok(LiveRead {
        policies: AccessPolicies { trust, role, caller_arn: caller_iam_arn.clone(), caller },
        caller_iam_arn,
        account: me.account,
        notes,
    })
}

/// Asks AWS's policy simulator the same questions the checks asked, filling each check's `aws_simulator`.
/// Returns a note when the simulator could not be used (then only the local answers are shown).
pub async fn simulate(
    config: &SdkConfig,
    setup: &AccessSetup,
    caller: Option<&str>,
    report: &mut AccessReport,
) -> Option<String> {
    let client = Client::new(config);
    for check in &mut report.checks {
        let mut answers = Vec::new();
        for request in &check.requests {
            let source = match request.subject {
                Subject::Role => setup.role_arn.as_str(),
                Subject::Caller => match caller {
                    Some(arn) => arn,
                    None => continue,
                },
            };
            match ask_simulator(&client, source, request).await {
                Ok(answer) => answers.push(answer),
                Err(error) => {
                    return Some(format!(
                        "the IAM policy simulator could not be used ({}); the answers are this tool's own evaluation",
                        error.message.lines().next().unwrap_or("")
                    ));
                }
            }
        }
        if !answers.is_empty() {
            check.aws_simulator = Some(answers.join("; "));
        }
    }
    None
}

async fn ask_simulator(client: &Client, source: &str, request: &CheckRequest) -> Result<String, ServiceError> {
    let mut call = client
        .simulate_principal_policy()
        .policy_source_arn(source)
        .action_names(&request.action)
        .resource_arns(&request.resource);
    for (key, values) in &request.context {
        if values.is_empty() {
            continue;
        }
        let entry = ContextEntry::builder()
            .context_key_name(key)
            .set_context_key_values(Some(values.clone()))
            .context_key_type(if values.len() > 1 {
                ContextKeyTypeEnum::StringList
            } else {
                ContextKeyTypeEnum::String
            })
            .build();
        call = call.context_entries(entry);
    }
    let answer = call.send().await.map_err(|e| service_error("SimulatePrincipalPolicy", e))?;
    let decision = answer
        .evaluation_results()
        .first()
        .map(|r| r.eval_decision().as_str().to_string())
        .unwrap_or_else(|| "no answer".into());
    Ok(format!("{} on {}: {decision}", request.action, request.resource))
}

/// Creates the service role with the generated trust policy and S3 permissions; returns its ARN.
pub async fn create_role(config: &SdkConfig, setup: &AccessSetup) -> Result<String, ServiceError> {
    let client = Client::new(config);
    let name = setup.role_arn.name();
    let created = client
        .create_role()
        .role_name(name)
        .path(setup.role_arn.path())
        .assume_role_policy_document(fixes::trust_policy(setup).to_string())
        .description("Service role for Amazon Bedrock batch inference (created by bedrock-batch)")
        .send()
        .await
        .map_err(|e| service_error("CreateRole", e))?;
    client
        .put_role_policy()
        .role_name(name)
        .policy_name("BedrockBatchS3Access")
        .policy_document(fixes::role_policy(setup).to_string())
        .send()
        .await
        .map_err(|e| service_error("PutRolePolicy", e))?;
    Ok(created.role().map(|r| r.arn().to_string()).unwrap_or_default())
}

/// `s3.bucket_region`: the buckets are in the job's region (Bedrock batch reads and writes in-region).
pub async fn bucket_region_check(config: &SdkConfig, setup: &AccessSetup) -> CheckResult {
    const ID: &str = "s3.bucket_region";
    let s3 = crate::environment::s3_client(config, config.endpoint_url().is_some());
    let mut buckets = vec![setup.input.bucket().to_string()];
    if setup.output.bucket() != setup.input.bucket() {
        buckets.push(setup.output.bucket().to_string());
    }
    let mut elsewhere = Vec::new();
    for bucket in &buckets {
        match s3.get_bucket_location().bucket(bucket).send().await {
            // An empty constraint is us-east-1, as S3 has always answered.
            Ok(found) => {
                let region = found.location_constraint().map(|c| c.as_str().to_string()).filter(|c| !c.is_empty());
                let region = region.unwrap_or_else(|| "us-east-1".into());
                if region != setup.region {
                    elsewhere.push(format!("{bucket} is in {region}"));
                }
            }
            Err(e) => {
                let error = service_error("GetBucketLocation", e);
                return CheckResult::new(
                    ID,
                    CheckStatus::Unknown,
                    format!("Cannot tell where bucket {bucket} is"),
                    unreadable(&format!("the location of bucket {bucket}"), &error),
                    None,
                );
            }
        }
    }
    if elsewhere.is_empty() {
        CheckResult::new(
            ID,
            CheckStatus::Pass,
            format!("The buckets are in the job's region ({})", setup.region),
            "",
            None,
        )
    } else {
        CheckResult::new(
            ID,
            CheckStatus::Fail,
            format!("A bucket is not in the job's region ({})", setup.region),
            elsewhere.join("; "),
            Some(format!("submit the job in the buckets' region, or use buckets in {}", setup.region)),
        )
    }
}
/// The whole live check: read the policies, run the checks, add the bucket-region check, and put the same
/// questions to AWS's policy simulator; returns the report and notes for the reader.
pub async fn live_check(config: &SdkConfig, setup: &AccessSetup) -> Result<(AccessReport, Vec<String>), ServiceError> {
    let read = read_live(config, setup).await?;
    let mut notes = read.notes.clone();
    let mut checks = run_checks(setup, &read.policies).checks;
    checks.push(bucket_region_check(config, setup).await);
    let mut report = AccessReport::new(checks);
    if let Some(note) = simulate(config, setup, read.caller_iam_arn.as_deref(), &mut report).await {
        notes.push(note);
    }
    Ok((report, notes))
}
