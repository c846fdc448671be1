//! Requests checked as the service model says: a create's fields (names, ARNs, URIs, ranges, tokens, owners,
//! keys, VPC ids, tags), job identifiers and list filters, refused with AWS's validation wording.

use batch_core::aws_names::{JobName, RoleArn, S3Uri};
use batch_core::model::{InvocationType, ModelId};

use crate::api::CreateJobRequest;
use crate::error::ApiError;
use crate::faults::JobFault;

/// The service model's constraint on `jobIdentifier` (ModelInvocationJobIdentifier), as its message states it.
pub(super) const JOB_IDENTIFIER_RULE: &str = "Member must satisfy regular expression pattern: \
     ((arn:aws(-[^:]+)?:bedrock:[a-z0-9-]{1,20}:[0-9]{12}:model-invocation-job/)?[a-z0-9]{12})";

/// True when `identifier` matches ModelInvocationJobIdentifier whole: a 12-character job id of lower-case
/// letters and digits, alone or at the end of a job ARN.
pub(super) fn is_job_identifier(identifier: &str) -> bool {
    let job_id = |s: &str| s.len() == 12 && s.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit());
    if job_id(identifier) {
        return true;
    }
    let Some((prefix, id)) = identifier.rsplit_once(":model-invocation-job/") else { return false };
    let partition = |p: &str| p == "aws" || p.strip_prefix("aws-").is_some_and(|rest| !rest.is_empty());
    let region = |r: &str| {
        (1..=20).contains(&r.len()) && r.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
    };
    let account = |a: &str| a.len() == 12 && a.bytes().all(|b| b.is_ascii_digit());
    job_id(id)
        && matches!(prefix.split(':').collect::<Vec<_>>().as_slice(),
            ["arn", p, "bedrock", r, a] if partition(p) && region(r) && account(a))
}

/// ModelInvocationJobStatus's values.
pub(super) const JOB_STATUSES: &[&str] = &[
    "Submitted",
    "InProgress",
    "Completed",
    "Failed",
    "Stopping",
    "Stopped",
    "PartiallyCompleted",
    "Expired",
    "Validating",
    "Scheduled",
];

/// True when `name` matches the `nameContains` pattern whole: 1 to 63 letters or digits, then up to 63
/// characters of letters, digits, `+`, `-` and `.`.
pub(super) fn is_name_filter(name: &str) -> bool {
    let lead = name.bytes().take_while(u8::is_ascii_alphanumeric).count();
    (1..=63).contains(&name.len())
        && lead >= 1
        && name.bytes().all(|b| b.is_ascii_alphanumeric() || matches!(b, b'+' | b'-' | b'.'))
}

pub(super) fn constraint(field: &str, value: &str, rule: &str) -> ApiError {
    ApiError::validation(format!(
        "1 validation error detected: Value '{value}' at '{field}' failed to satisfy constraint: {rule}"
    ))
}

/// A create request's fields, checked against the service model.
pub(crate) struct ParsedRequest {
    pub model: ModelId,
    pub invocation: InvocationType,
    pub input: S3Uri,
    pub output: S3Uri,
    pub timeout_hours: i64,
    pub fault: Option<JobFault>,
}

/// The create request's other members against the service model's patterns and lengths: the client token,
/// the buckets' owners, the output KMS key, the VPC's subnet and security-group ids, and the tags.
fn check_members(request: &CreateJobRequest) -> Result<(), ApiError> {
    let alnum_dashed = |s: &str, max: usize| {
        (1..=max).contains(&s.len())
            && s.bytes().next().is_some_and(|b| b.is_ascii_alphanumeric())
            && s.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-')
            && !s.ends_with('-')
    };
    if let Some(token) = &request.client_request_token
        && !alnum_dashed(token, 256)
    {
        let rule = "Member must satisfy regular expression pattern: [a-zA-Z0-9]{1,256}(-*[a-zA-Z0-9]){0,256}";
        return Err(constraint("clientRequestToken", token, rule));
    }
    let input = &request.input_data_config.s3_input_data_config;
    let output = &request.output_data_config.s3_output_data_config;
    for (field, owner) in [
        ("inputDataConfig.s3InputDataConfig.s3BucketOwner", &input.s3_bucket_owner),
        ("outputDataConfig.s3OutputDataConfig.s3BucketOwner", &output.s3_bucket_owner),
    ] {
        if let Some(owner) = owner
            && !(owner.len() == 12 && owner.bytes().all(|b| b.is_ascii_digit()))
        {
            return Err(constraint(field, owner, "Member must satisfy regular expression pattern: [0-9]{12}"));
        }
    }
    if let Some(key) = &output.s3_encryption_key_id
        && !is_kms_key_id(key)
    {
        let rule = "Member must satisfy regular expression pattern: (arn:aws(-[^:]+)?:kms:[a-zA-Z0-9-]*:[0-9]{12}:\
                    ((key/[a-zA-Z0-9-]{36})|(alias/[a-zA-Z0-9-_/]+)))|([a-zA-Z0-9-]{36})|(alias/[a-zA-Z0-9-_/]+)";
        return Err(constraint("outputDataConfig.s3OutputDataConfig.s3EncryptionKeyId", key, rule));
    }
    if let Some(vpc) = &request.vpc_config {
        let id = |s: &&String| s.len() > 32 || !s.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-');
        if let Some(bad) = vpc.subnet_ids.iter().find(id) {
            return Err(constraint(
                "vpcConfig.subnetIds.member",
                bad,
                "Member must satisfy regular expression pattern: [-0-9a-zA-Z]+",
            ));
        }
        if let Some(bad) = vpc.security_group_ids.iter().find(id) {
            return Err(constraint(
                "vpcConfig.securityGroupIds.member",
                bad,
                "Member must satisfy regular expression pattern: [-0-9a-zA-Z]+",
            ));
        }
    }
    let tag_text =
        |s: &str| s.chars().all(|c| c.is_ascii_alphanumeric() || c.is_whitespace() || "._:/=+@-".contains(c));
    for tag in request.tags.iter().flatten() {
        if !(1..=128).contains(&tag.key.len()) || !tag_text(&tag.key) {
            return Err(constraint(
                "tags.member.key",
                &tag.key,
                "Member must satisfy regular expression pattern: [a-zA-Z0-9\\s._:/=+@-]*",
            ));
        }
        if tag.value.len() > 256 || !tag_text(&tag.value) {
            return Err(constraint(
                "tags.member.value",
                &tag.value,
                "Member must satisfy regular expression pattern: [a-zA-Z0-9\\s._:/=+@-]*",
            ));
        }
    }
    Ok(())
}

/// True when `key` matches KmsKeyId whole: a key id (36 characters), an alias, or the ARN of either.
fn is_kms_key_id(key: &str) -> bool {
    let key_id = |s: &str| s.len() == 36 && s.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-');
    let alias = |s: &str| {
        s.strip_prefix("alias/").is_some_and(|name| {
            !name.is_empty() && name.bytes().all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'/'))
        })
    };
    if key_id(key) || alias(key) {
        return true;
    }
    let parts: Vec<&str> = key.splitn(6, ':').collect();
    match parts.as_slice() {
        ["arn", partition, "kms", region, account, resource] => {
            (*partition == "aws" || partition.starts_with("aws-"))
                && region.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-')
                && account.len() == 12
                && account.bytes().all(|b| b.is_ascii_digit())
                && (resource.strip_prefix("key/").is_some_and(key_id) || alias(resource))
        }
        _ => false,
    }
}

/// Checks a create request as the service does (names, ARNs, URIs, ranges) and parses its fields.
pub(crate) fn parse_request(request: &CreateJobRequest) -> Result<ParsedRequest, ApiError> {
    JobName::parse(&request.job_name).map_err(|_| {
        constraint(
            "jobName",
            &request.job_name,
            "Member must satisfy regular expression pattern: [a-zA-Z0-9]{1,63}(-*[a-zA-Z0-9\\+\\-\\.]){0,63}",
        )
    })?;
    RoleArn::parse(&request.role_arn).map_err(|_| {
        constraint(
            "roleArn",
            &request.role_arn,
            "Member must satisfy regular expression pattern: ^arn:aws(-[^:]+)?:iam::([0-9]{12})?:role/.+$",
        )
    })?;
    let model =
        ModelId::parse(&request.model_id).map_err(|e| constraint("modelId", &request.model_id, &e.to_string()))?;
    let invocation = match request.model_invocation_type.as_deref() {
        None | Some("InvokeModel") => InvocationType::InvokeModel,
        Some("Converse") => InvocationType::Converse,
        Some(other) => {
            return Err(ApiError::validation(format!(
                "modelInvocationType value '{other}' is not one of the supported enum values"
            )));
        }
    };
    let input_config = &request.input_data_config.s3_input_data_config;
    let input = S3Uri::parse(&input_config.s3_uri)
        .map_err(|e| constraint("inputDataConfig.s3InputDataConfig.s3Uri", &input_config.s3_uri, &e.rule))?;
    if input_config.s3_input_format.as_deref().is_some_and(|f| f != "JSONL") {
        return Err(ApiError::validation("s3InputFormat must be JSONL"));
    }
    let output_uri = &request.output_data_config.s3_output_data_config.s3_uri;
    let output = S3Uri::parse(output_uri)
        .map_err(|e| constraint("outputDataConfig.s3OutputDataConfig.s3Uri", output_uri, &e.rule))?;
    let timeout_hours = request.timeout_duration_in_hours.unwrap_or(24);
    if !(24..=168).contains(&timeout_hours) {
        return Err(constraint(
            "timeoutDurationInHours",
            &timeout_hours.to_string(),
            "Member must have value between 24 and 168",
        ));
    }
    if request.tags.as_ref().is_some_and(|t| t.len() > 200) {
        return Err(constraint("tags", "[…]", "Member must have length less than or equal to 200"));
    }
    check_members(request)?;
    if let Some(vpc) = &request.vpc_config
        && (!(1..=16).contains(&vpc.subnet_ids.len()) || !(1..=5).contains(&vpc.security_group_ids.len()))
    {
        return Err(ApiError::validation("vpcConfig needs 1–16 subnetIds and 1–5 securityGroupIds."));
    }
    let fault = request.tags.as_deref().and_then(JobFault::from_tags);
    Ok(ParsedRequest { model, invocation, input, output, timeout_hours, fault })
}
