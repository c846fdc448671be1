//! The emulator's on-demand request quota (a test control): a bucket that refills at N requests a minute and
//! holds at most one second's worth, as Bedrock's per-minute quotas let short bursts through; a runtime call that
//! finds it empty is throttled.

use std::sync::Mutex;
use std::time::Instant;

/// Requests a minute allowed, and the bucket.
#[derive(Debug, Default)]
pub(crate) struct RuntimeQuota {
    state: Mutex<Option<Bucket>>,
}

#[derive(Debug)]
struct Bucket {
    per_minute: f64,
    tokens: f64,
    refilled: Instant,
}

impl RuntimeQuota {
    /// Enforces `per_minute` requests a minute from now on (0 lifts the quota).
    pub(crate) fn set(&self, per_minute: u64) {
        let bucket = (per_minute > 0).then(|| Bucket {
            per_minute: per_minute as f64,
            tokens: per_minute as f64 / 60.0,
            refilled: Instant::now(),
        });
        *self.state.lock().unwrap_or_else(std::sync::PoisonError::into_inner) = bucket;
    }

    /// True when a call may go now (and takes its place); false when it is over the quota.
    pub(crate) fn admit(&self) -> bool {
        let mut state = self.state.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        let Some(bucket) = state.as_mut() else { return true };
        let now = Instant::now();
        let per_second = bucket.per_minute / 60.0;
        bucket.tokens =
            (bucket.tokens + now.duration_since(bucket.refilled).as_secs_f64() * per_second).min(per_second);
        bucket.refilled = now;
        if bucket.tokens >= 1.0 {
            bucket.tokens -= 1.0;
            true
        } else {
            false
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_burst_beyond_a_second_s_worth_is_refused_and_no_quota_admits_everything() {
        let quota = RuntimeQuota::default();
        assert!((0..1_000).all(|_| quota.admit()), "no quota set");
        quota.set(600);
        let admitted = (0..100).filter(|_| quota.admit()).count();
        assert_eq!(admitted, 10, "a second's worth of 600 a minute");
        quota.set(0);
        assert!(quota.admit());
    }
}
