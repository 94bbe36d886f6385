//! The contract's answers: success envelopes, list pages and error bodies.
//!
//! Every error a client can get is an [`ApiError`], answered as
//! `{"message": "...", "errors": [...]}` with the contract's status codes.

use std::collections::HashMap;

use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde_json::{Map, Value, json};

/// Objects per list page.
pub const PAGE_SIZE: usize = 100;

/// An HTTP error answered to a client.
#[derive(Debug)]
pub enum ApiError {
    /// 401: no key or an unknown key.
    Unauthorized,
    /// 404: no such object or route.
    NotFound(String),
    /// 405: the path exists, the method does not.
    MethodNotAllowed(String),
    /// 409: an identity key is taken.
    AlreadyExists(String),
    /// 412: `If-Match` names another version.
    VersionConflict(String),
    /// 422: the request breaks a rule or is malformed.
    Invalid(Vec<String>),
    /// 428: a write without `If-Match`.
    VersionRequired,
    /// 429: over the rate limit; retry after this many seconds.
    RateLimited(u64),
    /// 500: an injected fault or a broken database.
    Internal(String),
}

impl ApiError {
    /// A 422 with one reason.
    pub fn invalid(reason: impl Into<String>) -> Self {
        Self::Invalid(vec![reason.into()])
    }

    fn status_and_message(&self) -> (StatusCode, &'static str) {
        match self {
            Self::Unauthorized => (StatusCode::UNAUTHORIZED, "unauthorized"),
            Self::NotFound(_) => (StatusCode::NOT_FOUND, "not found"),
            Self::MethodNotAllowed(_) => (StatusCode::METHOD_NOT_ALLOWED, "method not allowed"),
            Self::AlreadyExists(_) => (StatusCode::CONFLICT, "already exists"),
            Self::VersionConflict(_) => (StatusCode::PRECONDITION_FAILED, "version conflict"),
            Self::Invalid(_) => (StatusCode::UNPROCESSABLE_ENTITY, "validation failed"),
            Self::VersionRequired => (StatusCode::PRECONDITION_REQUIRED, "precondition required"),
            Self::RateLimited(_) => (StatusCode::TOO_MANY_REQUESTS, "too many requests"),
            Self::Internal(_) => (StatusCode::INTERNAL_SERVER_ERROR, "internal error"),
        }
    }

    fn reasons(&self) -> Vec<String> {
        match self {
            Self::Unauthorized => vec!["invalid api key".to_owned()],
            Self::VersionRequired => {
                vec!["send `If-Match` with the version of the object being changed".to_owned()]
            }
            Self::RateLimited(seconds) => vec![format!("retry after {seconds} s")],
            Self::Invalid(reasons) => reasons.clone(),
            Self::NotFound(reason)
            | Self::MethodNotAllowed(reason)
            | Self::AlreadyExists(reason)
            | Self::VersionConflict(reason)
            | Self::Internal(reason) => vec![reason.clone()],
        }
    }
}

impl std::fmt::Display for ApiError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let (status, message) = self.status_and_message();
        write!(f, "{} {message}: {}", status.as_u16(), self.reasons().join("; "))
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let (status, message) = self.status_and_message();
        let body = json!({ "message": message, "errors": self.reasons() });
        let mut response = (status, axum::Json(body)).into_response();
        if let Self::RateLimited(seconds) = self {
            response.headers_mut().insert(header::RETRY_AFTER, HeaderValue::from(seconds));
        }
        response
    }
}

impl From<rusqlite::Error> for ApiError {
    fn from(error: rusqlite::Error) -> Self {
        tracing::warn!(%error, "sandbox database error");
        Self::Internal("database error".to_owned())
    }
}

impl From<serde_json::Error> for ApiError {
    fn from(error: serde_json::Error) -> Self {
        tracing::warn!(%error, "sandbox stored object does not decode");
        Self::Internal("stored object does not decode".to_owned())
    }
}

/// `{"message": "ok", "<singular>": value}` with `status`.
pub fn object(status: StatusCode, singular: &str, value: Value) -> Response {
    let mut body = Map::new();
    body.insert("message".to_owned(), Value::from("ok"));
    body.insert(singular.to_owned(), value);
    (status, axum::Json(Value::Object(body))).into_response()
}

/// `{"results", "total_pages", "<plural>": [...]}`: `shown` holds one page of the
/// `results` objects.
pub fn page(plural: &str, results: usize, shown: Vec<Value>) -> Response {
    axum::Json(page_body(plural, results, shown)).into_response()
}

/// Index of the first object on `page` (from 1).
pub fn offset(page: usize) -> usize {
    page.saturating_sub(1).saturating_mul(PAGE_SIZE)
}

fn page_body(plural: &str, results: usize, shown: Vec<Value>) -> Value {
    let total_pages = results.div_ceil(PAGE_SIZE).max(1);

    let mut body = Map::new();
    body.insert("results".to_owned(), Value::from(results));
    body.insert("total_pages".to_owned(), Value::from(total_pages));
    body.insert(plural.to_owned(), Value::Array(shown));
    Value::Object(body)
}

/// The `page` query parameter: 1 when absent.
pub fn page_number(query: &HashMap<String, String>) -> Result<usize, ApiError> {
    match query.get("page") {
        None => Ok(1),
        Some(text) => {
            text.trim().parse::<usize>().ok().filter(|page| *page >= 1).ok_or_else(|| {
                ApiError::invalid(format!("`page` must be a whole number from 1, not `{text}`"))
            })
        }
    }
}

/// The request's `api-key` header; empty when it is missing or not text.
pub fn api_key(headers: &HeaderMap) -> &str {
    headers.get("api-key").and_then(|value| value.to_str().ok()).unwrap_or_default()
}

/// The fields inside the request body's `{"<singular>": {...}}` wrapper.
pub fn unwrap_body(bytes: &[u8], singular: &str) -> Result<Map<String, Value>, ApiError> {
    let shape = || format!("the body must be a JSON object `{{\"{singular}\": {{...}}}}`");
    let value: Value = serde_json::from_slice(bytes).map_err(|error| {
        ApiError::Invalid(vec![shape(), format!("the body is not JSON: {error}")])
    })?;
    match value {
        Value::Object(mut outer) => match outer.remove(singular) {
            Some(Value::Object(fields)) => Ok(fields),
            _ => Err(ApiError::invalid(shape())),
        },
        _ => Err(ApiError::invalid(shape())),
    }
}

/// The version named by `If-Match`: 428 when missing. A write reads it before the body,
/// and compares it (412) only once the body has passed validation (422).
pub fn if_match(headers: &HeaderMap) -> Result<i64, ApiError> {
    let value = headers.get(header::IF_MATCH).ok_or(ApiError::VersionRequired)?;
    let text = value.to_str().unwrap_or_default().trim();
    // Accept a bare number, a quoted entity tag, or a weak one: `3`, `"3"`, `W/"3"`.
    let bare = text.trim_start_matches("W/").trim_matches('"');
    bare.parse::<i64>().map_err(|_| {
        ApiError::invalid(format!("`If-Match` must carry a version number, not `{text}`"))
    })
}

/// Checks `If-Match` against the stored version; `label` names the object in the message.
pub fn check_version(headers: &HeaderMap, label: &str, current: i64) -> Result<(), ApiError> {
    same_version(if_match(headers)?, label, current)
}

/// Compares the version a client named with the stored one: 412 when they differ.
pub fn same_version(wanted: i64, label: &str, current: i64) -> Result<(), ApiError> {
    if wanted == current {
        Ok(())
    } else {
        Err(ApiError::VersionConflict(format!("{label} has version {current}, not {wanted}")))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn if_match_accepts_bare_and_quoted_versions() {
        for text in ["3", "\"3\"", "W/\"3\""] {
            let mut headers = HeaderMap::new();
            headers.insert(header::IF_MATCH, HeaderValue::from_str(text).unwrap());
            assert_eq!(if_match(&headers).unwrap(), 3, "{text}");
        }
        assert!(matches!(if_match(&HeaderMap::new()), Err(ApiError::VersionRequired)));
    }

    #[test]
    fn pages_past_the_end_are_empty_with_the_same_totals() {
        assert_eq!(offset(1), 0);
        assert_eq!(offset(3), 200);
        let past = page_body("tags", 150, Vec::new());
        assert_eq!((past["results"].clone(), past["total_pages"].clone()), (json!(150), json!(2)));
        assert_eq!(past["tags"], json!([]));
        assert_eq!(page_body("tags", 0, Vec::new())["total_pages"], 1);
    }

    #[test]
    fn a_body_without_its_wrapper_is_rejected() {
        assert!(unwrap_body(br#"{"name": "VIP"}"#, "tag").is_err());
        assert!(unwrap_body(br#"{"tag": {"name": "VIP"}}"#, "tag").is_ok());
        assert!(unwrap_body(b"not json", "tag").is_err());
    }
}
