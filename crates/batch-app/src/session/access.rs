//! The Access step: the access check of the job the wizard is about to submit — live from AWS when
//! connected, or over policy documents the analyst pastes (offline, and always in the sandbox, where no IAM
//! exists) — with the least-privilege policies that fix it.

use batch_core::iam::{AccessPolicies, AccessReport, AccessSetup, Known, Policy, fixes, run_checks};
use batch_core::model::ModelId;
use serde::{Deserialize, Serialize};

use super::{Studio, StudioError, job_target};
use crate::ports::{Backend, Connector};

/// The job whose access is checked.
#[derive(Debug, Clone, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct AccessForm {
    /// The service role (the sandbox's when empty there).
    pub role_arn: Option<String>,
    /// Input prefix.
    pub input_uri: Option<String>,
    /// Output prefix.
    pub output_uri: Option<String>,
    /// The model or inference profile.
    pub model: String,
    /// Policy documents to check instead of reading them from AWS.
    pub documents: Option<AccessDocuments>,
}

/// Pasted policy documents (JSON text).
#[derive(Debug, Clone, Default, Deserialize, Serialize, PartialEq, Eq)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct AccessDocuments {
    /// The role's trust policy.
    pub trust: String,
    /// The role's permission policy.
    pub role: String,
    /// The caller's policy.
    pub caller: String,
}

/// What the Access step shows.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct AccessView {
    /// The checks and the verdict.
    pub report: AccessReport,
    /// Notes: where the policies came from, what could not be read.
    pub notes: Vec<String>,
    /// The least-privilege policies for this job, to copy or to start from.
    pub fixes: AccessDocuments,
    /// True when the documents were pasted rather than read from AWS.
    pub offline: bool,
}

fn invalid(message: impl Into<String>) -> StudioError {
    StudioError::Invalid(message.into())
}

fn parse_many(name: &str, text: &str) -> Result<Known<Vec<Policy>>, StudioError> {
    if text.trim().is_empty() {
        return Ok(Known::No(format!("no {name} was pasted")));
    }
    Ok(Known::Yes(vec![Policy::parse(name, text).map_err(|e| invalid(e.to_string()))?]))
}

impl<C: Connector> Studio<C> {
    /// Checks the access of the job described by `form`.
    pub async fn check_access(&self, form: &AccessForm) -> Result<AccessView, StudioError> {
        let (connection, info) = self.connected().await?;
        let (role_arn, input, output) =
            job_target(&form.role_arn, &form.input_uri, &form.output_uri, info.sandbox, |what| {
                format!("enter the {what} to check (Submit step fields)")
            })?;
        let mut setup = AccessSetup {
            role_arn,
            input,
            output,
            region: info.region.clone(),
            account: info.account.clone(),
            model_id: ModelId::parse(&form.model).map_err(|e| invalid(format!("model: {e}")))?,
            bucket_owner: None,
            output_kms_key: None,
            profile_models: None,
        };
        // A cross-Region profile's destination models, as the account lists them (the checks and fixes use them).
        let mut notes: Vec<String> =
            crate::profile_routes::resolve_profile_models(connection.as_ref(), &mut setup).await.into_iter().collect();
        let fixes = AccessDocuments {
            trust: fixes::pretty(&fixes::trust_policy(&setup)),
            role: fixes::pretty(&fixes::role_policy(&setup)),
            caller: fixes::pretty(&fixes::caller_policy(&setup)),
        };
        let (report, found_notes, offline) = match &form.documents {
            Some(documents) => {
                let trust = if documents.trust.trim().is_empty() {
                    return Err(invalid(
                        "paste the role's trust policy (IAM → Roles → the role → Trust relationships)",
                    ));
                } else {
                    Policy::parse("trust policy", &documents.trust).map_err(|e| invalid(e.to_string()))?
                };
                let policies = AccessPolicies {
                    trust: Known::Yes(trust),
                    role: parse_many("role policy", &documents.role)?,
                    caller_arn: Some(info.caller.clone()),
                    caller: parse_many("caller policy", &documents.caller)?,
                };
                let note = if info.sandbox {
                    "offline sandbox: no IAM exists here, so the pasted documents were checked as AWS would evaluate them"
                } else {
                    "checked the pasted documents (not the ones in the account)"
                };
                (run_checks(&setup, &policies), vec![note.to_string()], true)
            }
            None if info.sandbox => {
                return Err(invalid(
                    "the offline sandbox has no IAM to read; paste the role's trust and permission policies and your own policy to check them",
                ));
            }
            None => {
                let (report, notes) = connection.check_access(&setup).await?;
                (report, notes, false)
            }
        };
        notes.extend(found_notes);
        Ok(AccessView { report, notes, fixes, offline })
    }
}
