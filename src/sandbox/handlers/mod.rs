//! Request handlers, one file per group of operations, and the authentication every
//! contract operation passes first.

pub mod account;
pub mod agents;
pub mod customers;
pub mod named;
pub mod settings;
pub mod tools;

use std::sync::Arc;

use axum::extract::{Request, State};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use super::accounts;
use super::reply::{self, ApiError};
use super::routes::App;

/// Resolves the `api-key` header to its account and agent, stored as an
/// [`accounts::Caller`] extension; 401 without a known key.
pub async fn authenticate(
    State(app): State<Arc<App>>,
    mut request: Request,
    next: Next,
) -> Response {
    let key = reply::api_key(request.headers());
    if key.is_empty() {
        return ApiError::Unauthorized.into_response();
    }
    match app.db.read(|db| accounts::caller(db, key)) {
        Ok(Some(caller)) => {
            request.extensions_mut().insert(caller);
            next.run(request).await
        }
        Ok(None) => ApiError::Unauthorized.into_response(),
        Err(error) => error.into_response(),
    }
}
