//! The account behind the key, and its WhatsApp templates (read only, as in today's API).

use std::collections::HashMap;
use std::sync::Arc;

use axum::Extension;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use serde_json::{Value, json};

use crate::sandbox::accounts::{self, Caller};
use crate::sandbox::reply::{self, ApiError};
use crate::sandbox::routes::App;

/// The approved templates every sandbox account has: name, category and text.
const TEMPLATES: &[(&str, &str, &str)] = &[
    ("bienvenida", "UTILITY", "Hola {{1}}, gracias por escribirnos."),
    ("recordatorio_pago", "UTILITY", "Hola {{1}}, tu pago de {{2}} vence el {{3}}."),
    ("promocion_mensual", "MARKETING", "¡{{1}}, este mes tenemos {{2}} de descuento!"),
];

/// `GET /account`: `key_owner_id` is the agent the key belongs to.
pub async fn get(
    State(app): State<Arc<App>>,
    Extension(caller): Extension<Caller>,
) -> Result<Response, ApiError> {
    let account = app.db.read(|db| accounts::view(db, caller, app.max_agents))?;
    Ok(reply::object(StatusCode::OK, "account", serde_json::to_value(account)?))
}

/// `GET /whatsapp_templates?page=`
pub async fn templates(
    Extension(_caller): Extension<Caller>,
    Query(query): Query<HashMap<String, String>>,
) -> Result<Response, ApiError> {
    let page = reply::page_number(&query)?;
    let items: Vec<Value> = TEMPLATES
        .iter()
        .enumerate()
        .skip(reply::offset(page))
        .take(reply::PAGE_SIZE)
        .map(|(index, (name, category, text))| {
            json!({
                "id": index + 1,
                "name": name,
                "category": category,
                "language": "es",
                "status": "accepted",
                "text": text,
            })
        })
        .collect();
    Ok(reply::page("templates", TEMPLATES.len(), items))
}
