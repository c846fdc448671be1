//! The Submit step's S3 browsing.

use super::{Studio, StudioError};
use crate::ports::{Backend, Connector, FailureKind, S3Listing};

impl<C: Connector> Studio<C> {
    /// Lists the buckets (`location` empty) or one folder level below `location`.
    pub async fn browse_s3(&self, location: &str) -> Result<S3Listing, StudioError> {
        let (connection, _) = self.connected().await?;
        connection.browse(location).await.map_err(|error| match error.kind {
            FailureKind::AccessDenied => StudioError::Invalid(format!(
                "you may not list {}: type the S3 location instead ({})",
                if location.is_empty() { "the buckets" } else { location },
                error.message.lines().next().unwrap_or_default()
            )),
            _ => error.into(),
        })
    }
}
