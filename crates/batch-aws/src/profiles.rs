//! The named profiles of the shared AWS config and credentials files, with each profile's region and, for
//! IAM Identity Center (SSO) profiles, whether a cached sign-in is still valid — so the Connect step can
//! list them and say "run `aws sso login --profile NAME`" before a connection fails. No secret is read.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::Serialize;

/// One profile as the Connect step lists it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct ProfileInfo {
    /// Its name.
    pub name: String,
    /// Its region, when set.
    pub region: Option<String>,
    /// True for an IAM Identity Center (SSO) profile.
    pub sso: bool,
    /// For SSO profiles: true when a cached sign-in is still valid, false when it expired or none exists.
    pub signed_in: Option<bool>,
    /// What to do before connecting, when something is needed.
    pub hint: Option<String>,
}

/// The files read: the config file, the credentials file and the SSO token cache folder.
#[derive(Debug, Clone)]
pub struct ProfileFiles {
    /// `~/.aws/config` or `AWS_CONFIG_FILE`.
    pub config: PathBuf,
    /// `~/.aws/credentials` or `AWS_SHARED_CREDENTIALS_FILE`.
    pub credentials: PathBuf,
    /// `~/.aws/sso/cache`.
    pub sso_cache: PathBuf,
}

impl ProfileFiles {
    /// Where the AWS CLI and SDKs look.
    pub fn standard() -> Self {
        // The SDK's order: HOME (Unix, and set by some Windows shells), else USERPROFILE (Windows).
        let home = std::env::var_os("HOME")
            .or_else(|| std::env::var_os("USERPROFILE"))
            .map(PathBuf::from)
            .unwrap_or_default()
            .join(".aws");
        let env = |name: &str, default: PathBuf| std::env::var_os(name).map(PathBuf::from).unwrap_or(default);
        Self {
            config: env("AWS_CONFIG_FILE", home.join("config")),
            credentials: env("AWS_SHARED_CREDENTIALS_FILE", home.join("credentials")),
            sso_cache: home.join("sso").join("cache"),
        }
    }
}

/// Sections of an INI file: `[name]` → key → value.
fn sections(text: &str) -> Vec<(String, BTreeMap<String, String>)> {
    let mut out: Vec<(String, BTreeMap<String, String>)> = Vec::new();
    for line in text.lines() {
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') || line.starts_with(';') {
            continue;
        }
        if let Some(name) = line.strip_prefix('[').and_then(|l| l.strip_suffix(']')) {
            out.push((name.trim().to_string(), BTreeMap::new()));
        } else if let (Some((key, value)), Some((_, section))) = (line.split_once('='), out.last_mut()) {
            section.insert(key.trim().to_ascii_lowercase(), value.trim().to_string());
        }
    }
    out
}

/// The start URLs with a sign-in cached until after `now` (unix seconds), and those cached but expired.
fn cached_sign_ins(cache: &Path, now: i64) -> (Vec<String>, Vec<String>) {
    let (mut valid, mut expired) = (Vec::new(), Vec::new());
    let Ok(entries) = std::fs::read_dir(cache) else { return (valid, expired) };
    for entry in entries.flatten() {
        let Ok(text) = std::fs::read_to_string(entry.path()) else { continue };
        let Ok(token) = serde_json::from_str::<serde_json::Value>(&text) else { continue };
        let (Some(url), Some(expires)) = (token["startUrl"].as_str(), token["expiresAt"].as_str()) else { continue };
        let live = batch_core::clock::unix_from_rfc3339(expires).is_some_and(|at| at > now);
        if live { valid.push(url.to_string()) } else { expired.push(url.to_string()) }
    }
    (valid, expired)
}

/// The profiles of the shared files, sorted by name (`default` first).
pub fn list_profiles(files: &ProfileFiles, now: i64) -> Vec<ProfileInfo> {
    let config = sections(&std::fs::read_to_string(&files.config).unwrap_or_default());
    let credentials = sections(&std::fs::read_to_string(&files.credentials).unwrap_or_default());
    let sso_sessions: BTreeMap<&str, &BTreeMap<String, String>> =
        config.iter().filter_map(|(name, keys)| Some((name.strip_prefix("sso-session ")?.trim(), keys))).collect();
    let (valid, expired) = cached_sign_ins(&files.sso_cache, now);
    let mut profiles: BTreeMap<String, ProfileInfo> = BTreeMap::new();
    for (name, _) in &credentials {
        profiles.insert(
            name.clone(),
            ProfileInfo { name: name.clone(), region: None, sso: false, signed_in: None, hint: None },
        );
    }
    for (section, keys) in &config {
        let name = if section == "default" {
            "default"
        } else if let Some(name) = section.strip_prefix("profile ") {
            name.trim()
        } else {
            continue;
        };
        let session = keys.get("sso_session").and_then(|s| sso_sessions.get(s.as_str()));
        let start_url = keys.get("sso_start_url").or_else(|| session.and_then(|s| s.get("sso_start_url")));
        let sso = start_url.is_some() || keys.contains_key("sso_session");
        let signed_in = sso.then(|| start_url.is_some_and(|url| valid.iter().any(|v| v == url)));
        let hint = match signed_in {
            Some(false) => {
                let when =
                    if start_url.is_some_and(|url| expired.iter().any(|e| e == url)) { "expired" } else { "not found" };
                Some(format!("the SSO sign-in {when}: run `aws sso login --profile {name}`, then connect again"))
            }
            _ => None,
        };
        let entry = profiles.entry(name.to_string()).or_insert_with(|| ProfileInfo {
            name: name.to_string(),
            region: None,
            sso: false,
            signed_in: None,
            hint: None,
        });
        entry.region = keys.get("region").cloned();
        entry.sso = sso;
        entry.signed_in = signed_in;
        entry.hint = hint;
    }
    let mut list: Vec<ProfileInfo> = profiles.into_values().collect();
    list.sort_by_key(|p| (p.name != "default", p.name.clone()));
    list
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn profiles_regions_and_sso_sign_ins() {
        let dir = tempfile::tempdir().unwrap();
        let files = ProfileFiles {
            config: dir.path().join("config"),
            credentials: dir.path().join("credentials"),
            sso_cache: dir.path().join("cache"),
        };
        std::fs::write(
            &files.config,
            "[default]\nregion = eu-west-1\n\n[profile analyst]\nsso_session = corp\nsso_account_id = 111122223333\nregion = us-east-1\n\n[sso-session corp]\nsso_start_url = https://corp.awsapps.com/start\n\n[profile old-sso]\nsso_start_url = https://old.awsapps.com/start\n\n# a comment\n[profile ci]\nregion=us-west-2\n",
        )
        .unwrap();
        std::fs::write(
            &files.credentials,
            "[default]\naws_access_key_id = AKIDEXAMPLE\n[keys-only]\naws_access_key_id = X\n",
        )
        .unwrap();
        std::fs::create_dir_all(&files.sso_cache).unwrap();
        let now = batch_core::clock::unix_from_rfc3339("2026-11-22T08:00:00Z").unwrap();
        std::fs::write(
            files.sso_cache.join("a.json"),
            r#"{"startUrl":"https://corp.awsapps.com/start","expiresAt":"2026-11-22T16:00:00Z","accessToken":"secret"}"#,
        )
        .unwrap();
        std::fs::write(
            files.sso_cache.join("b.json"),
            r#"{"startUrl":"https://old.awsapps.com/start","expiresAt":"2026-11-21T16:00:00Z"}"#,
        )
        .unwrap();

        let listed = list_profiles(&files, now);
        let names: Vec<&str> = listed.iter().map(|p| p.name.as_str()).collect();
        assert_eq!(names, ["default", "analyst", "ci", "keys-only", "old-sso"]);
        let get = |name: &str| listed.iter().find(|p| p.name == name).unwrap();
        assert_eq!(get("default").region.as_deref(), Some("eu-west-1"));
        assert!(!get("default").sso);
        assert_eq!(
            (get("analyst").sso, get("analyst").signed_in, get("analyst").hint.is_none()),
            (true, Some(true), true)
        );
        assert_eq!(get("old-sso").signed_in, Some(false));
        assert!(get("old-sso").hint.as_deref().unwrap().contains("expired: run `aws sso login --profile old-sso`"));
        assert_eq!(get("ci").region.as_deref(), Some("us-west-2"));

        // An hour after the corp token expires, the hint appears for it too.
        let later = list_profiles(&files, now + 9 * 3600);
        assert_eq!(later.iter().find(|p| p.name == "analyst").unwrap().signed_in, Some(false));
    }
}
