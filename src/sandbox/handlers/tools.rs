//! Tool endpoints for tests, outside the contract: create accounts, open a customer's chat
//! with an agent (what a conversation coming in does on the platform), read and reset the
//! request counts. They take no key of their own (opening a chat names its account by the
//! account's key), are neither counted nor faulted, and answer loopback peers only.

use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::{ConnectInfo, Request, State};
use axum::http::{HeaderMap, StatusCode};
use axum::middleware::{Next, from_fn};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use serde_json::{Value, json};

use crate::sandbox::accounts::{self, Caller};
use crate::sandbox::connection::Peer;
use crate::sandbox::random::fresh_api_key;
use crate::sandbox::reply::{self, ApiError};
use crate::sandbox::routes::App;
use crate::sandbox::{agents, customers};

/// The `/_sandbox` routes.
pub fn router() -> Router<Arc<App>> {
    Router::new()
        .route("/_sandbox/accounts", post(create_account))
        .route("/_sandbox/chats", post(open_chat))
        .route("/_sandbox/stats", get(stats))
        .route("/_sandbox/stats/reset", post(reset_stats))
        .layer(from_fn(loopback_only))
}

async fn loopback_only(request: Request, next: Next) -> Response {
    let peer = request.extensions().get::<ConnectInfo<Peer>>().map(|info| info.0.addr);
    if peer.is_some_and(|addr| !addr.ip().is_loopback()) {
        return ApiError::NotFound("tool endpoints answer loopback clients only".to_owned())
            .into_response();
    }
    next.run(request).await
}

/// `POST /_sandbox/accounts` `{"slug": "..."}` → `{"api_key", "account"}`, 201.
async fn create_account(State(app): State<Arc<App>>, body: Bytes) -> Result<Response, ApiError> {
    let request: Value = serde_json::from_slice(&body)
        .map_err(|_| ApiError::invalid("the body must be `{\"slug\": \"...\"}`"))?;
    let slug = request.get("slug").and_then(Value::as_str).unwrap_or_default().to_owned();
    let name = request.get("name").and_then(Value::as_str).unwrap_or(&slug).to_owned();
    let api_key = fresh_api_key();

    let account = app.db.write(|db| {
        let id = accounts::create(db, &slug, &name, &api_key, app.seeding)?;
        let caller = accounts::caller(db, &api_key)?.unwrap_or(Caller { account: id, owner: 0 });
        accounts::view(db, caller, app.max_agents)
    })?;
    let body = json!({ "message": "ok", "api_key": api_key, "account": account });
    Ok((StatusCode::CREATED, Json(body)).into_response())
}

/// `POST /_sandbox/chats` `{"customer_id", "agent_id"}` with the account's `api-key`: the
/// customer now has an open chat assigned to the agent. 201.
async fn open_chat(
    State(app): State<Arc<App>>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, ApiError> {
    let request: Value = serde_json::from_slice(&body).unwrap_or_default();
    let id = |name| request.get(name).and_then(Value::as_i64);
    let (Some(customer_id), Some(agent_id)) = (id("customer_id"), id("agent_id")) else {
        return Err(ApiError::invalid("the body must be `{\"customer_id\": N, \"agent_id\": N}`"));
    };
    app.db.write(|db| {
        let caller =
            accounts::caller(db, reply::api_key(&headers))?.ok_or(ApiError::Unauthorized)?;
        agents::find(db, caller.account, agent_id)?;
        let mut row = customers::find(db, caller.account, customer_id)?;
        row.customer.assigned_agent_id = Some(agent_id);
        row.customer.open_chat = true;
        customers::update(db, caller.account, customer_id, &row.customer)
    })?;
    let body = json!({ "message": "ok", "customer_id": customer_id, "agent_id": agent_id });
    Ok((StatusCode::CREATED, Json(body)).into_response())
}

/// `GET /_sandbox/stats`
async fn stats(State(app): State<Arc<App>>) -> Result<Response, ApiError> {
    Ok(Json(serde_json::to_value(app.stats.snapshot())?).into_response())
}

/// `POST /_sandbox/stats/reset`
async fn reset_stats(State(app): State<Arc<App>>) -> Response {
    app.stats.reset();
    reply::object(StatusCode::OK, "stats", json!({ "total": 0, "by_route": {} }))
}
