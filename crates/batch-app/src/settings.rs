//! What the desktop app remembers between launches: the window's size and the analyst's last choices
//! (profile, region, template, model, S3 locations…). Kept as JSON in the app's folder; never a secret: the
//! choices are a closed type ([`Choices`]), so a name it does not have is never read, stored or written.

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

/// The remembered settings.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Settings {
    /// The window's inner size in logical pixels.
    pub window: Option<(u32, u32)>,
    /// The wizard's last choices.
    #[serde(default)]
    pub choices: Choices,
}

/// The wizard's choices the app remembers; each absent until chosen.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct Choices {
    /// The AWS profile.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "ts", ts(optional))]
    pub profile: Option<String>,
    /// The AWS region.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "ts", ts(optional))]
    pub region: Option<String>,
    /// The prompt template.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "ts", ts(optional))]
    pub template: Option<String>,
    /// The system prompt.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "ts", ts(optional))]
    pub system: Option<String>,
    /// The model or inference profile id.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "ts", ts(optional))]
    pub model: Option<String>,
    /// The most tokens an answer may have.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "ts", ts(optional))]
    pub max_tokens: Option<u32>,
    /// The model's parameters.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "ts", ts(optional))]
    pub params: Option<ParamChoices>,
    /// Where the job runs: role and S3 locations.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "ts", ts(optional))]
    pub target: Option<TargetChoices>,
    /// The colour theme.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "ts", ts(optional))]
    pub theme: Option<Theme>,
    /// The answer's shape: free text, labels, fields or a JSON Schema.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "ts", ts(optional))]
    pub answer: Option<batch_core::answer::AnswerShape>,
}

/// The model's parameters as last chosen (none: the model's defaults).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct ParamChoices {
    /// The request body: the model's own or Converse's; none for the family's default.
    pub invocation: Option<InvocationChoice>,
    /// Sampling temperature.
    pub temperature: Option<f64>,
    /// Nucleus sampling.
    pub top_p: Option<f64>,
}

/// The request body chosen for each record.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub enum InvocationChoice {
    /// The model's own body.
    InvokeModel,
    /// The Converse body.
    Converse,
}

impl From<InvocationChoice> for batch_core::model::InvocationType {
    fn from(choice: InvocationChoice) -> Self {
        match choice {
            InvocationChoice::InvokeModel => Self::InvokeModel,
            InvocationChoice::Converse => Self::Converse,
        }
    }
}

/// The job's role and S3 locations as last typed (empty: not yet given).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct TargetChoices {
    /// The service role's ARN.
    pub role_arn: String,
    /// Where the prepared parts go.
    pub input_uri: String,
    /// Where Bedrock writes the outputs.
    pub output_uri: String,
}

/// The colour theme: the system's, or one chosen.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub enum Theme {
    /// Follows the system's preference.
    System,
    /// Light.
    Light,
    /// Dark.
    Dark,
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
}

impl Settings {
    /// The settings file in the app's folder.
    pub fn path_in(home: &Path) -> PathBuf {
        home.join("settings.json")
    }

    /// Reads the settings; a missing or damaged file gives the defaults (the app must start regardless), and
    /// a name the choices do not have (a hand-edited file) is not read.
    pub fn load(path: &Path) -> Self {
        std::fs::read_to_string(path).ok().and_then(|text| serde_json::from_str(&text).ok()).unwrap_or_default()
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

    #[test]
    fn choices_are_saved_and_read_back() {
        let dir = tempfile::tempdir().unwrap();
        let path = Settings::path_in(dir.path());
        assert_eq!(Settings::load(&path), Settings::default(), "no file yet");
        let choices = Choices {
            model: Some("amazon.nova-lite-v1:0".into()),
            template: Some("Hi {{name}}".into()),
            max_tokens: Some(300),
            params: Some(ParamChoices { invocation: Some(InvocationChoice::Converse), ..ParamChoices::default() }),
            theme: Some(Theme::Dark),
            answer: Some(batch_core::answer::AnswerShape::Classify {
                labels: vec!["bug".into(), "praise".into()],
                multi: false,
                other: true,
            }),
            ..Choices::default()
        };
        let settings = Settings { window: Some((1200, 800)), choices: choices.clone() };
        settings.save(&path).unwrap();
        assert_eq!(Settings::load(&path), settings);
        let text = std::fs::read_to_string(&path).unwrap();
        assert!(text.contains(r#""invocation": "converse""#) && text.contains(r#""maxTokens": 300"#), "{text}");
        assert!(!text.contains("region"), "a choice never made is not written: {text}");
    }

    #[test]
    fn only_the_choices_the_app_has_are_read_and_damage_is_survived() {
        let dir = tempfile::tempdir().unwrap();
        let path = Settings::path_in(dir.path());
        // A hand-edited file (or a window sending more) keeps only the choices the type has: no list of
        // names to slip past, so a secret is never stored.
        std::fs::write(
            &path,
            r#"{"choices": {"model": "amazon.nova-lite-v1:0", "password": "hunter2",
                "target": {"roleArn": "arn", "inputUri": "", "outputUri": "", "secret": "x"}}}"#,
        )
        .unwrap();
        let read = Settings::load(&path);
        assert_eq!(read.choices.model.as_deref(), Some("amazon.nova-lite-v1:0"));
        assert_eq!(read.choices.target.as_ref().map(|t| t.role_arn.as_str()), Some("arn"));
        read.save(&path).unwrap();
        let text = std::fs::read_to_string(&path).unwrap();
        assert!(!text.contains("hunter2") && !text.contains("secret"), "{text}");
        std::fs::write(&path, "{half").unwrap();
        assert_eq!(Settings::load(&path), Settings::default());
    }
}
