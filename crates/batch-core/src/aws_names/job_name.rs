//! Bedrock batch job names: 1–63 characters, a letter or digit first, then letters, digits, `-`, `+` and `.`.

use serde::{Deserialize, Serialize};

use super::NameError;

const MAX_LEN: usize = 63;

/// A job name the service accepts.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct JobName(String);

fn allowed(c: char) -> bool {
    c.is_ascii_alphanumeric() || c == '-' || c == '+' || c == '.'
}

impl JobName {
    /// Validates a name as given.
    pub fn parse(raw: &str) -> Result<Self, NameError> {
        let err = |rule: &str| NameError::new("job name", raw, rule);
        if raw.is_empty() || raw.len() > MAX_LEN {
            return Err(err("it must be 1 to 63 characters long"));
        }
        if !raw.starts_with(|c: char| c.is_ascii_alphanumeric()) {
            return Err(err("it must start with a letter or a digit"));
        }
        if let Some(bad) = raw.chars().find(|&c| !allowed(c)) {
            return Err(err(&format!("it contains {bad:?}; use letters, digits, '-', '+' and '.' only")));
        }
        Ok(Self(raw.to_string()))
    }

    /// A valid name made from any text (other characters become `-`) with `suffix` kept whole at the end,
    /// e.g. `("Q3 reviews (final)", "p001")` → `Q3-reviews-final-p001`.
    pub fn derive(text: &str, suffix: &str) -> Self {
        let clean = |s: &str| {
            let mapped: String = s.chars().map(|c| if allowed(c) { c } else { '-' }).collect();
            let mut collapsed = String::with_capacity(mapped.len());
            for c in mapped.chars() {
                if !(c == '-' && collapsed.ends_with('-')) {
                    collapsed.push(c);
                }
            }
            collapsed.trim_matches(|c: char| !c.is_ascii_alphanumeric()).to_string()
        };
        let suffix = clean(suffix);
        let room = MAX_LEN - if suffix.is_empty() { 0 } else { suffix.len().min(MAX_LEN - 2) + 1 };
        let mut base = clean(text);
        base.truncate(room);
        let base = base.trim_end_matches(|c: char| !c.is_ascii_alphanumeric()).to_string();
        let base = if base.is_empty() { "batch".to_string() } else { base };
        let name = if suffix.is_empty() { base } else { format!("{base}-{suffix}") };
        let mut name: String = name.chars().take(MAX_LEN).collect();
        while name.ends_with(|c: char| !c.is_ascii_alphanumeric()) {
            name.pop();
        }
        Self(name)
    }

    /// The name.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

crate::string_newtype::string_newtype!(JobName, NameError);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_services_rules_are_enforced() {
        assert!(JobName::parse("reviews-2026.11+v2").is_ok());
        for (raw, hint) in
            [("", "1 to 63"), ("-x", "start with"), ("a b", "' '"), ("a_b", "'_'"), (&"x".repeat(64), "1 to 63")]
        {
            let err = JobName::parse(raw).unwrap_err().to_string();
            assert!(err.contains(hint), "{raw}: {err}");
        }
    }

    #[test]
    fn derived_names_are_always_valid_and_keep_the_suffix() {
        assert_eq!(JobName::derive("Q3 reviews (final)", "p001").as_str(), "Q3-reviews-final-p001");
        assert_eq!(JobName::derive("  ¡¿  ", "").as_str(), "batch");
        let long = JobName::derive(&"very long analyst title ".repeat(10), "p017");
        assert!(long.as_str().len() <= 63 && long.as_str().ends_with("-p017"), "{long}");
        for text in ["日本語のシート", "----", "a", "x.y+z", &"é".repeat(80)] {
            let name = JobName::derive(text, "p1");
            assert!(JobName::parse(name.as_str()).is_ok(), "{text} → {name}");
        }
    }
}
