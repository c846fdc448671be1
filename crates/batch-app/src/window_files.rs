//! Which files the desktop window may make Rust read or write. The window's page is web content: were it
//! ever compromised, it could ask for any path. So whatever path it names (from the dialog, a drop or the
//! keyboard), Rust reads only spreadsheets outside the folders that hold secrets and outside the app's own
//! data, and writes exports only there too, never over a sheet it reads.

use std::path::{Path, PathBuf};

use batch_core::export::ExportFormat;

/// Why the window may not use a path.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum WindowFileError {
    /// The path is in a folder that holds credentials or keys, or the app's own data.
    #[error("{}: files in {} are never opened or written from the window ({why}); choose a file elsewhere", path.display(), folder.display())]
    Protected {
        /// The path asked for.
        path: PathBuf,
        /// The protected folder it is in.
        folder: PathBuf,
        /// What the folder holds.
        why: &'static str,
    },
    /// Not a spreadsheet by its extension.
    #[error("{}: not a spreadsheet file name; open a .csv, .tsv, .txt, .xlsx, .xlsm, .xls, .ods, .parquet or .jsonl file", path.display())]
    NotASheet {
        /// The path asked for.
        path: PathBuf,
    },
    /// Not an export file name.
    #[error("{}: exports are written as .csv, .xlsx, .parquet or .jsonl; give the file one of those extensions", path.display())]
    NotAnExport {
        /// The path asked for.
        path: PathBuf,
    },
    /// The path cannot be resolved (a missing file, or a folder that does not exist).
    #[error("{}: {why}; check the path", path.display())]
    Unresolved {
        /// The path asked for.
        path: PathBuf,
        /// What went wrong.
        why: String,
    },
}

/// The extensions of the sheets the window may open.
const SHEET_EXTENSIONS: &[&str] =
    &["csv", "tsv", "txt", "tab", "psv", "xlsx", "xlsm", "xls", "ods", "parquet", "pq", "jsonl", "ndjson", "json"];

/// The folders the window may never read from or write to, each with what it holds.
#[derive(Debug, Clone)]
pub struct WindowFiles {
    protected: Vec<(PathBuf, &'static str)>,
}

/// The canonical form of `path`, or of its parent joined with its name when it does not exist yet (an export).
fn resolve(path: &Path) -> Result<PathBuf, WindowFileError> {
    let unresolved = |why: String| WindowFileError::Unresolved { path: path.to_path_buf(), why };
    if let Ok(real) = std::fs::canonicalize(path) {
        return Ok(real);
    }
    let name = path.file_name().ok_or_else(|| unresolved("it names no file".into()))?;
    let parent = path.parent().filter(|p| !p.as_os_str().is_empty()).unwrap_or(Path::new("."));
    let parent = std::fs::canonicalize(parent).map_err(|e| unresolved(format!("its folder cannot be found ({e})")))?;
    Ok(parent.join(name))
}

impl WindowFiles {
    /// The protected folders of this user — credentials and keys under the home folder, the AWS files the
    /// environment names — and the app's data folder `app_home`.
    pub fn standard(app_home: &Path) -> Self {
        let home = std::env::var_os("HOME").or_else(|| std::env::var_os("USERPROFILE")).map(PathBuf::from);
        let mut protected: Vec<(PathBuf, &'static str)> = Vec::new();
        if let Some(home) = &home {
            for (folder, why) in [
                (".aws", "AWS credentials"),
                (".ssh", "SSH keys"),
                (".gnupg", "GnuPG keys"),
                (".config/gcloud", "Google Cloud credentials"),
                (".azure", "Azure credentials"),
                (".kube", "Kubernetes credentials"),
                (".docker", "Docker credentials"),
                (".netrc", "saved passwords"),
            ] {
                protected.push((home.join(folder), why));
            }
        }
        for variable in ["AWS_SHARED_CREDENTIALS_FILE", "AWS_CONFIG_FILE"] {
            if let Some(file) = std::env::var_os(variable) {
                protected.push((PathBuf::from(file), "AWS credentials"));
            }
        }
        protected.push((app_home.to_path_buf(), "the app's own data"));
        Self::with_protected(protected)
    }

    /// Rules over exactly these protected folders (tests).
    pub fn with_protected(protected: Vec<(PathBuf, &'static str)>) -> Self {
        // Compared resolved, so a symbolic link into a protected folder is caught too.
        let protected = protected.into_iter().map(|(p, why)| (std::fs::canonicalize(&p).unwrap_or(p), why)).collect();
        Self { protected }
    }

    fn check_protected(&self, asked: &Path, real: &Path) -> Result<(), WindowFileError> {
        match self.protected.iter().find(|(folder, _)| real.starts_with(folder)) {
            Some((folder, why)) => {
                Err(WindowFileError::Protected { path: asked.to_path_buf(), folder: folder.clone(), why })
            }
            None => Ok(()),
        }
    }

    /// The file to open as a sheet, resolved: a spreadsheet by its name, outside the protected folders.
    pub fn sheet(&self, path: &Path) -> Result<PathBuf, WindowFileError> {
        let real = resolve(path)?;
        self.check_protected(path, &real)?;
        let ext = real.extension().and_then(|e| e.to_str()).map(str::to_ascii_lowercase).unwrap_or_default();
        if !SHEET_EXTENSIONS.contains(&ext.as_str()) {
            return Err(WindowFileError::NotASheet { path: path.to_path_buf() });
        }
        Ok(real)
    }

    /// A folder or file of a job's lines (outputs or requests) to read, resolved, outside the protected folders.
    pub fn job_lines(&self, path: &Path) -> Result<PathBuf, WindowFileError> {
        let real = resolve(path)?;
        self.check_protected(path, &real)?;
        Ok(real)
    }

    /// The file to write an export to, resolved: an export by its name, outside the protected folders. (That
    /// it is not the sheet the results come from is checked where every export is written.)
    pub fn export(&self, path: &Path) -> Result<PathBuf, WindowFileError> {
        if ExportFormat::from_path(path).is_err() {
            return Err(WindowFileError::NotAnExport { path: path.to_path_buf() });
        }
        let real = resolve(path)?;
        self.check_protected(path, &real)?;
        Ok(real)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secrets_app_data_and_non_sheets_stay_out_of_the_window_s_reach() {
        let dir = tempfile::tempdir().unwrap();
        let home = dir.path().join("home");
        let aws = home.join(".aws");
        let app = home.join("app-data");
        std::fs::create_dir_all(&aws).unwrap();
        std::fs::create_dir_all(&app).unwrap();
        std::fs::write(aws.join("credentials"), "[default]\naws_secret_access_key = x\n").unwrap();
        std::fs::write(aws.join("keys.csv"), "key\nx\n").unwrap();
        std::fs::write(app.join("results.csv"), "a\n1\n").unwrap();
        let sheet = dir.path().join("reviews.csv");
        std::fs::write(&sheet, "a\n1\n").unwrap();
        let files =
            WindowFiles::with_protected(vec![(aws.clone(), "AWS credentials"), (app.clone(), "the app's own data")]);

        assert_eq!(files.sheet(&sheet).unwrap(), std::fs::canonicalize(&sheet).unwrap());
        for (path, says) in [
            (aws.join("credentials"), "AWS credentials"),
            (aws.join("keys.csv"), "AWS credentials"),
            (aws.join("..").join(".aws").join("keys.csv"), "AWS credentials"),
            (app.join("results.csv"), "the app's own data"),
        ] {
            let error = files.sheet(&path).unwrap_err().to_string();
            assert!(error.contains(says) && error.contains("never opened or written"), "{}: {error}", path.display());
        }
        // A link elsewhere that points into a protected folder is caught once resolved.
        #[cfg(unix)]
        {
            let link = dir.path().join("innocent.csv");
            std::os::unix::fs::symlink(aws.join("keys.csv"), &link).unwrap();
            assert!(matches!(files.sheet(&link), Err(WindowFileError::Protected { .. })));
        }
        let binary = dir.path().join("id_rsa");
        std::fs::write(&binary, "secret").unwrap();
        assert!(matches!(files.sheet(&binary), Err(WindowFileError::NotASheet { .. })));

        assert!(files.export(&dir.path().join("answers.xlsx")).is_ok());
        assert!(matches!(files.export(&aws.join("config.csv")), Err(WindowFileError::Protected { .. })));
        assert!(matches!(files.export(&dir.path().join("notes.txt")), Err(WindowFileError::NotAnExport { .. })));
        assert!(matches!(
            files.export(&dir.path().join("no/such/folder/a.csv")),
            Err(WindowFileError::Unresolved { .. })
        ));
    }
}
