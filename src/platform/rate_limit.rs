//! One token bucket per account: every request waits for its slot here.
//!
//! The bucket is kept as the "generic cell rate algorithm": instead of counting tokens it
//! remembers the theoretical time the next request would be due if the bucket were empty.
//! Each caller reserves its slot under a mutex and then sleeps outside it, so waiting is
//! one timer per request (no polling) and slots are handed out in the order callers
//! arrive (the tokio mutex is fair).

use std::time::Duration;

use tokio::sync::Mutex;
use tokio::time::{Instant, sleep_until};

/// A fair, async token bucket.
#[derive(Debug)]
pub struct RateLimiter {
    /// Time one token takes to refill.
    interval: Duration,
    /// How far ahead of its due time a request may go: the bucket's depth minus one token.
    tolerance: Duration,
    /// When the next request is due with an empty bucket; `None` before the first request.
    due: Mutex<Option<Instant>>,
}

impl RateLimiter {
    /// A bucket refilled at `per_second` tokens per second that holds `burst` tokens (at
    /// least one), full at the start.
    ///
    /// `per_second` must be positive and finite; the client checks it before calling.
    pub fn new(per_second: f64, burst: u32) -> Self {
        let interval = Duration::from_secs_f64(1.0 / per_second);
        let tolerance = interval * burst.max(1).saturating_sub(1);
        Self { interval, tolerance, due: Mutex::new(None) }
    }

    /// Waits until the caller may send one request.
    ///
    /// A caller dropped while it waits gives up its slot unused: the bucket stays
    /// conservative rather than letting a later caller go early.
    pub async fn acquire(&self) {
        let slot = {
            let mut due = self.due.lock().await;
            let now = Instant::now();
            let theoretical = due.unwrap_or(now).max(now);
            let slot = now.max(theoretical.checked_sub(self.tolerance).unwrap_or(now));
            *due = Some(theoretical.max(slot) + self.interval);
            slot
        };
        sleep_until(slot).await;
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use super::*;

    #[tokio::test(start_paused = true)]
    async fn requests_are_spaced_by_the_rate() {
        let limiter = RateLimiter::new(10.0, 1);
        let start = Instant::now();
        for _ in 0..5 {
            limiter.acquire().await;
        }
        assert_eq!(start.elapsed(), Duration::from_millis(400));
    }

    #[tokio::test(start_paused = true)]
    async fn a_full_bucket_lets_a_burst_through_then_spaces() {
        let limiter = RateLimiter::new(4.0, 3);
        let start = Instant::now();
        let mut times = Vec::new();
        for _ in 0..5 {
            limiter.acquire().await;
            times.push(start.elapsed().as_millis());
        }
        assert_eq!(times, [0, 0, 0, 250, 500]);
    }

    #[tokio::test(start_paused = true)]
    async fn the_bucket_refills_while_idle_but_not_beyond_its_depth() {
        let limiter = RateLimiter::new(10.0, 2);
        limiter.acquire().await;
        limiter.acquire().await;
        tokio::time::sleep(Duration::from_secs(5)).await;

        let start = Instant::now();
        for _ in 0..3 {
            limiter.acquire().await;
        }
        assert_eq!(start.elapsed(), Duration::from_millis(100));
    }

    #[tokio::test(start_paused = true)]
    async fn concurrent_callers_are_served_in_arrival_order() {
        let limiter = Arc::new(RateLimiter::new(20.0, 1));
        let order = Arc::new(std::sync::Mutex::new(Vec::new()));
        let start = Instant::now();

        let mut tasks = Vec::new();
        for index in 0..8u64 {
            let (limiter, order) = (limiter.clone(), order.clone());
            tasks.push(tokio::spawn(async move {
                limiter.acquire().await;
                order.lock().map(|mut seen| seen.push((index, start.elapsed().as_millis()))).ok();
            }));
            // Give each task the chance to queue before the next is spawned.
            tokio::task::yield_now().await;
        }
        for task in tasks {
            task.await.unwrap();
        }

        let seen = order.lock().unwrap().clone();
        let expected: Vec<(u64, u128)> = (0..8).map(|i| (i, i as u128 * 50)).collect();
        assert_eq!(seen, expected);
    }
}
