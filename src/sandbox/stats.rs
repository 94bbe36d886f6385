//! Request counts by method and route template, so tests can assert how many calls a
//! command made. Tool routes under `/_sandbox` are not counted.

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};

use axum::extract::{MatchedPath, Request, State};
use axum::middleware::Next;
use axum::response::Response;
use serde::Serialize;

use super::routes::App;

/// Counts since start or the last reset.
#[derive(Debug, Default, Clone, Serialize)]
pub struct Stats {
    /// Every counted request.
    pub total: u64,
    /// Requests per `METHOD /route/{template}`.
    pub by_route: BTreeMap<String, u64>,
}

/// The counter shared by all requests.
#[derive(Debug, Default)]
pub struct Counter {
    stats: Mutex<Stats>,
}

impl Counter {
    /// The counts so far.
    pub fn snapshot(&self) -> Stats {
        self.stats.lock().unwrap_or_else(|p| p.into_inner()).clone()
    }

    /// Starts counting from zero.
    pub fn reset(&self) {
        *self.stats.lock().unwrap_or_else(|p| p.into_inner()) = Stats::default();
    }

    fn record(&self, route: String) {
        let mut stats = self.stats.lock().unwrap_or_else(|p| p.into_inner());
        stats.total += 1;
        *stats.by_route.entry(route).or_insert(0) += 1;
    }
}

/// Counts the request, then logs it with its status and duration once answered.
pub async fn count(State(app): State<Arc<App>>, request: Request, next: Next) -> Response {
    let method = request.method().clone();
    let path = request.uri().path().to_owned();
    if let Some(template) = request.extensions().get::<MatchedPath>() {
        app.stats.record(format!("{method} {}", template.as_str()));
    }
    let started = std::time::Instant::now();
    let response = next.run(request).await;
    tracing::debug!(
        %method,
        path,
        status = response.status().as_u16(),
        duration_ms = started.elapsed().as_secs_f64() * 1000.0,
        "sandbox request"
    );
    response
}
