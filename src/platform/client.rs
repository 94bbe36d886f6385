//! The HTTP client of one account: set-up, the rate-limited send, and the retry loop of reads.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, SystemTime};

use reqwest::header::{ACCEPT, HeaderValue, IF_MATCH, LOCATION, RETRY_AFTER};
use reqwest::{Method, StatusCode};
use serde::de::DeserializeOwned;
use serde_json::Value;
use tokio::time::Instant;

use super::backoff::{Backoff, parse_retry_after};
use super::config::{ClientConfig, RetryPolicy, api_base};
use super::error::PlatformError;
use super::rate_limit::RateLimiter;

/// A client of one account's API. Cheap to clone: clones share the connection pool and the
/// rate limiter, so every request to the account counts against one budget.
#[derive(Debug, Clone)]
pub struct Client {
    inner: Arc<Inner>,
}

#[derive(Debug)]
struct Inner {
    http: reqwest::Client,
    /// API base URL without a trailing slash.
    base: String,
    /// The key as a header value marked sensitive, so even `http`'s `Debug` hides it.
    api_key: HeaderValue,
    limiter: RateLimiter,
    retry: RetryPolicy,
    /// Distinguishes the jitter sequences of concurrent requests.
    requests: AtomicU64,
}

/// One request as the retry loops see it. `path` is relative to the API base and may carry
/// a query.
#[derive(Debug, Clone)]
pub(crate) struct Call<'a> {
    pub method: Method,
    pub path: String,
    pub body: Option<&'a Value>,
    pub if_match: Option<i64>,
}

impl<'a> Call<'a> {
    pub fn get(path: impl Into<String>) -> Self {
        Self { method: Method::GET, path: path.into(), body: None, if_match: None }
    }

    pub fn new(method: Method, path: impl Into<String>, body: Option<&'a Value>) -> Self {
        Self { method, path: path.into(), body, if_match: None }
    }

    pub fn if_match(mut self, version: i64) -> Self {
        self.if_match = Some(version);
        self
    }
}

/// A complete answer: status, the headers the client acts on, and the whole body.
#[derive(Debug)]
pub(crate) struct Answer {
    pub status: StatusCode,
    pub retry_after: Option<Duration>,
    pub location: Option<String>,
    pub body: Vec<u8>,
}

impl Answer {
    /// 429 and every 5xx: the server may take the same request later.
    pub fn is_retryable(&self) -> bool {
        self.status == StatusCode::TOO_MANY_REQUESTS || self.status.is_server_error()
    }
}

/// The slowest rate limit accepted, in requests per second.
pub const MIN_RATE_LIMIT: f64 = 1.0 / 60.0;

impl Client {
    /// Builds a client after checking the endpoint, the key and the rate limit.
    pub fn new(config: ClientConfig) -> Result<Self, PlatformError> {
        let base = api_base(&config.endpoint)?;
        if config.api_key.is_empty() {
            return Err(PlatformError::MissingApiKey);
        }
        let mut api_key = HeaderValue::from_str(config.api_key.expose())
            .map_err(|_| PlatformError::MalformedApiKey)?;
        api_key.set_sensitive(true);
        // Below one request a minute a run would look hung; nobody means that.
        if !(config.rate_limit.is_finite() && config.rate_limit >= MIN_RATE_LIMIT) {
            return Err(PlatformError::InvalidRateLimit { value: config.rate_limit });
        }

        // reqwest is built without a bundled crypto provider; installing ring twice (a
        // second client, another component) is harmless, so the "already set" answer is
        // ignored.
        let _ = rustls::crypto::ring::default_provider().install_default();
        let mut builder = reqwest::Client::builder();
        // A plain-http base is a loopback sandbox (`api_base` refuses any other) and
        // redirects are never followed, so this client never speaks TLS: skip loading the
        // platform's root certificates, which reads every file in the system's store.
        if base.starts_with("http://") {
            builder = builder.tls_certs_only(Vec::new());
        }
        let http = builder
            .redirect(reqwest::redirect::Policy::none())
            .connect_timeout(config.timeouts.connect)
            .timeout(config.timeouts.request)
            .pool_idle_timeout(Duration::from_secs(90))
            .tcp_keepalive(Duration::from_secs(60))
            .user_agent(concat!("mercfg/", env!("CARGO_PKG_VERSION")))
            .build()
            .map_err(PlatformError::Setup)?;

        // One token of depth: requests are evenly spaced, so no window of any length sees
        // more than the configured rate.
        let limiter = RateLimiter::new(config.rate_limit, 1);
        let inner = Inner {
            http,
            base,
            api_key,
            limiter,
            retry: config.retry,
            requests: AtomicU64::new(0),
        };
        Ok(Self { inner: Arc::new(inner) })
    }

    /// The API base URL this client talks to.
    pub fn base_url(&self) -> &str {
        &self.inner.base
    }

    pub(crate) fn retry_policy(&self) -> RetryPolicy {
        self.inner.retry
    }

    /// A fresh backoff sequence for one request.
    pub(crate) fn backoff(&self) -> Backoff {
        let salt = self.inner.requests.fetch_add(1, Ordering::Relaxed);
        Backoff::new(self.inner.retry, salt)
    }

    /// Sends one attempt through the rate limiter and reads the whole answer.
    ///
    /// A transport error here includes a body cut short, so "answered" always means the
    /// complete answer arrived.
    pub(crate) async fn send_once(
        &self,
        call: &Call<'_>,
        attempt: u32,
    ) -> Result<Answer, reqwest::Error> {
        self.inner.limiter.acquire().await;
        let started = Instant::now();

        let url = format!("{}{}", self.inner.base, call.path);
        let mut request = self
            .inner
            .http
            .request(call.method.clone(), url)
            .header("api-key", self.inner.api_key.clone())
            .header(ACCEPT, "application/json");
        if let Some(version) = call.if_match {
            request = request.header(IF_MATCH, version.to_string());
        }
        if let Some(body) = call.body {
            request = request.json(body);
        }
        let result = receive(request).await;

        let duration_ms = started.elapsed().as_millis() as u64;
        match &result {
            Ok(answer) => tracing::debug!(
                method = %call.method, path = %call.path, status = answer.status.as_u16(),
                duration_ms, attempt, "request"
            ),
            Err(error) => tracing::debug!(
                method = %call.method, path = %call.path, status = "none", duration_ms,
                attempt, error = %error, "request"
            ),
        }
        result
    }

    /// Sends a read (or a request with no side effect) until it succeeds, retrying 429,
    /// 5xx and transport errors; any other answer is final.
    pub(crate) async fn read(&self, call: &Call<'_>) -> Result<Answer, PlatformError> {
        let mut backoff = self.backoff();
        let max_attempts = self.inner.retry.max_attempts.max(1);
        let mut attempt = 1;
        loop {
            let outcome = self.send_once(call, attempt).await;
            let retry_after = match outcome {
                Ok(answer) if answer.status.is_success() => return Ok(answer),
                Ok(answer) if answer.is_retryable() && attempt < max_attempts => answer.retry_after,
                Ok(answer) => return Err(final_error(call, &answer, attempt)),
                Err(error) if attempt < max_attempts => {
                    tracing::debug!(path = %call.path, %error, "transport error, retrying");
                    None
                }
                Err(source) => return Err(transport_error(call, attempt, source)),
            };
            let wait = backoff.delay(attempt, retry_after);
            let wait_ms = wait.as_millis() as u64;
            tracing::debug!(path = %call.path, attempt, wait_ms, "retrying");
            tokio::time::sleep(wait).await;
            attempt += 1;
        }
    }
}

/// Sends and waits for the whole body.
async fn receive(request: reqwest::RequestBuilder) -> Result<Answer, reqwest::Error> {
    let response = request.send().await?;
    let status = response.status();
    let headers = response.headers();
    let retry_after = headers
        .get(RETRY_AFTER)
        .and_then(|value| value.to_str().ok())
        .and_then(|value| parse_retry_after(value, SystemTime::now()));
    let location = headers.get(LOCATION).and_then(|value| value.to_str().ok()).map(str::to_owned);
    let body = response.bytes().await?.to_vec();
    Ok(Answer { status, retry_after, location, body })
}

/// The error a non-success answer that will not be retried stands for.
pub(crate) fn final_error(call: &Call<'_>, answer: &Answer, attempts: u32) -> PlatformError {
    let (method, path, status) = (call.method.to_string(), call.path.clone(), answer.status);
    if status.is_redirection() {
        let location = answer.location.clone().unwrap_or_else(|| "nowhere".to_owned());
        return PlatformError::Redirect { method, path, status: status.as_u16(), location };
    }
    if answer.is_retryable() {
        return PlatformError::Unavailable { method, path, status: status.as_u16(), attempts };
    }
    PlatformError::from_answer(&method, &path, status.as_u16(), &answer.body)
}

pub(crate) fn transport_error(
    call: &Call<'_>,
    attempts: u32,
    source: reqwest::Error,
) -> PlatformError {
    PlatformError::Transport {
        method: call.method.to_string(),
        path: call.path.clone(),
        attempts,
        source,
    }
}

/// Decodes a JSON body into `T`.
pub(crate) fn decode<T: DeserializeOwned>(
    call: &Call<'_>,
    body: &[u8],
) -> Result<T, PlatformError> {
    serde_json::from_slice(body).map_err(|source| PlatformError::Decode {
        method: call.method.to_string(),
        path: call.path.clone(),
        source,
    })
}

/// Takes the object out of a `{"message", "<singular>": {...}}` answer.
pub(crate) fn unwrap_object(
    call: &Call<'_>,
    body: &[u8],
    singular: &str,
) -> Result<Value, PlatformError> {
    let mut envelope: serde_json::Map<String, Value> = decode(call, body)?;
    envelope.remove(singular).filter(Value::is_object).ok_or_else(|| PlatformError::Decode {
        method: call.method.to_string(),
        path: call.path.clone(),
        source: serde::de::Error::custom(format!("the answer has no `{singular}` object")),
    })
}
