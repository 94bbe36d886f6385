//! How to reach an account: endpoint, key, rate limit, timeouts and retry policy.

use std::net::IpAddr;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use reqwest::Url;

use super::error::PlatformError;
use super::secret::Secret;

/// Base path of the API under the endpoint.
pub const API_BASE_PATH: &str = "/retailers/api/v1";

/// Everything a [`Client`](super::Client) needs to talk to one account.
#[derive(Debug, Clone)]
pub struct ClientConfig {
    /// Base URL of the platform (`https://app.mercately.com`); the API base path is added
    /// unless the URL already ends with it.
    pub endpoint: String,
    /// The account's API key, sent as the `api-key` header.
    pub api_key: Secret,
    /// Most requests per second sent to the account, shared by every request of the client.
    pub rate_limit: f64,
    /// Connect and whole-request timeouts.
    pub timeouts: Timeouts,
    /// How often and how patiently failed requests are retried.
    pub retry: RetryPolicy,
}

impl ClientConfig {
    /// A configuration with the default rate limit (10 per second), timeouts and retries.
    pub fn new(endpoint: impl Into<String>, api_key: impl Into<Secret>) -> Self {
        Self {
            endpoint: endpoint.into(),
            api_key: api_key.into(),
            rate_limit: 10.0,
            timeouts: Timeouts::default(),
            retry: RetryPolicy::default(),
        }
    }
}

/// Time limits of one request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Timeouts {
    /// Establishing the TCP and TLS connection.
    pub connect: Duration,
    /// The whole request, from sending to the last byte of the answer.
    pub request: Duration,
}

impl Default for Timeouts {
    fn default() -> Self {
        Self { connect: Duration::from_secs(10), request: Duration::from_secs(30) }
    }
}

/// Bounds of the retry loop.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RetryPolicy {
    /// Attempts per request, the first one included.
    pub max_attempts: u32,
    /// Delay before the first retry; it doubles on each further retry.
    pub base_delay: Duration,
    /// Ceiling of the exponential delay.
    pub max_delay: Duration,
    /// Ceiling of a server's `Retry-After`, so a hostile or broken answer cannot stall a run.
    pub max_retry_after: Duration,
    /// Seed of the jitter; equal seeds give equal delays.
    pub seed: u64,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        // Different processes should not retry in lockstep, so the default seed comes from
        // the clock; tests set their own.
        let seed = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map(|elapsed| elapsed.as_nanos() as u64)
            .unwrap_or(0x5eed);
        Self {
            max_attempts: 6,
            base_delay: Duration::from_millis(200),
            max_delay: Duration::from_secs(10),
            max_retry_after: Duration::from_secs(120),
            seed,
        }
    }
}

/// Checks the endpoint and returns the API base URL, without a trailing slash.
///
/// `https` is required except for loopback hosts, where the sandbox and tests listen.
pub fn api_base(endpoint: &str) -> Result<String, PlatformError> {
    let invalid = |reason: &str| PlatformError::InvalidEndpoint {
        endpoint: endpoint.to_owned(),
        reason: reason.to_owned(),
    };
    let url = Url::parse(endpoint.trim()).map_err(|error| invalid(&error.to_string()))?;

    let host = url.host_str().ok_or_else(|| invalid("it names no host"))?;
    if !url.username().is_empty() || url.password().is_some() {
        return Err(invalid("it carries credentials; pass the key with `MERCATELY_API_KEY`"));
    }
    if url.query().is_some() || url.fragment().is_some() {
        return Err(invalid("it has a query or a fragment"));
    }
    match url.scheme() {
        "https" => {}
        "http" if is_loopback(host) => {}
        "http" => return Err(PlatformError::InsecureEndpoint { endpoint: endpoint.to_owned() }),
        other => return Err(invalid(&format!("the scheme `{other}` is not http or https"))),
    }

    let base = url.as_str().trim_end_matches('/');
    if base.ends_with(API_BASE_PATH) {
        Ok(base.to_owned())
    } else {
        Ok(format!("{base}{API_BASE_PATH}"))
    }
}

/// Whether a URL host is this machine: `localhost`, 127.0.0.0/8 or `::1`.
fn is_loopback(host: &str) -> bool {
    let bare = host.trim_start_matches('[').trim_end_matches(']');
    match bare.parse::<IpAddr>() {
        Ok(ip) => ip.is_loopback(),
        Err(_) => bare.eq_ignore_ascii_case("localhost") || bare.eq_ignore_ascii_case("localhost."),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn https_gets_the_api_base_path() {
        let base = api_base("https://app.mercately.com").unwrap();
        assert_eq!(base, "https://app.mercately.com/retailers/api/v1");
        let base = api_base("https://app.mercately.com/retailers/api/v1/").unwrap();
        assert_eq!(base, "https://app.mercately.com/retailers/api/v1");
    }

    #[test]
    fn plain_http_only_on_loopback() {
        for ok in
            ["http://127.0.0.1:8080", "http://127.1.2.3", "http://[::1]:9", "http://LocalHost"]
        {
            assert!(api_base(ok).is_ok(), "{ok}");
        }
        for insecure in ["http://app.mercately.com", "http://10.0.0.1", "http://localhost.evil.com"]
        {
            assert!(
                matches!(api_base(insecure), Err(PlatformError::InsecureEndpoint { .. })),
                "{insecure}"
            );
        }
    }

    #[test]
    fn malformed_endpoints_are_refused() {
        for bad in [
            "app.mercately.com",
            "ftp://app.mercately.com",
            "https://u:p@x.com",
            "",
            "https://x.com/?a=1",
        ] {
            assert!(matches!(api_base(bad), Err(PlatformError::InvalidEndpoint { .. })), "{bad}");
        }
    }
}
