//! What can go wrong talking to the platform, each with what to do about it.

use serde::Deserialize;

/// An error of the platform client. Paths are relative to the API base path.
#[derive(Debug, thiserror::Error, miette::Diagnostic)]
pub enum PlatformError {
    #[error("the endpoint `{endpoint}` is not usable: {reason}")]
    #[diagnostic(
        code(mercfg::platform::endpoint),
        help("pass `--endpoint` a base URL such as `https://app.mercately.com`")
    )]
    InvalidEndpoint { endpoint: String, reason: String },

    #[error("the endpoint `{endpoint}` uses plain `http`")]
    #[diagnostic(
        code(mercfg::platform::insecure),
        help("use `https://`; plain `http` is accepted only on loopback, where the sandbox runs")
    )]
    InsecureEndpoint { endpoint: String },

    #[error("the rate limit `{value}` is not a number of requests per second mercfg can keep to")]
    #[diagnostic(
        code(mercfg::platform::rate_limit),
        help(
            "pass `--rate-limit` a number of requests per second of at least one a minute (0.017)"
        )
    )]
    InvalidRateLimit { value: f64 },

    #[error("the API key is empty")]
    #[diagnostic(
        code(mercfg::platform::no_key),
        help("set `MERCATELY_API_KEY` or pass `--api-key-file`")
    )]
    MissingApiKey,

    #[error("the API key contains characters an HTTP header cannot carry")]
    #[diagnostic(
        code(mercfg::platform::malformed_key),
        help("copy the key again from the Mercately settings; it is printable ASCII")
    )]
    MalformedApiKey,

    #[error("the HTTP client could not be set up")]
    #[diagnostic(code(mercfg::platform::setup))]
    Setup(#[source] reqwest::Error),

    #[error("the platform refused the API key on `{method} {path}`")]
    #[diagnostic(
        code(mercfg::platform::unauthorized),
        help(
            "check that the key is valid and belongs to this account; `-v` logs where it was \
             read from (`--api-key-file`, the manifest's `api_key_env` or `MERCATELY_API_KEY`)"
        )
    )]
    Unauthorized { method: String, path: String },

    #[error("`{method} {path}` was not found on the platform")]
    #[diagnostic(
        code(mercfg::platform::not_found),
        help("the object may have been removed since it was read; run `mercfg plan` again")
    )]
    NotFound { method: String, path: String },

    #[error("`{method} {path}` names an object that already exists: {details}")]
    #[diagnostic(
        code(mercfg::platform::already_exists),
        help("another object has the same identity key; run `mercfg plan` again to adopt it")
    )]
    AlreadyExists { method: String, path: String, details: String },

    #[error("`{method} {path}` hit a version conflict: {details}")]
    #[diagnostic(
        code(mercfg::platform::version_conflict),
        help("someone changed the object since it was read; run `mercfg plan` again")
    )]
    VersionConflict { method: String, path: String, details: String },

    #[error("the platform rejected `{method} {path}`: {details}")]
    #[diagnostic(
        code(mercfg::platform::rejected),
        help("change the manifest so it meets the platform's rule, then run `mercfg plan` again")
    )]
    Rejected { method: String, path: String, details: String },

    #[error("the platform answered `{method} {path}` with a redirect ({status}) to `{location}`")]
    #[diagnostic(
        code(mercfg::platform::redirect),
        help(
            "the API never redirects and mercfg does not follow redirects; check `--endpoint` \
             (a redirect can also hide a rejected request)"
        )
    )]
    Redirect { method: String, path: String, status: u16, location: String },

    #[error(
        "the platform answered `{method} {path}` with status {status} after {attempts} attempts"
    )]
    #[diagnostic(
        code(mercfg::platform::unavailable),
        help("the platform is failing or limiting the account; wait, or lower `--rate-limit`")
    )]
    Unavailable { method: String, path: String, status: u16, attempts: u32 },

    #[error("`{method} {path}` failed with status {status}: {details}")]
    #[diagnostic(
        code(mercfg::platform::status),
        help("the platform refused the request; run with `-v` to see every request")
    )]
    Status { method: String, path: String, status: u16, details: String },

    #[error("the platform could not be reached for `{method} {path}` after {attempts} attempts")]
    #[diagnostic(
        code(mercfg::platform::transport),
        help("check the network and `--endpoint`; slow links may need a longer timeout")
    )]
    Transport {
        method: String,
        path: String,
        attempts: u32,
        #[source]
        source: reqwest::Error,
    },

    #[error("the platform answered `{method} {path}` with a body mercfg cannot read")]
    #[diagnostic(
        code(mercfg::platform::decode),
        help("the endpoint may not speak this version of the API; check `--endpoint`")
    )]
    Decode {
        method: String,
        path: String,
        #[source]
        source: serde_json::Error,
    },

    #[error("the outcome of `{method} {path}` is unknown")]
    #[diagnostic(
        code(mercfg::platform::outcome_unknown),
        help("the answer was lost and reading the object back failed; run `mercfg plan` again")
    )]
    OutcomeUnknown {
        method: String,
        path: String,
        #[source]
        source: Box<PlatformError>,
    },
}

impl PlatformError {
    /// Whether the platform said the object or endpoint does not exist.
    pub fn is_not_found(&self) -> bool {
        matches!(self, PlatformError::NotFound { .. })
    }

    /// The error a final, non-retryable answer stands for.
    pub(crate) fn from_answer(method: &str, path: &str, status: u16, body: &[u8]) -> Self {
        let (method, path) = (method.to_owned(), path.to_owned());
        let details = details_of(body);
        match status {
            401 | 403 => PlatformError::Unauthorized { method, path },
            404 => PlatformError::NotFound { method, path },
            409 => PlatformError::AlreadyExists { method, path, details },
            412 => PlatformError::VersionConflict { method, path, details },
            422 => PlatformError::Rejected { method, path, details },
            _ => PlatformError::Status { method, path, status, details },
        }
    }
}

/// The contract's error body.
#[derive(Deserialize)]
struct ErrorBody {
    #[serde(default)]
    message: String,
    #[serde(default)]
    errors: Vec<String>,
}

/// The server's own words: its `errors` joined, else its `message`, else a placeholder.
fn details_of(body: &[u8]) -> String {
    match serde_json::from_slice::<ErrorBody>(body) {
        Ok(parsed) if !parsed.errors.is_empty() => parsed.errors.join("; "),
        Ok(parsed) if !parsed.message.is_empty() => parsed.message,
        _ => "the platform gave no reason".to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rejection_shows_every_server_error() {
        let body = br#"{"message": "invalid", "errors": ["amount must be at least 10", "x"]}"#;
        let error = PlatformError::from_answer("PUT", "/balance", 422, body);
        assert_eq!(
            error.to_string(),
            "the platform rejected `PUT /balance`: amount must be at least 10; x"
        );
    }

    #[test]
    fn unreadable_error_bodies_still_classify() {
        let error = PlatformError::from_answer("GET", "/tags", 401, b"<html>");
        assert!(matches!(error, PlatformError::Unauthorized { .. }));
        let error = PlatformError::from_answer("PUT", "/tags/t_1", 412, b"");
        assert!(error.to_string().contains("the platform gave no reason"));
    }
}
