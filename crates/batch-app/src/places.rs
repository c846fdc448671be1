//! Where the programs keep their files, by each platform's conventions (`dirs`): the data folder (job history,
//! sandbox, runs, settings) and the log folder. `BEDROCK_BATCH_HOME` puts both in one folder of the user's choice.

use std::path::PathBuf;

/// The environment variable naming one folder for everything (data and logs).
pub const HOME_VARIABLE: &str = "BEDROCK_BATCH_HOME";

/// The programs' folder name inside the platform's data and log folders.
const APP_FOLDER: &str = "bedrock-batch";

/// The data folder: `$BEDROCK_BATCH_HOME`, else the platform's user data folder (`~/.local/share/bedrock-batch`
/// on Linux, `~/Library/Application Support/bedrock-batch` on macOS, `%APPDATA%\bedrock-batch` on Windows).
pub fn data_home() -> PathBuf {
    data_home_in(named_home())
}

/// The log folder: `$BEDROCK_BATCH_HOME/logs`, else the platform's place for logs (`~/.local/state/bedrock-batch/logs`
/// on Linux, `~/Library/Logs/bedrock-batch` on macOS, `%LOCALAPPDATA%\bedrock-batch\logs` on Windows).
pub fn log_dir() -> PathBuf {
    log_dir_in(named_home())
}

/// The folder `$BEDROCK_BATCH_HOME` names, if it is set.
fn named_home() -> Option<PathBuf> {
    std::env::var_os(HOME_VARIABLE).filter(|home| !home.is_empty()).map(PathBuf::from)
}

fn data_home_in(named: Option<PathBuf>) -> PathBuf {
    named.unwrap_or_else(|| dirs::data_dir().unwrap_or_else(|| PathBuf::from(".")).join(APP_FOLDER))
}

fn log_dir_in(named: Option<PathBuf>) -> PathBuf {
    if let Some(home) = named {
        return home.join("logs");
    }
    if cfg!(target_os = "macos")
        && let Some(home) = dirs::home_dir()
    {
        return home.join("Library").join("Logs").join(APP_FOLDER);
    }
    dirs::state_dir()
        .or_else(dirs::data_local_dir)
        .map(|dir| dir.join(APP_FOLDER).join("logs"))
        .unwrap_or_else(|| data_home_in(None).join("logs"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_named_folder_holds_the_data_and_the_logs() {
        let named = PathBuf::from("/somewhere/studio");
        assert_eq!(data_home_in(Some(named.clone())), named);
        assert_eq!(log_dir_in(Some(named.clone())), named.join("logs"));
    }

    #[test]
    fn without_a_named_folder_the_platform_folders_hold_an_app_folder() {
        assert!(data_home_in(None).ends_with(APP_FOLDER), "{}", data_home_in(None).display());
        let logs = log_dir_in(None);
        assert!(logs.components().any(|c| c.as_os_str() == APP_FOLDER), "{}", logs.display());
        assert_ne!(logs, data_home_in(None), "logs are not mixed with the data");
    }
}
