//! A slot for long work where only the newest request matters (opening a sheet, estimating every row's
//! prompt): starting one cancels the one before, and the user can cancel the one in progress.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, PoisonError};

/// The cancel flag of the newest piece of work.
#[derive(Default)]
pub struct LatestOnly {
    current: Mutex<Arc<AtomicBool>>,
}

impl LatestOnly {
    /// Starts a piece of work: cancels the one before and returns this one's flag (true once cancelled).
    pub fn begin(&self) -> Arc<AtomicBool> {
        let flag = Arc::new(AtomicBool::new(false));
        let earlier =
            std::mem::replace(&mut *self.current.lock().unwrap_or_else(PoisonError::into_inner), flag.clone());
        earlier.store(true, Ordering::Relaxed);
        flag
    }

    /// Cancels the newest piece of work, if it is still going.
    pub fn cancel(&self) {
        self.current.lock().unwrap_or_else(PoisonError::into_inner).store(true, Ordering::Relaxed);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_newer_start_or_a_cancel_stops_only_the_work_in_question() {
        let slot = LatestOnly::default();
        let first = slot.begin();
        assert!(!first.load(Ordering::Relaxed));
        let second = slot.begin();
        assert!(first.load(Ordering::Relaxed), "the newer start cancels the older work");
        assert!(!second.load(Ordering::Relaxed));
        slot.cancel();
        assert!(second.load(Ordering::Relaxed));
        let third = slot.begin();
        assert!(!third.load(Ordering::Relaxed), "a cancel is not carried over to later work");
    }
}
