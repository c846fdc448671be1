//! The text a person copies to ask for help (Help → Copy diagnostics): the build, the system, the connection,
//! where the data and the log are, and the session's recent problems. Never a secret: no keys, no caller ARN.

use std::fmt::Write as _;

use super::Studio;
use crate::ports::Connector;

/// What only the program knows (the log is started by the program, not the session).
#[derive(Debug, Clone, Default)]
pub struct LogFacts {
    /// Today's log file, when there is one.
    pub file: Option<String>,
    /// The process's recent warnings and errors, oldest first, already redacted.
    pub recent_problems: Vec<String>,
}

impl<C: Connector> Studio<C> {
    /// The diagnostics text for `logs`.
    pub async fn diagnostics(&self, logs: &LogFacts) -> String {
        let mut text = String::new();
        let info = super::AppInfo::of(self, logs.file.as_deref());
        let _ = writeln!(text, "Bedrock Batch Studio {} ({})", info.version, info.licence);
        let _ = writeln!(text, "System: {}", system_description());
        let connection = match self.current.lock().await.as_ref() {
            None => "not connected".to_string(),
            Some((_, c)) if c.sandbox => format!("offline sandbox (region {})", c.region),
            Some((_, c)) => format!(
                "AWS, region {}, {}",
                c.region,
                c.profile.as_deref().map_or("default credentials".to_string(), |p| format!("profile {p}"))
            ),
        };
        let _ = writeln!(text, "Connection: {connection}");
        let _ = writeln!(text, "Data folder: {}", info.home);
        let _ = writeln!(
            text,
            "Log file: {}",
            logs.file.as_deref().unwrap_or("none (the log folder could not be written)")
        );
        let _ = writeln!(text, "Prices as of: {} ({} models)", info.prices_as_of, info.priced_models);
        if logs.recent_problems.is_empty() {
            let _ = writeln!(text, "Recent problems: none");
        } else {
            let _ = writeln!(text, "Recent problems (oldest first):");
            for line in &logs.recent_problems {
                let _ = writeln!(text, "  {line}");
            }
        }
        text
    }
}

/// The operating system and machine, as precisely as the platform says cheaply.
fn system_description() -> String {
    let base = format!("{} {}", std::env::consts::OS, std::env::consts::ARCH);
    // Linux names its distribution in os-release; elsewhere the family is what there is.
    let release = std::fs::read_to_string("/etc/os-release").ok().and_then(|text| {
        text.lines().find_map(|line| line.strip_prefix("PRETTY_NAME=")).map(|name| name.trim_matches('"').to_string())
    });
    match release {
        Some(name) => format!("{base} ({name})"),
        None => base,
    }
}
