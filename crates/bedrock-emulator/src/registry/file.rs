//! The jobs of a sandbox that several processes share (the desktop app and any number of CLI commands over
//! one folder): every call works on the jobs file under an exclusive lock, re-reading it first when another
//! process changed it and saving it when the call changed the jobs. No process can overwrite another's job.

use std::fs::File;
use std::io::{Read, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use super::{Registry, RegistryConfig};

/// A registry kept in a jobs file, safe to use from any number of processes at once.
#[derive(Debug)]
pub struct FileRegistry {
    jobs_file: PathBuf,
    lock_file: PathBuf,
    /// This process's copy of the jobs, and the generation of the file it was read at.
    state: Mutex<(Registry, u64)>,
}

/// The generation written in the lock file: bumped by every save, so a process knows when to re-read.
fn read_generation(lock: &mut File) -> std::io::Result<u64> {
    let mut text = String::new();
    lock.seek(SeekFrom::Start(0))?;
    lock.read_to_string(&mut text)?;
    Ok(text.trim().parse().unwrap_or(0))
}

fn write_generation(lock: &mut File, generation: u64) -> std::io::Result<()> {
    lock.set_len(0)?;
    lock.seek(SeekFrom::Start(0))?;
    lock.write_all(generation.to_string().as_bytes())?;
    lock.sync_all()
}

impl FileRegistry {
    /// The registry saved in `jobs_file` (empty when it does not exist yet), locked through `<jobs_file>.lock`.
    pub fn open(config: RegistryConfig, jobs_file: &Path) -> std::io::Result<Self> {
        let lock_file = jobs_file.with_extension("lock");
        let registry = Self {
            jobs_file: jobs_file.to_path_buf(),
            lock_file,
            // No generation read yet: the first call reads the file.
            state: Mutex::new((Registry::new(config), u64::MAX)),
        };
        // Fail now, with the reason, when the file is unreadable, rather than on the first call.
        registry.with(|_| ())?;
        Ok(registry)
    }

    /// The jobs file.
    pub fn path(&self) -> &Path {
        &self.jobs_file
    }

    /// Runs `call` on the jobs as every process sees them now: under the lock, after re-reading the file if
    /// another process saved it since, and saving it afterwards when `call` changed a job.
    pub fn with<R>(&self, call: impl FnOnce(&mut Registry) -> R) -> std::io::Result<R> {
        let mut state = self.state.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        let (registry, seen) = &mut *state;
        let mut lock =
            std::fs::OpenOptions::new().read(true).write(true).create(true).truncate(false).open(&self.lock_file)?;
        lock.lock()?;
        let generation = read_generation(&mut lock)?;
        if generation != *seen {
            registry.reload(&self.jobs_file)?;
            *seen = generation;
        }
        let before = registry.revision();
        let answer = call(registry);
        if registry.revision() != before {
            registry.save(&self.jobs_file)?;
            *seen = generation.wrapping_add(1);
            write_generation(&mut lock, *seen)?;
        }
        // Dropping the file releases the lock.
        Ok(answer)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::api::CreateJobRequest;

    fn request(name: &str) -> CreateJobRequest {
        serde_json::from_value(serde_json::json!({
            "jobName": name,
            "roleArn": "arn:aws:iam::123456789012:role/R",
            "modelId": "amazon.nova-lite-v1:0",
            "inputDataConfig": {"s3InputDataConfig": {"s3Uri": "s3://in-bucket/x/"}},
            "outputDataConfig": {"s3OutputDataConfig": {"s3Uri": "s3://out-bucket/y/"}},
        }))
        .unwrap()
    }

    #[test]
    fn two_processes_creating_jobs_at_once_keep_every_job() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("bedrock-jobs.json");
        let config = RegistryConfig { max_concurrent_per_model: 1000, ..RegistryConfig::default() };
        // Two registries over one file stand for two processes (each has its own copy in memory).
        let first = FileRegistry::open(config.clone(), &file).unwrap();
        let second = FileRegistry::open(config, &file).unwrap();
        std::thread::scope(|scope| {
            for (side, registry) in [("a", &first), ("b", &second)] {
                scope.spawn(move || {
                    for i in 0..25 {
                        registry.with(|r| r.create(request(&format!("{side}{i}"))).unwrap()).unwrap();
                    }
                });
            }
        });
        let names = |registry: &FileRegistry| {
            let listed = registry.with(|r| r.list(&Default::default()).unwrap()).unwrap();
            let mut names: Vec<String> = listed.invocation_job_summaries.into_iter().map(|j| j.job_name).collect();
            names.sort();
            names
        };
        assert_eq!(names(&first).len(), 50, "every job of both");
        assert_eq!(names(&first), names(&second));
        // A fresh process reads them all from the file.
        let third = FileRegistry::open(RegistryConfig::default(), &file).unwrap();
        assert_eq!(names(&third).len(), 50);
    }

    #[test]
    fn a_saved_job_this_version_cannot_read_is_kept() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("bedrock-jobs.json");
        std::fs::write(&file, r#"[{"from": "a newer version", "id": "zzz"}]"#).unwrap();
        let registry = FileRegistry::open(RegistryConfig::default(), &file).unwrap();
        registry.with(|r| r.create(request("new")).unwrap()).unwrap();
        let saved: Vec<serde_json::Value> = serde_json::from_str(&std::fs::read_to_string(&file).unwrap()).unwrap();
        assert_eq!(saved.len(), 2);
        assert!(saved.iter().any(|j| j["from"] == "a newer version"), "{saved:?}");
        std::fs::write(&file, "{damaged").unwrap();
        std::fs::write(file.with_extension("lock"), "99").unwrap();
        let error = registry.with(|_| ()).unwrap_err();
        assert!(error.to_string().contains("is not a saved job list"), "{error}");
    }
}
