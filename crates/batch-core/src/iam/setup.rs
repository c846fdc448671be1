//! What an access check is about: the job's role, S3 locations, model, region and account, and the
//! example resources and request contexts the checks evaluate.

use crate::aws_names::{RoleArn, S3Uri};
use crate::model::ModelId;

/// A representative job id (Bedrock's are 12 lowercase characters).
pub const EXAMPLE_JOB_ID: &str = "abcd1234efgh";

/// The job the checks are about.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AccessSetup {
    /// The service role.
    pub role_arn: RoleArn,
    /// The input prefix.
    pub input: S3Uri,
    /// The output prefix.
    pub output: S3Uri,
    /// The job's region.
    pub region: String,
    /// The job's account.
    pub account: String,
    /// The model or inference profile.
    pub model_id: ModelId,
    /// The buckets' owner when it is another account.
    pub bucket_owner: Option<String>,
    /// The KMS key that encrypts the output, if any.
    pub output_kms_key: Option<String>,
    /// For a cross-Region profile, the foundation-model ARNs the account says it routes to (GetInferenceProfile);
    /// `None` uses the bundled model table.
    pub profile_models: Option<Vec<String>>,
}

impl AccessSetup {
    /// The account that owns the buckets (`aws:ResourceAccount` of S3 requests).
    pub fn resource_account(&self) -> &str {
        self.bucket_owner.as_deref().unwrap_or(&self.account)
    }

    /// An object the job reads: a part under the input prefix, as this tool names them.
    pub fn input_object_arn(&self) -> String {
        let object = self.input.join("run-20260101-000000-example/part-001.jsonl");
        format!("arn:aws:s3:::{}/{}", object.bucket(), object.key())
    }

    /// An object the job writes: `<output>/<jobId>/…`.
    pub fn output_object_arn(&self) -> String {
        let object = self.output.join(&format!("{EXAMPLE_JOB_ID}/part-001.jsonl.out"));
        format!("arn:aws:s3:::{}/{}", object.bucket(), object.key())
    }

    /// The job's ARN (`aws:SourceArn` when Bedrock assumes the role).
    pub fn job_arn(&self) -> String {
        format!("arn:aws:bedrock:{}:{}:model-invocation-job/{EXAMPLE_JOB_ID}", self.region, self.account)
    }

    /// The ARN pattern of every job of the account in the region.
    pub fn jobs_arn_pattern(&self) -> String {
        format!("arn:aws:bedrock:{}:{}:model-invocation-job/*", self.region, self.account)
    }

    /// The model's resource ARN: the ARN given, an inference profile of the account, or a foundation model.
    pub fn model_arn(&self) -> String {
        let id = self.model_id.as_str();
        if id.starts_with("arn:") {
            return id.to_string();
        }
        match self.model_id.profile_prefix() {
            Some(_) => format!("arn:aws:bedrock:{}:{}:inference-profile/{id}", self.region, self.account),
            None => format!("arn:aws:bedrock:{}::foundation-model/{id}", self.region),
        }
    }

    /// The foundation-model ARNs a cross-Region profile routes to (using a profile needs permission on each,
    /// AWS's inference-profile prerequisites): the account's answer when known, else from the bundled model table
    /// one per destination Region, the Region-less ARN for a global profile, every Region's for a profile the table
    /// does not know. Empty for a foundation model or an ARN.
    pub fn profile_model_arns(&self) -> Vec<String> {
        if self.model_id.as_str().starts_with("arn:") || self.model_id.profile_prefix().is_none() {
            return Vec::new();
        }
        if let Some(listed) = &self.profile_models {
            return listed.clone();
        }
        let base = self.model_id.base_id();
        let catalogue = crate::model_catalogue::ModelCatalogue::bundled();
        match catalogue.destinations(&self.model_id) {
            Some([]) => vec![format!("arn:aws:bedrock:::foundation-model/{base}")],
            Some(regions) => regions.iter().map(|r| format!("arn:aws:bedrock:{r}::foundation-model/{base}")).collect(),
            None => vec![format!("arn:aws:bedrock:*::foundation-model/{base}")],
        }
    }

    /// The output KMS key as an ARN, when it can be written as one (an alias cannot).
    pub fn kms_key_arn(&self) -> Option<Result<String, String>> {
        let key = self.output_kms_key.as_deref()?;
        Some(if key.starts_with("arn:aws:kms:") && key.contains(":key/") {
            Ok(key.to_string())
        } else if key.starts_with("alias/") || key.contains(":alias/") {
            Err(format!("the key is given as an alias ({key}); which key it names is not known offline"))
        } else {
            Ok(format!("arn:aws:kms:{}:{}:key/{key}", self.region, self.account))
        })
    }
}
