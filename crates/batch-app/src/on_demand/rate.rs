//! A client-side request rate that adapts to throttling: halved on each `ThrottlingException` (down to a floor),
//! raised a little after a run of successes (up to the ceiling it started with), so a long on-demand run settles
//! just under the account's limit instead of tripping it again and again.

use std::time::Duration;

use tokio::sync::Mutex;
use tokio::time::Instant;

/// Requests per minute, and when the next request may leave.
#[derive(Debug)]
pub struct AdaptiveRate {
    state: Mutex<RateState>,
}

#[derive(Debug)]
struct RateState {
    per_minute: f64,
    ceiling: f64,
    floor: f64,
    next: Instant,
    successes: u32,
}

/// Successes in a row after which the rate rises again.
const RECOVER_AFTER: u32 = 20;

impl AdaptiveRate {
    /// Starts at `per_minute` (also the ceiling), never below `floor`.
    pub fn new(per_minute: f64, floor: f64) -> Self {
        let per_minute = per_minute.max(floor).max(0.001);
        Self {
            state: Mutex::new(RateState {
                per_minute,
                ceiling: per_minute,
                floor: floor.max(0.001),
                next: Instant::now(),
                successes: 0,
            }),
        }
    }

    /// Waits for this request's slot.
    pub async fn acquire(&self) {
        let at = {
            let mut state = self.state.lock().await;
            let now = Instant::now();
            let at = state.next.max(now);
            state.next = at + Duration::from_secs_f64(60.0 / state.per_minute);
            at
        };
        tokio::time::sleep_until(at).await;
    }

    /// The service throttled a request: halve the rate.
    pub async fn throttled(&self) {
        let mut state = self.state.lock().await;
        state.per_minute = (state.per_minute / 2.0).max(state.floor);
        state.successes = 0;
    }

    /// A request succeeded: after a run of them, raise the rate by a tenth of the ceiling.
    pub async fn succeeded(&self) {
        let mut state = self.state.lock().await;
        state.successes += 1;
        if state.successes >= RECOVER_AFTER {
            state.successes = 0;
            state.per_minute = (state.per_minute + state.ceiling / 10.0).min(state.ceiling);
        }
    }

    /// The current requests per minute.
    pub async fn per_minute(&self) -> f64 {
        self.state.lock().await.per_minute
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test(start_paused = true)]
    async fn slots_are_spaced_by_the_rate_which_halves_on_throttling_and_recovers_after_successes() {
        let rate = AdaptiveRate::new(600.0, 60.0);
        let start = Instant::now();
        for _ in 0..3 {
            rate.acquire().await;
        }
        assert_eq!(start.elapsed(), Duration::from_millis(200), "600 a minute: one every 100 ms");
        rate.throttled().await;
        rate.throttled().await;
        assert_eq!(rate.per_minute().await, 150.0);
        for _ in 0..5 {
            rate.throttled().await;
        }
        assert_eq!(rate.per_minute().await, 60.0, "never below the floor");
        for _ in 0..RECOVER_AFTER {
            rate.succeeded().await;
        }
        assert_eq!(rate.per_minute().await, 120.0, "a tenth of the ceiling back after a run of successes");
        for _ in 0..RECOVER_AFTER * 20 {
            rate.succeeded().await;
        }
        assert_eq!(rate.per_minute().await, 600.0, "never above the ceiling");
    }
}
