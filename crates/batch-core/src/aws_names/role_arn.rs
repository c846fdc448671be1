//! IAM role ARNs for the job's service role: `arn:<partition>:iam::<account>:role/<path/><name>`.

use serde::{Deserialize, Serialize};

use super::NameError;

/// A role ARN the service accepts.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct RoleArn {
    raw: String,
    partition: String,
    account: String,
    /// Everything after `role/`: the optional path and the name.
    path_and_name: String,
}

impl RoleArn {
    /// Validates a role ARN, with a targeted fix for the usual mistakes.
    pub fn parse(raw: &str) -> Result<Self, NameError> {
        let err = |rule: &str| NameError::new("role ARN", raw, rule);
        if !raw.starts_with("arn:") {
            return Err(err(
                "give the role's full ARN, e.g. arn:aws:iam::123456789012:role/BedrockBatchRole, not just its name",
            ));
        }
        let parts: Vec<&str> = raw.splitn(6, ':').collect();
        let [_, partition, service, region, account, resource] = parts[..] else {
            return Err(err("an ARN has six ':'-separated parts: arn:aws:iam::<account>:role/<name>"));
        };
        if partition != "aws" && !partition.starts_with("aws-") {
            return Err(err("the partition must be aws, aws-cn or aws-us-gov"));
        }
        if service == "sts" && resource.starts_with("assumed-role/") {
            return Err(err(
                "this is a session (sts assumed-role) ARN; use the role's IAM ARN arn:aws:iam::<account>:role/<name>",
            ));
        }
        if service != "iam" || !region.is_empty() {
            return Err(err("a role ARN names the iam service and no region: arn:aws:iam::<account>:role/<name>"));
        }
        if !(account.is_empty() || (account.len() == 12 && account.bytes().all(|b| b.is_ascii_digit()))) {
            return Err(err("the account must be 12 digits"));
        }
        let Some(path_and_name) = resource.strip_prefix("role/").filter(|r| !r.is_empty() && !r.ends_with('/')) else {
            return Err(err(if resource.starts_with("user/") {
                "this is a user ARN; batch jobs need a service role that Bedrock assumes (arn:aws:iam::<account>:role/<name>)"
            } else {
                "the resource must be role/<name>"
            }));
        };
        Ok(Self {
            raw: raw.to_string(),
            partition: partition.to_string(),
            account: account.to_string(),
            path_and_name: path_and_name.to_string(),
        })
    }

    /// The partition (`aws`, `aws-cn`, `aws-us-gov`).
    pub fn partition(&self) -> &str {
        &self.partition
    }

    /// The 12-digit account (empty when the ARN omits it).
    pub fn account(&self) -> &str {
        &self.account
    }

    /// The role's name (the last path segment), as IAM's GetRole wants it.
    pub fn name(&self) -> &str {
        self.path_and_name.rsplit('/').next().unwrap_or(&self.path_and_name)
    }

    /// The role's path, `/` when it has none (e.g. `/service-role/`).
    pub fn path(&self) -> String {
        match self.path_and_name.rsplit_once('/') {
            Some((path, _)) => format!("/{path}/"),
            None => "/".to_string(),
        }
    }

    /// The ARN as given.
    pub fn as_str(&self) -> &str {
        &self.raw
    }
}

impl std::fmt::Display for RoleArn {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.raw)
    }
}

impl TryFrom<String> for RoleArn {
    type Error = NameError;
    fn try_from(value: String) -> Result<Self, Self::Error> {
        Self::parse(&value)
    }
}

impl From<RoleArn> for String {
    fn from(value: RoleArn) -> Self {
        value.raw
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn role_arns_with_and_without_paths() {
        let plain = RoleArn::parse("arn:aws:iam::123456789012:role/BedrockBatchRole").unwrap();
        assert_eq!((plain.account(), plain.name(), plain.path().as_str()), ("123456789012", "BedrockBatchRole", "/"));
        let sso = RoleArn::parse(
            "arn:aws:iam::123456789012:role/aws-reserved/sso.amazonaws.com/eu-west-1/AWSReservedSSO_Analyst_0123",
        )
        .unwrap();
        assert_eq!(sso.name(), "AWSReservedSSO_Analyst_0123");
        assert_eq!(sso.path(), "/aws-reserved/sso.amazonaws.com/eu-west-1/");
        assert_eq!(RoleArn::parse("arn:aws-us-gov:iam::123456789012:role/x").unwrap().partition(), "aws-us-gov");
    }

    #[test]
    fn the_usual_mistakes_get_a_targeted_fix() {
        let cases = [
            ("BedrockBatchRole", "full ARN"),
            ("arn:aws:sts::123456789012:assumed-role/Analyst/session", "session"),
            ("arn:aws:iam::123456789012:user/ann", "user ARN"),
            ("arn:aws:iam::12345:role/x", "12 digits"),
            ("arn:aws:iam:us-east-1:123456789012:role/x", "no region"),
            ("arn:aws:iam::123456789012:role/", "role/<name>"),
        ];
        for (raw, hint) in cases {
            let err = RoleArn::parse(raw).unwrap_err().to_string();
            assert!(err.contains(hint), "{raw}: {err}");
        }
    }
}
