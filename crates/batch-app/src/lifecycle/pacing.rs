//! How long to wait between polls and before retrying a throttled call: exponential, capped, jittered.

use std::time::Duration;

/// Waiting rules.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Pacing {
    /// First poll interval after a change.
    pub poll_initial: Duration,
    /// Longest poll interval while nothing changes.
    pub poll_max: Duration,
    /// First wait before retrying a throttled or failed call.
    pub retry_base: Duration,
    /// Longest such wait.
    pub retry_max: Duration,
    /// Attempts of one create before giving up on a non-quota failure.
    pub create_attempts: u32,
}

impl Pacing {
    /// Real AWS: jobs take minutes to hours, so polls start at 15 s and back off to 5 minutes.
    pub fn aws() -> Self {
        Self {
            poll_initial: Duration::from_secs(15),
            poll_max: Duration::from_secs(300),
            retry_base: Duration::from_secs(2),
            retry_max: Duration::from_secs(120),
            create_attempts: 8,
        }
    }

    /// The local emulator (sandbox, tests): everything in milliseconds.
    pub fn local() -> Self {
        Self {
            poll_initial: Duration::from_millis(100),
            poll_max: Duration::from_millis(400),
            retry_base: Duration::from_millis(50),
            retry_max: Duration::from_millis(400),
            create_attempts: 8,
        }
    }

    /// The wait before retry `attempt` (0-based): base·2^attempt capped, with "equal jitter" (half fixed,
    /// half random) so many clients do not retry in step.
    pub fn retry_delay(&self, attempt: u32) -> Duration {
        let full = self.retry_base.saturating_mul(1u32 << attempt.min(16)).min(self.retry_max);
        full / 2 + full.mul_f64(jitter() / 2.0)
    }

    /// The next poll interval: longer after an unchanged poll, back to the start after a change.
    pub fn next_poll(&self, current: Duration, changed: bool) -> Duration {
        if changed { self.poll_initial } else { current.mul_f64(1.5).min(self.poll_max) }
    }
}

/// A number in [0, 1) from the clock (no random-number crate needed for jitter).
fn jitter() -> f64 {
    let nanos =
        std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.subsec_nanos()).unwrap_or(0);
    let mixed = batch_core::record_id::fnv1a(&nanos.to_le_bytes(), 7);
    (mixed % 1_000_000) as f64 / 1_000_000.0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn retries_grow_to_the_cap_and_polls_reset_on_change() {
        let pacing = Pacing::aws();
        // Base 2 s doubling to the 120 s cap; each wait between half of its step and all of it.
        let steps = [(0, 2), (1, 4), (2, 8), (3, 16), (5, 64), (6, 120), (19, 120)];
        for (attempt, seconds) in steps {
            let delay = pacing.retry_delay(attempt);
            let full = Duration::from_secs(seconds);
            assert!(
                delay >= full / 2 && delay <= full,
                "attempt {attempt}: {delay:?} outside [{:?}, {full:?}]",
                full / 2
            );
        }
        assert_eq!(pacing.next_poll(Duration::from_secs(15), false), Duration::from_millis(22_500));
        assert_eq!(pacing.next_poll(Duration::from_secs(250), false), Duration::from_secs(300), "capped at 5 minutes");
        assert_eq!(pacing.next_poll(Duration::from_secs(300), true), Duration::from_secs(15), "back to the start");
    }
}
