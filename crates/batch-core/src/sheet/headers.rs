//! Validating a header row: every column named, every name unique.

use std::collections::HashMap;
use std::path::Path;

use super::ImportError;

/// Checks that headers are non-empty and unique; returns them unchanged.
pub(crate) fn validate(path: &Path, headers: Vec<String>) -> Result<Vec<String>, ImportError> {
    let mut seen: HashMap<&str, usize> = HashMap::with_capacity(headers.len());
    for (index, name) in headers.iter().enumerate() {
        if name.trim().is_empty() {
            return Err(ImportError::EmptyHeader { path: path.to_path_buf(), column: index + 1 });
        }
        if let Some(first) = seen.insert(name.as_str(), index) {
            return Err(ImportError::DuplicateHeader {
                path: path.to_path_buf(),
                name: name.clone(),
                first: first + 1,
                second: index + 1,
            });
        }
    }
    Ok(headers)
}
