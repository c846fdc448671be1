//! Progress reporting from long steps, through a trait so the CLI, the app and tests each show it their way.

/// Receives progress from a long-running step.
pub trait Progress: Sync {
    /// A new phase starts; `total` units when known.
    fn phase(&self, name: &str, total: Option<u64>);
    /// `units` more units are done in the current phase.
    fn advance(&self, units: u64);
    /// The current phase is over.
    fn finish(&self);
}

/// Discards progress.
#[derive(Debug, Default, Clone, Copy)]
pub struct NoProgress;

impl Progress for NoProgress {
    fn phase(&self, _: &str, _: Option<u64>) {}
    fn advance(&self, _: u64) {}
    fn finish(&self) {}
}
