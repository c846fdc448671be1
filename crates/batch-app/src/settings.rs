//! What the desktop app remembers between launches: the window's size and the analyst's last choices
//! (profile, region, template, model, S3 locations…). Kept as JSON in the app's folder; never a secret: only
//! the choices listed in [`REMEMBERED`], each of the shape listed, are stored — anything else is refused.

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
    /// A choice the app does not remember (only the listed ones are stored, so never a secret).
    #[error("the choice {0:?} is not one the app remembers; only {list} are stored, never a secret", list = REMEMBERED.iter().map(|(k, _)| *k).collect::<Vec<_>>().join(", "))]
    NotRemembered(String),
}

/// The shape a remembered choice may have.
#[derive(Debug, Clone, Copy)]
enum Shape {
    /// A string, number or boolean.
    Value,
    /// An object with only these keys, each a value.
    Object(&'static [&'static str]),
}

/// Every choice the app remembers, with its shape.
const REMEMBERED: &[(&str, Shape)] = &[
    ("profile", Shape::Value),
    ("region", Shape::Value),
    ("template", Shape::Value),
    ("system", Shape::Value),
    ("model", Shape::Value),
    ("maxTokens", Shape::Value),
    ("theme", Shape::Value),
    ("params", Shape::Object(&["invocation", "temperature", "topP"])),
    ("target", Shape::Object(&["roleArn", "inputUri", "outputUri"])),
];

/// True when `value` may be remembered as the choice `key` (or forgets it: `null`).
fn rememberable(key: &str, value: &serde_json::Value) -> bool {
    let scalar = |v: &serde_json::Value| !v.is_object() && !v.is_array();
    match REMEMBERED.iter().find(|(k, _)| *k == key).map(|(_, shape)| *shape) {
        None => false,
        Some(Shape::Value) => scalar(value),
        Some(Shape::Object(keys)) => {
            value.is_null()
                || value.as_object().is_some_and(|o| o.iter().all(|(k, v)| keys.contains(&k.as_str()) && scalar(v)))
        }
    }
}

impl Settings {
    /// The settings file in the app's folder.
    pub fn path_in(home: &Path) -> PathBuf {
        home.join("settings.json")
    }

    /// Reads the settings; a missing or damaged file gives the defaults (the app must start regardless), and a
    /// choice the app does not remember (a hand-edited file) is dropped.
    pub fn load(path: &Path) -> Self {
        let mut settings: Self =
            std::fs::read_to_string(path).ok().and_then(|text| serde_json::from_str(&text).ok()).unwrap_or_default();
        settings.choices.retain(|key, value| rememberable(key, value));
        settings
    }

    /// Merges `choices` into the remembered ones (a `null` forgets one); refuses all of them when one is not a
    /// choice the app remembers.
    pub fn remember(&mut self, choices: serde_json::Map<String, serde_json::Value>) -> Result<(), SettingsError> {
        if let Some((key, _)) = choices.iter().find(|(k, v)| !rememberable(k, v)) {
            return Err(SettingsError::NotRemembered(key.clone()));
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
    fn only_the_listed_choices_are_stored_and_damage_is_survived() {
        let dir = tempfile::tempdir().unwrap();
        let mut settings = Settings::default();
        // Any name outside the list is refused, however innocent it sounds: no filter of names to slip past.
        for refused in [
            json!({"awsSecretAccessKey": "x"}),
            json!({"notes": "AKIAIOSFODNN7EXAMPLE"}),
            json!({"target": {"roleArn": "arn", "secret": "x"}}),
            json!({"params": {"temperature": {"nested": "x"}}}),
            json!({"model": ["a", "b"]}),
        ] {
            let error = settings.remember(refused.as_object().unwrap().clone()).unwrap_err();
            assert!(error.to_string().contains("never a secret"), "{refused}: {error}");
        }
        assert!(settings.choices.is_empty());
        // A hand-edited file keeps only what the app remembers.
        let path = Settings::path_in(dir.path());
        std::fs::write(&path, r#"{"choices": {"model": "amazon.nova-lite-v1:0", "password": "hunter2"}}"#).unwrap();
        let read = Settings::load(&path);
        assert_eq!(read.choices.keys().collect::<Vec<_>>(), ["model"]);
        std::fs::write(&path, "{half").unwrap();
        assert_eq!(Settings::load(&path), Settings::default());
    }
}
