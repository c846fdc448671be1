//! Secrets out of log text: AWS access key ids, request signatures and the values of the process's secret
//! environment variables are replaced before a line reaches a file or the recent-problems list.

use std::borrow::Cow;

/// The environment variables whose values are secrets wherever they appear.
const SECRET_VARIABLES: [&str; 3] = ["AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_SECURITY_TOKEN"];

/// What a redacted secret becomes.
pub const REDACTED: &str = "[redacted]";

/// The secret values to take out of every line: this process's credentials from its environment.
#[derive(Debug, Clone, Default)]
pub struct Secrets {
    values: Vec<String>,
}

impl Secrets {
    /// The secrets of this process's environment (values shorter than 8 characters are not secrets worth hiding
    /// and would blank ordinary words).
    pub fn from_environment() -> Self {
        Self::of(SECRET_VARIABLES.iter().filter_map(|name| std::env::var(name).ok()))
    }

    /// These values as secrets.
    pub fn of(values: impl IntoIterator<Item = String>) -> Self {
        Self { values: values.into_iter().filter(|v| v.trim().len() >= 8).collect() }
    }

    /// `text` with every secret, access key id and signature replaced by [`REDACTED`].
    pub fn redact<'a>(&self, text: &'a str) -> Cow<'a, str> {
        let mut out = Cow::Borrowed(text);
        for value in &self.values {
            if out.contains(value.as_str()) {
                out = Cow::Owned(out.replace(value.as_str(), REDACTED));
            }
        }
        let keys = redact_access_keys(&out);
        let signed = redact_after(&keys, "Signature=", |c| c.is_ascii_hexdigit());
        let tokened = redact_after(&signed, "X-Amz-Security-Token=", |c| !c.is_whitespace() && c != '&' && c != '"');
        if tokened == text { Cow::Borrowed(text) } else { Cow::Owned(tokened.into_owned()) }
    }
}

/// Access key ids (`AKIA…`/`ASIA…` and 16 more capitals or digits) replaced.
fn redact_access_keys(text: &str) -> Cow<'_, str> {
    let bytes = text.as_bytes();
    let is_key_char = |b: u8| b.is_ascii_uppercase() || b.is_ascii_digit();
    let mut out = String::new();
    let (mut copied, mut at) = (0, 0);
    while at + 20 <= bytes.len() {
        let prefix = &bytes[at..at + 4];
        let starts_word = at == 0 || !is_key_char(bytes[at - 1]);
        let ends_word = bytes.get(at + 20).is_none_or(|&b| !is_key_char(b));
        if (prefix == b"AKIA" || prefix == b"ASIA")
            && starts_word
            && ends_word
            && bytes[at + 4..at + 20].iter().all(|&b| is_key_char(b))
        {
            out.push_str(&text[copied..at]);
            out.push_str(REDACTED);
            at += 20;
            copied = at;
        } else {
            at += 1;
        }
    }
    if copied == 0 {
        return Cow::Borrowed(text);
    }
    out.push_str(&text[copied..]);
    Cow::Owned(out)
}

/// The run of characters matching `keep` after each `marker` replaced.
fn redact_after<'a>(text: &'a str, marker: &str, keep: impl Fn(char) -> bool) -> Cow<'a, str> {
    if !text.contains(marker) {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(found) = rest.find(marker) {
        let after = found + marker.len();
        out.push_str(&rest[..after]);
        let value_len: usize = rest[after..].chars().take_while(|&c| keep(c)).map(char::len_utf8).sum();
        if value_len > 0 {
            out.push_str(REDACTED);
        }
        rest = &rest[after + value_len..];
    }
    out.push_str(rest);
    Cow::Owned(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn access_key_ids_signatures_and_tokens_are_taken_out() {
        let secrets = Secrets::default();
        let line = "Credential=AKIAIOSFODNN7EXAMPLE/20261203/us-east-1/s3/aws4_request, SignedHeaders=host, \
                    Signature=fe5f80f77d5fa3beca038a248ff027d0445342fe2855ddc963176630326f1024 url?X-Amz-Security-Token=IQoJb3JpZ2luX2VjE&x=1";
        let out = secrets.redact(line);
        assert!(!out.contains("AKIAIOSFODNN7EXAMPLE") && !out.contains("fe5f80f7") && !out.contains("IQoJb3"), "{out}");
        assert!(out.contains("Credential=[redacted]/20261203") && out.contains("&x=1"), "{out}");
    }

    #[test]
    fn the_environment_s_secret_values_are_taken_out_wherever_they_are() {
        let secrets = Secrets::of(["wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY".to_string(), "short".to_string()]);
        let out = secrets.redact("key wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY in a short line");
        assert_eq!(out, "key [redacted] in a short line");
    }

    #[test]
    fn ordinary_text_is_left_as_it_is() {
        let secrets = Secrets::of(["a-long-secret".to_string()]);
        for line in
            ["run 20261203-abc submitted", "AKIA is a prefix", "ASIAXXXXXXXXXXXXXXXXXXXXX (too long)", "Signature="]
        {
            assert!(matches!(secrets.redact(line), Cow::Borrowed(_)), "{line}");
        }
    }
}
