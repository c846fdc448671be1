//! Batch job statuses and what each means for a run: still going, ended, and whether outputs may exist.

use serde::{Deserialize, Serialize};

/// A model invocation job's status, as GetModelInvocationJob reports it.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(from = "String", into = "String")]
pub enum JobStatus {
    /// Queued for validation.
    Submitted,
    /// The service checks the role's S3 access, the files and the quotas.
    Validating,
    /// Validated, waiting in the queue.
    Scheduled,
    /// Running; results start to appear in the output location.
    InProgress,
    /// Every record processed.
    Completed,
    /// Not every record could be processed in time.
    PartiallyCompleted,
    /// The job failed (see its message).
    Failed,
    /// Being stopped by its owner.
    Stopping,
    /// Stopped by its owner.
    Stopped,
    /// Did not start before its timeout.
    Expired,
    /// A status this version does not know.
    Unknown(String),
}

impl JobStatus {
    /// The service's spelling.
    pub fn as_str(&self) -> &str {
        match self {
            Self::Submitted => "Submitted",
            Self::Validating => "Validating",
            Self::Scheduled => "Scheduled",
            Self::InProgress => "InProgress",
            Self::Completed => "Completed",
            Self::PartiallyCompleted => "PartiallyCompleted",
            Self::Failed => "Failed",
            Self::Stopping => "Stopping",
            Self::Stopped => "Stopped",
            Self::Expired => "Expired",
            Self::Unknown(other) => other,
        }
    }

    /// True once the job will not change any more.
    pub fn is_terminal(&self) -> bool {
        matches!(self, Self::Completed | Self::PartiallyCompleted | Self::Failed | Self::Stopped | Self::Expired)
    }

    /// True while the job waits in Bedrock's queue (submitted, validating or scheduled): nothing answered yet.
    pub fn is_queued(&self) -> bool {
        matches!(self, Self::Submitted | Self::Validating | Self::Scheduled)
    }

    /// True when output files may exist and are worth downloading (partial results of a stopped, expired or
    /// partially completed job are still results; a failed job may have written some before failing).
    pub fn may_have_outputs(&self) -> bool {
        matches!(self, Self::InProgress | Self::Stopping) || self.is_terminal()
    }

    /// A plain-language explanation for the analyst.
    pub fn describe(&self) -> &'static str {
        match self {
            Self::Submitted => "queued for validation",
            Self::Validating => "Bedrock is checking the role's access to S3, the files and the quotas",
            Self::Scheduled => "validated and waiting in Bedrock's queue",
            Self::InProgress => "running; results are starting to appear",
            Self::Completed => "finished: every record was processed",
            Self::PartiallyCompleted => "ended before every record could be processed; the results so far are kept",
            Self::Failed => "failed; read the job's message for the cause",
            Self::Stopping => "stopping at your request",
            Self::Stopped => "stopped at your request; records processed before the stop have results",
            Self::Expired => "did not start before its timeout; submit it again",
            Self::Unknown(_) => "a status this version of the tool does not know",
        }
    }
}

impl From<String> for JobStatus {
    fn from(value: String) -> Self {
        match value.as_str() {
            "Submitted" => Self::Submitted,
            "Validating" => Self::Validating,
            "Scheduled" => Self::Scheduled,
            "InProgress" => Self::InProgress,
            "Completed" => Self::Completed,
            "PartiallyCompleted" => Self::PartiallyCompleted,
            "Failed" => Self::Failed,
            "Stopping" => Self::Stopping,
            "Stopped" => Self::Stopped,
            "Expired" => Self::Expired,
            _ => Self::Unknown(value),
        }
    }
}

impl From<JobStatus> for String {
    fn from(value: JobStatus) -> Self {
        value.as_str().to_string()
    }
}

impl std::fmt::Display for JobStatus {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const ALL: [&str; 10] = [
        "Submitted",
        "Validating",
        "Scheduled",
        "InProgress",
        "Completed",
        "PartiallyCompleted",
        "Failed",
        "Stopping",
        "Stopped",
        "Expired",
    ];

    #[test]
    fn every_status_round_trips_and_unknown_ones_are_kept() {
        for name in ALL {
            let status = JobStatus::from(name.to_string());
            assert!(!matches!(status, JobStatus::Unknown(_)), "{name}");
            assert_eq!(status.as_str(), name);
        }
        let odd = JobStatus::from("Paused".to_string());
        assert_eq!(odd, JobStatus::Unknown("Paused".into()));
        assert_eq!(serde_json::to_string(&odd).unwrap(), "\"Paused\"");
    }

    #[test]
    fn terminal_states_and_outputs() {
        let terminal: Vec<&str> =
            ALL.iter().copied().filter(|s| JobStatus::from(s.to_string()).is_terminal()).collect();
        assert_eq!(terminal, ["Completed", "PartiallyCompleted", "Failed", "Stopped", "Expired"]);
        assert!(JobStatus::Stopped.may_have_outputs() && JobStatus::PartiallyCompleted.may_have_outputs());
        assert!(!JobStatus::Scheduled.may_have_outputs() && !JobStatus::Validating.may_have_outputs());
    }
}
