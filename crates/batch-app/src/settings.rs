//! What the desktop app remembers between launches: the window's size and the analyst's last choices
//! (profile, region, template, model, S3 locations…). Kept as JSON in the app's folder; never a secret —
//! keys that look like credentials are refused.

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

/// The remembered settings.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Settings {
    /// The window's inner size in logical pixels.
    pub window: Option<(u32, u32)>,
    /// The wizard's last choices, as the window sent them.
    #[serde(default)]
    pub choices: serde_json::Map<String, serde_json::Value>,
}

/// Why settings could not be saved.
#[derive(Debug, thiserror::Error)]
pub enum SettingsError {
    /// The file could not be written.
    #[error("{}: cannot save the settings: {source}", path.display())]
    Write {
        /// The file.
        path: PathBuf,
        /// What failed.
        source: std::io::Error,
    },
    /// A choice would store a secret.
    #[error("the choice {0:?} looks like a credential; secrets are never stored")]
    Secret(String),
}

/// Names of choices that must never be stored.
fn looks_secret(key: &str) -> bool {
    let key = key.to_ascii_lowercase();
    ["secret", "password", "sessiontoken", "session_token", "access_key", "accesskey"].iter().any(|s| key.contains(s))
}

impl Settings {
    /// The settings file in the app's folder.
    pub fn path_in(home: &Path) -> PathBuf {
        home.join("settings.json")
    }

    /// Reads the settings; a missing or damaged file gives the defaults (the app must start regardless).
    pub fn load(path: &Path) -> Self {
        std::fs::read_to_string(path).ok().and_then(|text| serde_json::from_str(&text).ok()).unwrap_or_default()
    }

    /// Merges `choices` into the remembered ones (a `null` forgets one).
    pub fn remember(&mut self, choices: serde_json::Map<String, serde_json::Value>) -> Result<(), SettingsError> {
        if let Some(key) = choices.keys().find(|k| looks_secret(k)) {
            return Err(SettingsError::Secret(key.clone()));
        }
        for (key, value) in choices {
            if value.is_null() {
                self.choices.remove(&key);
            } else {
                self.choices.insert(key, value);
            }
        }
        Ok(())
    }

    /// Writes the settings (through a temporary file, so a crash never leaves half a file).
    pub fn save(&self, path: &Path) -> Result<(), SettingsError> {
        let failed = |source| SettingsError::Write { path: path.to_path_buf(), source };
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir).map_err(failed)?;
        }
        let temp = path.with_extension("json.tmp");
        let text = serde_json::to_string_pretty(self).map_err(|e| failed(std::io::Error::other(e)))?;
        std::fs::write(&temp, text).map_err(failed)?;
        std::fs::rename(&temp, path).map_err(failed)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn choices_are_merged_saved_and_read_back() {
        let dir = tempfile::tempdir().unwrap();
        let path = Settings::path_in(dir.path());
        assert_eq!(Settings::load(&path), Settings::default(), "no file yet");
        let mut settings = Settings { window: Some((1200, 800)), ..Settings::default() };
        let first = json!({"model": "amazon.nova-lite-v1:0", "template": "Hi {{name}}", "region": "eu-west-1"});
        settings.remember(first.as_object().unwrap().clone()).unwrap();
        settings.remember(json!({"region": null, "maxTokens": 300}).as_object().unwrap().clone()).unwrap();
        settings.save(&path).unwrap();
        let read = Settings::load(&path);
        assert_eq!(read.window, Some((1200, 800)));
        assert_eq!(read.choices.get("template"), Some(&json!("Hi {{name}}")));
        assert_eq!(read.choices.get("maxTokens"), Some(&json!(300)));
        assert!(!read.choices.contains_key("region"), "null forgets");
    }

    #[test]
    fn secrets_are_refused_and_damage_is_survived() {
        let dir = tempfile::tempdir().unwrap();
        let mut settings = Settings::default();
        let error = settings.remember(json!({"awsSecretAccessKey": "x"}).as_object().unwrap().clone()).unwrap_err();
        assert!(error.to_string().contains("never stored"), "{error}");
        assert!(settings.choices.is_empty());
        let path = Settings::path_in(dir.path());
        std::fs::write(&path, "{half").unwrap();
        assert_eq!(Settings::load(&path), Settings::default());
    }
}
