//! The worker's object store on S3 (or any S3-compatible endpoint, such as moto), through aws-sdk-s3.
//!
//! The worker is synchronous and runs on a blocking thread, so each call drives the async client with a
//! runtime handle.

use aws_sdk_s3::Client;
use aws_sdk_s3::primitives::ByteStream;
use tokio::runtime::Handle;

use crate::store::{ObjectStore, StoreError};

/// S3 through aws-sdk-s3.
pub struct S3Store {
    client: Client,
    runtime: Handle,
}

impl S3Store {
    /// A store over `client`, driven by `runtime`.
    pub fn new(client: Client, runtime: Handle) -> Self {
        Self { client, runtime }
    }

    /// A client from the standard AWS environment (profiles, `AWS_ENDPOINT_URL[_S3]`, region); path-style
    /// addressing when the endpoint is custom, as loopback emulators need.
    pub async fn client_from_env() -> Client {
        let config = aws_config::load_defaults(aws_config::BehaviorVersion::latest()).await;
        let custom = std::env::var_os("AWS_ENDPOINT_URL_S3").or_else(|| std::env::var_os("AWS_ENDPOINT_URL")).is_some();
        Client::from_conf(aws_sdk_s3::config::Builder::from(&config).force_path_style(custom).build())
    }
}

fn failed(error: impl std::fmt::Display) -> StoreError {
    StoreError::Failed(error.to_string())
}

impl ObjectStore for S3Store {
    fn list(&self, bucket: &str, prefix: &str) -> Result<Vec<String>, StoreError> {
        self.runtime.block_on(async {
            let mut keys = Vec::new();
            let mut pages = self.client.list_objects_v2().bucket(bucket).prefix(prefix).into_paginator().send();
            while let Some(page) = pages.next().await {
                let page = page.map_err(|e| failed(aws_sdk_s3::error::DisplayErrorContext(e)))?;
                keys.extend(page.contents().iter().filter_map(|o| o.key().map(str::to_string)));
            }
            keys.sort();
            Ok(keys)
        })
    }

    fn get(&self, bucket: &str, key: &str) -> Result<Vec<u8>, StoreError> {
        self.runtime.block_on(async {
            let object = self.client.get_object().bucket(bucket).key(key).send().await.map_err(|e| {
                if e.as_service_error().is_some_and(|s| s.is_no_such_key()) {
                    StoreError::NotFound { bucket: bucket.into(), key: key.into() }
                } else {
                    failed(aws_sdk_s3::error::DisplayErrorContext(e))
                }
            })?;
            let bytes = object.body.collect().await.map_err(failed)?;
            Ok(bytes.into_bytes().to_vec())
        })
    }

    fn put(&self, bucket: &str, key: &str, bytes: Vec<u8>) -> Result<(), StoreError> {
        self.runtime.block_on(async {
            self.client
                .put_object()
                .bucket(bucket)
                .key(key)
                .body(ByteStream::from(bytes))
                .send()
                .await
                .map_err(|e| failed(aws_sdk_s3::error::DisplayErrorContext(e)))?;
            Ok(())
        })
    }
}
