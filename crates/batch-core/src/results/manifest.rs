//! `manifest.json.out`: Bedrock's per-job record and token counts.

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::service_tier::Tier;

/// The file name Bedrock gives a job's manifest.
pub const MANIFEST_FILE: &str = "manifest.json.out";

/// Counts from one job's manifest.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Manifest {
    /// Records submitted.
    #[serde(default)]
    pub total_record_count: u64,
    /// Records processed.
    #[serde(default)]
    pub processed_record_count: u64,
    /// Records that succeeded.
    #[serde(default)]
    pub success_record_count: u64,
    /// Records that failed.
    #[serde(default)]
    pub error_record_count: u64,
    /// Input tokens submitted.
    #[serde(default)]
    pub input_token_count: u64,
    /// Output tokens generated.
    #[serde(default)]
    pub output_token_count: u64,
    /// How the folder's records were answered, when not by a batch job: this tool writes it into the manifests
    /// of the parts it answers on demand (Bedrock's own manifests have no such key, and mean `batch`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub service_tier: Option<Tier>,
}

impl Manifest {
    /// The tier that answered the folder's records.
    pub fn tier(&self) -> Tier {
        self.service_tier.unwrap_or_default()
    }
}

/// A manifest and where it was found.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FoundManifest {
    /// The file.
    pub path: PathBuf,
    /// Its counts.
    #[serde(flatten)]
    pub counts: Manifest,
}

/// Reads one manifest; `Err` is a short reason.
pub fn read_manifest(path: &Path) -> Result<Manifest, String> {
    let text = std::fs::read_to_string(path).map_err(|e| e.to_string())?;
    serde_json::from_str(&text).map_err(|e| format!("not a Bedrock manifest ({e})"))
}
