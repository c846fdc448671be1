//! Where the worker reads input and writes output: S3 in real use, memory in unit tests.

use std::collections::BTreeMap;
use std::sync::Mutex;

/// Why an object could not be read or written.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum StoreError {
    /// No such object.
    #[error("s3://{bucket}/{key} does not exist")]
    NotFound {
        /// Bucket.
        bucket: String,
        /// Key.
        key: String,
    },
    /// The store failed.
    #[error("object store: {0}")]
    Failed(String),
}

/// The few S3 operations the batch worker needs.
pub trait ObjectStore: Send + Sync {
    /// Keys under `prefix` in `bucket`, sorted.
    fn list(&self, bucket: &str, prefix: &str) -> Result<Vec<String>, StoreError>;
    /// An object's bytes.
    fn get(&self, bucket: &str, key: &str) -> Result<Vec<u8>, StoreError>;
    /// Writes an object.
    fn put(&self, bucket: &str, key: &str, bytes: Vec<u8>) -> Result<(), StoreError>;
}

/// An in-memory store.
#[derive(Debug, Default)]
pub struct MemoryStore {
    objects: Mutex<BTreeMap<(String, String), Vec<u8>>>,
}

impl MemoryStore {
    /// An empty store.
    pub fn new() -> Self {
        Self::default()
    }
}

impl ObjectStore for MemoryStore {
    fn list(&self, bucket: &str, prefix: &str) -> Result<Vec<String>, StoreError> {
        let objects = self.objects.lock().map_err(|_| StoreError::Failed("lock poisoned".into()))?;
        Ok(objects.keys().filter(|(b, k)| b == bucket && k.starts_with(prefix)).map(|(_, k)| k.clone()).collect())
    }

    fn get(&self, bucket: &str, key: &str) -> Result<Vec<u8>, StoreError> {
        let objects = self.objects.lock().map_err(|_| StoreError::Failed("lock poisoned".into()))?;
        objects
            .get(&(bucket.to_string(), key.to_string()))
            .cloned()
            .ok_or_else(|| StoreError::NotFound { bucket: bucket.into(), key: key.into() })
    }

    fn put(&self, bucket: &str, key: &str, bytes: Vec<u8>) -> Result<(), StoreError> {
        let mut objects = self.objects.lock().map_err(|_| StoreError::Failed("lock poisoned".into()))?;
        objects.insert((bucket.to_string(), key.to_string()), bytes);
        Ok(())
    }
}
