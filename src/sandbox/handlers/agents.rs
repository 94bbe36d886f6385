//! Agents: list, invite, read, update, deactivate and reactivate. Nothing deletes an agent:
//! removing a member deactivates it, and its customers and chats stay.

use std::collections::HashMap;
use std::sync::Arc;

use axum::Extension;
use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use rusqlite::Connection;
use serde_json::{Map, Value, json};

use crate::sandbox::accounts::Caller;
use crate::sandbox::reply::{self, ApiError};
use crate::sandbox::routes::App;
use crate::sandbox::{agents, objects};
use crate::state::{Agent, Team};

/// Fields the server owns.
const READ_ONLY: &[&str] = &["id", "version", "active", "open_chats"];

fn agent_id(text: &str) -> Result<i64, ApiError> {
    text.parse().map_err(|_| ApiError::NotFound(format!("agent `{text}` not found")))
}

fn answer(status: StatusCode, agent: &Agent) -> Result<Response, ApiError> {
    Ok(reply::object(status, "agent", serde_json::to_value(agent)?))
}

/// Lays the writable `fields` over `base`.
fn merge(base: Value, fields: Map<String, Value>) -> Result<Agent, ApiError> {
    let mut object = match base {
        Value::Object(object) => object,
        _ => Map::new(),
    };
    for (name, value) in fields {
        if !READ_ONLY.contains(&name.as_str()) {
            objects::check_shape(&object, &name, &value)?;
            object.insert(name, value);
        }
    }
    serde_json::from_value(Value::Object(object))
        .map_err(|error| ApiError::invalid(format!("invalid agent: {error}")))
}

/// The platform's rules on an agent's own fields and its teams.
fn check(db: &Connection, account: i64, agent: &Agent) -> Result<(), ApiError> {
    let mut problems = Vec::new();
    let email = agent.email.trim();
    let well_formed = email.split_once('@').is_some_and(|(user, domain)| {
        !user.is_empty() && domain.contains('.') && !email.contains(char::is_whitespace)
    });
    if !well_formed {
        problems.push(format!("`{}` is not an email address", agent.email));
    }
    if agent.first_name.trim().is_empty() {
        problems.push("agent `first_name` must not be empty".to_owned());
    }
    for team in &agent.teams {
        if objects::web_id_of::<Team>(db, account, team)?.is_none() {
            problems.push(format!("unknown team `{team}`"));
        }
    }
    if problems.is_empty() { Ok(()) } else { Err(ApiError::Invalid(problems)) }
}

fn check_seat(app: &App, db: &Connection, account: i64) -> Result<(), ApiError> {
    let active = agents::active_count(db, account)?;
    if active >= app.max_agents {
        return Err(ApiError::invalid(format!(
            "all {} seats are taken: deactivate an agent or buy seats",
            app.max_agents
        )));
    }
    Ok(())
}

/// `GET /agents?page=`
pub async fn list(
    State(app): State<Arc<App>>,
    Extension(caller): Extension<Caller>,
    Query(query): Query<HashMap<String, String>>,
) -> Result<Response, ApiError> {
    let page = reply::page_number(&query)?;
    let (total, items) = app.db.read(|db| {
        let (total, agents) = agents::page(db, caller.account, page)?;
        let items = agents
            .iter()
            .map(|agent| Ok(serde_json::to_value(agent)?))
            .collect::<Result<Vec<_>, ApiError>>()?;
        Ok((total, items))
    })?;
    Ok(reply::page("agents", total, items))
}

/// `GET /agents/{id}`
pub async fn get(
    State(app): State<Arc<App>>,
    Extension(caller): Extension<Caller>,
    Path(id): Path<String>,
) -> Result<Response, ApiError> {
    let id = agent_id(&id)?;
    let agent = app.db.read(|db| agents::find(db, caller.account, id))?;
    answer(StatusCode::OK, &agent)
}

/// `POST /agents`: invites an agent, taking a seat.
pub async fn create(
    State(app): State<Arc<App>>,
    Extension(caller): Extension<Caller>,
    body: Bytes,
) -> Result<Response, ApiError> {
    let fields = reply::unwrap_body(&body, "agent")?;
    let agent = app.db.write(|db| {
        let base = json!({"id": 0, "last_name": null, "profile": null, "permissions": {},
                          "teams": [], "active": true, "open_chats": 0, "version": 1});
        let agent = merge(base, fields)?;
        check(db, caller.account, &agent)?;
        agents::check_email(db, caller.account, &agent.email, None)?;
        check_seat(&app, db, caller.account)?;
        agents::insert(db, caller.account, agent)
    })?;
    answer(StatusCode::CREATED, &agent)
}

/// `PUT /agents/{id}` with `If-Match`.
pub async fn update(
    State(app): State<Arc<App>>,
    Extension(caller): Extension<Caller>,
    Path(id): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, ApiError> {
    let id = agent_id(&id)?;
    let agent = app.db.write(|db| {
        let before = agents::find(db, caller.account, id)?;
        let wanted = reply::if_match(&headers)?;
        let fields = reply::unwrap_body(&body, "agent")?;
        let mut agent = merge(serde_json::to_value(&before)?, fields)?;
        check(db, caller.account, &agent)?;
        reply::same_version(wanted, &format!("agent {id}"), before.version)?;
        agent.version = before.version + 1;
        agents::check_email(db, caller.account, &agent.email, Some(id))?;
        agents::save(db, &agent)?;
        Ok(agent)
    })?;
    answer(StatusCode::OK, &agent)
}

/// `POST /agents/{id}/deactivate` with `If-Match`: frees the seat, keeps chats and customers.
pub async fn deactivate(
    State(app): State<Arc<App>>,
    Extension(caller): Extension<Caller>,
    Path(id): Path<String>,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    let id = agent_id(&id)?;
    let agent = app.db.write(|db| {
        let mut agent = agents::find(db, caller.account, id)?;
        reply::check_version(&headers, &format!("agent {id}"), agent.version)?;
        if id == caller.owner {
            return Err(ApiError::invalid(format!(
                "agent `{}` owns the api key in use and cannot be deactivated",
                agent.email
            )));
        }
        agent.active = false;
        agent.version += 1;
        agents::save(db, &agent)?;
        Ok(agent)
    })?;
    answer(StatusCode::OK, &agent)
}

/// `POST /agents/{id}/reactivate` with `If-Match`: takes a seat again.
pub async fn reactivate(
    State(app): State<Arc<App>>,
    Extension(caller): Extension<Caller>,
    Path(id): Path<String>,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    let id = agent_id(&id)?;
    let agent = app.db.write(|db| {
        let mut agent = agents::find(db, caller.account, id)?;
        reply::check_version(&headers, &format!("agent {id}"), agent.version)?;
        if !agent.active {
            check_seat(&app, db, caller.account)?;
        }
        agent.active = true;
        agent.version += 1;
        agents::save(db, &agent)?;
        Ok(agent)
    })?;
    answer(StatusCode::OK, &agent)
}
