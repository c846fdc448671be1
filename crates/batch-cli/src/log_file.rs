//! The CLI's log file (`cli.<date>.log` in the platform's log folder): each command's start, end and error.

use batch_connect::logging::Logging;

/// Starts the log; a log that cannot be written is said once on stderr and the command goes on without it.
pub fn start() -> Option<Logging> {
    match Logging::start("cli", &batch_app::places::log_dir()) {
        Ok(logging) => Some(logging),
        Err(error) => {
            eprintln!("warning: {error} (the command goes on without a log file)");
            None
        }
    }
}
