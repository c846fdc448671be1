//! Least-privilege policies for exactly this job, ready to copy: the service role's trust policy and S3
//! permissions, and the caller's statements (PassRole, the job calls, the transfers).

use serde_json::{Value, json};

use super::setup::AccessSetup;

/// The trust policy that lets Bedrock — and only for this account's jobs in this region — assume the role.
pub fn trust_policy(setup: &AccessSetup) -> Value {
    json!({
        "Version": "2012-10-17",
        "Statement": [{
            "Sid": "BedrockBatchAssumeRole",
            "Effect": "Allow",
            "Principal": {"Service": "bedrock.amazonaws.com"},
            "Action": "sts:AssumeRole",
            "Condition": {
                "StringEquals": {"aws:SourceAccount": setup.account},
                "ArnLike": {"aws:SourceArn": setup.jobs_arn_pattern()}
            }
        }]
    })
}

/// The role's S3 statements: read the input prefix, list both buckets, write the output prefix (plus the
/// output key's use when one is given).
pub fn role_policy(setup: &AccessSetup) -> Value {
    let owner = json!({"StringEquals": {"aws:ResourceAccount": setup.resource_account()}});
    let mut buckets = vec![setup.input.bucket_arn()];
    if setup.output.bucket() != setup.input.bucket() {
        buckets.push(setup.output.bucket_arn());
    }
    let mut statements = vec![
        json!({"Sid": "ReadBatchInput", "Effect": "Allow", "Action": "s3:GetObject",
               "Resource": setup.input.as_folder().objects_arn(), "Condition": owner}),
        json!({"Sid": "ListBatchBuckets", "Effect": "Allow", "Action": "s3:ListBucket",
               "Resource": buckets, "Condition": owner}),
        json!({"Sid": "WriteBatchOutput", "Effect": "Allow", "Action": "s3:PutObject",
               "Resource": setup.output.as_folder().objects_arn(), "Condition": owner}),
    ];
    if let Some(Ok(key)) = setup.kms_key_arn() {
        statements.push(json!({"Sid": "EncryptBatchOutput", "Effect": "Allow",
                               "Action": ["kms:GenerateDataKey", "kms:Decrypt"], "Resource": key}));
    }
    json!({"Version": "2012-10-17", "Statement": statements})
}

/// The caller's statement that allows passing this role to Bedrock, and only to Bedrock.
pub fn pass_role_statement(setup: &AccessSetup) -> Value {
    json!({"Sid": "PassBatchRoleToBedrock", "Effect": "Allow", "Action": "iam:PassRole",
           "Resource": setup.role_arn.as_str(),
           "Condition": {"StringEquals": {"iam:PassedToService": "bedrock.amazonaws.com"}}})
}

/// The caller's statement for creating and following jobs with this model (a profile's destination models too).
pub fn job_statement(setup: &AccessSetup) -> Value {
    let mut resources = vec![setup.model_arn()];
    resources.extend(setup.profile_model_arns());
    resources.push(setup.jobs_arn_pattern());
    json!({"Sid": "RunBatchJobs", "Effect": "Allow",
           "Action": ["bedrock:CreateModelInvocationJob", "bedrock:GetModelInvocationJob",
                      "bedrock:ListModelInvocationJobs", "bedrock:StopModelInvocationJob"],
           "Resource": resources})
}

/// The caller's statement allowing bedrock:InvokeModel on the model (and a profile's destination models), which
/// users report batch jobs through profiles need although AWS's batch permissions page does not list it.
pub fn invoke_statement(setup: &AccessSetup) -> Value {
    let mut resources = vec![setup.model_arn()];
    resources.extend(setup.profile_model_arns());
    json!({"Sid": "InvokeBatchModel", "Effect": "Allow", "Action": "bedrock:InvokeModel", "Resource": resources})
}

/// The caller's S3 statements: upload the input, read and list the output.
pub fn caller_s3_statements(setup: &AccessSetup) -> Vec<Value> {
    vec![
        json!({"Sid": "UploadBatchInput", "Effect": "Allow", "Action": "s3:PutObject",
               "Resource": setup.input.as_folder().objects_arn()}),
        json!({"Sid": "ReadBatchOutput", "Effect": "Allow", "Action": "s3:GetObject",
               "Resource": setup.output.as_folder().objects_arn()}),
        json!({"Sid": "ListBatchOutput", "Effect": "Allow", "Action": "s3:ListBucket",
               "Resource": setup.output.bucket_arn()}),
    ]
}

/// The whole caller policy.
pub fn caller_policy(setup: &AccessSetup) -> Value {
    let mut statements = vec![pass_role_statement(setup), job_statement(setup), invoke_statement(setup)];
    statements.extend(caller_s3_statements(setup));
    json!({"Version": "2012-10-17", "Statement": statements})
}

/// Pretty JSON for printing.
pub fn pretty(value: &Value) -> String {
    serde_json::to_string_pretty(value).unwrap_or_else(|_| value.to_string())
}
