//! Fault injection: latency, a per-key rate limit, 500s before any write, and answers lost
//! after the commit. Draws come from one generator seeded by the configuration, so a run
//! with the same seed and the same request order sees the same faults.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::extract::{ConnectInfo, Request, State};
use axum::http::Method;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use super::SandboxConfig;
use super::connection::Peer;
use super::random::Random;
use super::reply::{self, ApiError};
use super::routes::App;

/// The configured faults and their running state.
#[derive(Debug)]
pub struct Faults {
    latency: Duration,
    rate_limit: Option<f64>,
    error_rate: f64,
    drop_rate: f64,
    random: Mutex<Random>,
    buckets: Mutex<HashMap<String, Bucket>>,
}

/// A token bucket: holds up to one second of requests, refills at the rate.
#[derive(Debug)]
struct Bucket {
    tokens: f64,
    updated: Instant,
}

impl Faults {
    /// The faults of `config`.
    pub fn new(config: &SandboxConfig) -> Self {
        Self {
            latency: config.latency,
            rate_limit: config.rate_limit.filter(|rate| *rate > 0.0),
            error_rate: config.error_rate,
            drop_rate: config.drop_after_commit_rate,
            random: Mutex::new(Random::for_purpose(config.seed, "faults")),
            buckets: Mutex::new(HashMap::new()),
        }
    }

    fn roll(&self, probability: f64) -> bool {
        if probability <= 0.0 {
            return false;
        }
        let mut random = self.random.lock().unwrap_or_else(|p| p.into_inner());
        random.chance(probability)
    }

    /// Takes a token for `key`, or tells how many whole seconds to wait for one.
    fn take(&self, key: &str, rate: f64) -> Result<(), u64> {
        let mut buckets = self.buckets.lock().unwrap_or_else(|p| p.into_inner());
        let now = Instant::now();
        let capacity = rate.max(1.0);
        let bucket =
            buckets.entry(key.to_owned()).or_insert(Bucket { tokens: capacity, updated: now });
        let elapsed = now.duration_since(bucket.updated).as_secs_f64();
        bucket.tokens = (bucket.tokens + elapsed * rate).min(capacity);
        bucket.updated = now;
        if bucket.tokens >= 1.0 {
            bucket.tokens -= 1.0;
            Ok(())
        } else {
            Err(((1.0 - bucket.tokens) / rate).ceil().max(1.0) as u64)
        }
    }
}

/// Applies the faults around one API request.
pub async fn inject(State(app): State<Arc<App>>, request: Request, next: Next) -> Response {
    let faults = &app.faults;
    if !faults.latency.is_zero() {
        tokio::time::sleep(faults.latency).await;
    }

    if let Some(rate) = faults.rate_limit
        && let Err(seconds) = faults.take(reply::api_key(request.headers()), rate)
    {
        tracing::debug!(seconds, "sandbox rate limit hit");
        return ApiError::RateLimited(seconds).into_response();
    }

    if faults.roll(faults.error_rate) {
        tracing::debug!("sandbox injects a 500");
        return ApiError::Internal("injected fault: nothing was written".to_owned())
            .into_response();
    }

    // A preview is a read sent as POST: losing its answer would test nothing.
    let writes = request.method() != Method::GET && !request.uri().path().ends_with("/preview");
    let peer = request.extensions().get::<ConnectInfo<Peer>>().map(|info| info.0.clone());
    let response = next.run(request).await;

    if writes
        && response.status().is_success()
        && faults.roll(faults.drop_rate)
        && let Some(peer) = peer
    {
        tracing::debug!(peer = %peer.addr, "sandbox drops the answer of a committed write");
        peer.cut();
    }
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_bucket_allows_a_second_of_requests_then_asks_to_wait() {
        let config = SandboxConfig { rate_limit: Some(5.0), ..SandboxConfig::default() };
        let faults = Faults::new(&config);
        assert!((0..5).all(|_| faults.take("k", 5.0).is_ok()));
        assert_eq!(faults.take("k", 5.0), Err(1));
        assert!(faults.take("other", 5.0).is_ok());
    }

    #[test]
    fn zero_rates_never_fire() {
        let faults = Faults::new(&SandboxConfig::default());
        assert!((0..1000).all(|_| !faults.roll(0.0)));
        assert!((0..1000).all(|_| faults.roll(1.0)));
    }
}
