//! Browsing S3 for the Submit step's locations: the buckets, then one folder level at a time
//! (ListObjectsV2 with a `/` delimiter). Where listing is not allowed, the answer says so and the analyst
//! types the location instead.

use aws_sdk_s3::Client;
use batch_app::ports::{FailureKind, S3Entry, S3Listing, ServiceError};
use batch_core::aws_names::S3Uri;

use crate::failure::service_error;

/// Most entries listed at one level.
const MOST: i32 = 500;

/// Lists the buckets (`location` empty) or one level below `location`.
pub async fn browse(client: &Client, location: &str) -> Result<S3Listing, ServiceError> {
    let location = location.trim();
    if location.is_empty() || location == "s3://" {
        let buckets = client.list_buckets().send().await.map_err(|e| service_error("ListBuckets", e))?;
        let entries = buckets
            .buckets()
            .iter()
            .filter_map(|b| b.name())
            .map(|name| S3Entry { uri: format!("s3://{name}/"), name: name.to_string(), folder: true, size: None })
            .collect();
        return Ok(S3Listing { location: String::new(), parent: None, entries, truncated: false });
    }
    let uri = S3Uri::parse(location).map_err(|e| ServiceError::new(FailureKind::Invalid, "browse", e.to_string()))?;
    let prefix = match uri.key() {
        "" => String::new(),
        key if key.ends_with('/') => key.to_string(),
        key => format!("{key}/"),
    };
    let listed = client
        .list_objects_v2()
        .bucket(uri.bucket())
        .prefix(&prefix)
        .delimiter("/")
        .max_keys(MOST)
        .send()
        .await
        .map_err(|e| service_error("ListObjectsV2", e))?;
    let base = format!("s3://{}/", uri.bucket());
    let last_part = |key: &str| key.trim_end_matches('/').rsplit('/').next().unwrap_or(key).to_string();
    let mut entries: Vec<S3Entry> = listed
        .common_prefixes()
        .iter()
        .filter_map(|p| p.prefix())
        .map(|p| S3Entry { uri: format!("{base}{p}"), name: last_part(p), folder: true, size: None })
        .collect();
    entries.extend(
        listed.contents().iter().filter_map(|o| o.key().map(|k| (k, o.size()))).filter(|(k, _)| *k != prefix).map(
            |(key, size)| S3Entry {
                uri: format!("{base}{key}"),
                name: last_part(key),
                folder: false,
                size: size.map(|s| s.max(0) as u64),
            },
        ),
    );
    let parent = if prefix.is_empty() {
        Some(String::new())
    } else {
        let trimmed = prefix.trim_end_matches('/');
        Some(match trimmed.rsplit_once('/') {
            Some((up, _)) => format!("{base}{up}/"),
            None => base.clone(),
        })
    };
    Ok(S3Listing {
        location: format!("{base}{prefix}"),
        parent,
        entries,
        truncated: listed.is_truncated().unwrap_or(false),
    })
}
