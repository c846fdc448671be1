//! Who is calling: STS GetCallerIdentity, shown before anything is created.

use aws_config::SdkConfig;
use batch_app::ports::{CallerIdentity, ServiceError};

use crate::failure::service_error;

/// The caller's account, ARN and user id.
pub async fn caller_identity(config: &SdkConfig) -> Result<CallerIdentity, ServiceError> {
    let sts = aws_sdk_sts::Client::new(config);
    let who = sts.get_caller_identity().send().await.map_err(|e| service_error("GetCallerIdentity", e))?;
    Ok(CallerIdentity {
        account: who.account().unwrap_or_default().to_string(),
        arn: who.arn().unwrap_or_default().to_string(),
        user_id: who.user_id().unwrap_or_default().to_string(),
    })
}
