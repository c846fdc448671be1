//! Client request tokens: the same token for the same run and part, so a repeated submit never creates a
//! second job (the service ignores a request whose token it has seen).

use serde::{Deserialize, Serialize};

use super::NameError;

const MAX_LEN: usize = 256;

/// A token the service accepts: letters and digits, with single hyphens between them.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct ClientRequestToken(String);

impl ClientRequestToken {
    /// Validates a token as given.
    pub fn parse(raw: &str) -> Result<Self, NameError> {
        let ok = !raw.is_empty()
            && raw.len() <= MAX_LEN
            && raw.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-')
            && raw.starts_with(|c: char| c.is_ascii_alphanumeric())
            && raw.ends_with(|c: char| c.is_ascii_alphanumeric());
        if ok {
            Ok(Self(raw.to_string()))
        } else {
            Err(NameError::new(
                "client request token",
                raw,
                "use 1–256 letters and digits, with hyphens only between them",
            ))
        }
    }

    /// The token of part `part` (1-based) of run `run_id`: deterministic, so retrying the submit is safe.
    pub fn for_part(run_id: &str, part: usize) -> Self {
        let run: String = run_id.chars().filter(char::is_ascii_alphanumeric).take(MAX_LEN - 16).collect();
        let run = if run.is_empty() { "run".to_string() } else { run };
        Self(format!("{run}-p{part:04}"))
    }

    /// The token.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

crate::string_newtype::string_newtype!(ClientRequestToken, NameError);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_are_stable_per_run_and_part_and_always_valid() {
        let a = ClientRequestToken::for_part("run-2026-11-22_ab12", 3);
        assert_eq!(a, ClientRequestToken::for_part("run-2026-11-22_ab12", 3));
        assert_ne!(a, ClientRequestToken::for_part("run-2026-11-22_ab12", 4));
        assert_eq!(a.as_str(), "run20261122ab12-p0003");
        for run in ["", "---", &"x".repeat(400), "日本"] {
            let token = ClientRequestToken::for_part(run, 1);
            assert!(ClientRequestToken::parse(token.as_str()).is_ok(), "{run:?} → {token}");
        }
    }

    #[test]
    fn invalid_tokens_are_refused() {
        for raw in ["", "-a", "a-", "a_b", "a b"] {
            assert!(ClientRequestToken::parse(raw).is_err(), "{raw:?}");
        }
    }
}
