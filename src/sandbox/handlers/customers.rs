//! Customers in the public API's shape (list, get, search, create, update, with no
//! `If-Match`, as today's API), and the preview that counts a filter's matches.

use std::collections::HashMap;
use std::sync::Arc;

use axum::Extension;
use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use rusqlite::{Connection, OptionalExtension, params};
use serde_json::{Map, Value, json};

use crate::clock;
use crate::manifest::model::{Channel, FieldType, Filter};
use crate::sandbox::accounts::Caller;
use crate::sandbox::customers::{self, Customer, Row};
use crate::sandbox::filter::Catalog;
use crate::sandbox::objects;
use crate::sandbox::reply::{self, ApiError};
use crate::sandbox::routes::App;
use crate::state::{CustomField, Tag};

fn customer_id(text: &str) -> Result<i64, ApiError> {
    text.parse().map_err(|_| ApiError::NotFound(format!("customer `{text}` not found")))
}

/// Names of the tags `rows` carry, by `web_id`: looked up one by one, as a page of
/// customers carries a few of what may be a thousand tags.
fn tag_names(
    db: &Connection,
    account: i64,
    rows: &[Row],
) -> Result<HashMap<String, String>, ApiError> {
    let mut names = HashMap::new();
    let mut statement = db.prepare_cached(
        "SELECT json_extract(body, '$.name') FROM objects \
         WHERE account_id = ?1 AND kind = 'tags' AND web_id = ?2",
    )?;
    for web_id in rows.iter().flat_map(|row| &row.customer.tags) {
        if !names.contains_key(web_id) {
            let name: Option<String> =
                statement.query_row(params![account, web_id], |r| r.get(0)).optional()?;
            if let Some(name) = name {
                names.insert(web_id.clone(), name);
            }
        }
    }
    Ok(names)
}

fn answer(db: &Connection, account: i64, row: &Row) -> Result<Value, ApiError> {
    Ok(customers::public(row, &tag_names(db, account, std::slice::from_ref(row))?))
}

/// `GET /customers?page=`
pub async fn list(
    State(app): State<Arc<App>>,
    Extension(caller): Extension<Caller>,
    Query(query): Query<HashMap<String, String>>,
) -> Result<Response, ApiError> {
    let page = reply::page_number(&query)?;
    let (total, items) = app.db.read(|db| {
        let (total, rows) = customers::page(db, caller.account, page)?;
        let names = tag_names(db, caller.account, &rows)?;
        Ok((total, rows.iter().map(|row| customers::public(row, &names)).collect()))
    })?;
    Ok(reply::page("customers", total, items))
}

/// `GET /customers/{id}`
pub async fn get(
    State(app): State<Arc<App>>,
    Extension(caller): Extension<Caller>,
    Path(id): Path<String>,
) -> Result<Response, ApiError> {
    let id = customer_id(&id)?;
    let value = app.db.read(|db| {
        let row = customers::find(db, caller.account, id)?;
        answer(db, caller.account, &row)
    })?;
    Ok(reply::object(StatusCode::OK, "customer", value))
}

/// `GET /customers/search?phone=` or `?email=`
pub async fn search(
    State(app): State<Arc<App>>,
    Extension(caller): Extension<Caller>,
    Query(query): Query<HashMap<String, String>>,
) -> Result<Response, ApiError> {
    let phone = query.get("phone").map(String::as_str);
    let email = query.get("email").map(String::as_str);
    let value = app.db.read(|db| {
        let row = customers::search(db, caller.account, phone, email)?;
        answer(db, caller.account, &row)
    })?;
    Ok(reply::object(StatusCode::OK, "customer", value))
}

/// `POST /customers`: 201 with the new customer.
pub async fn create(
    State(app): State<Arc<App>>,
    Extension(caller): Extension<Caller>,
    body: Bytes,
) -> Result<Response, ApiError> {
    let fields = reply::unwrap_body(&body, "customer")?;
    let value = app.db.write(|db| {
        let now = clock::now();
        let mut customer = Customer {
            first_name: String::new(),
            last_name: None,
            email: None,
            phone: None,
            channel: Channel::Whatsapp,
            assigned_agent_id: None,
            open_chat: false,
            created_at: now,
            last_interaction_at: now,
            tags: Vec::new(),
            fields: Default::default(),
        };
        apply(db, caller.account, &mut customer, fields)?;
        if customer.phone.is_none() && customer.email.is_none() {
            return Err(ApiError::invalid("a customer needs a `phone` or an `email`"));
        }
        let id = customers::insert(db, caller.account, &customer)?;
        answer(db, caller.account, &Row { id, customer })
    })?;
    Ok(reply::object(StatusCode::CREATED, "customer", value))
}

/// `PUT /customers/{id}`: the given fields replace the stored ones; tags with `value: false`
/// are removed.
pub async fn update(
    State(app): State<Arc<App>>,
    Extension(caller): Extension<Caller>,
    Path(id): Path<String>,
    body: Bytes,
) -> Result<Response, ApiError> {
    let id = customer_id(&id)?;
    let value = app.db.write(|db| {
        let mut row = customers::find(db, caller.account, id)?;
        let fields = reply::unwrap_body(&body, "customer")?;
        apply(db, caller.account, &mut row.customer, fields)?;
        customers::update(db, caller.account, id, &row.customer)?;
        answer(db, caller.account, &row)
    })?;
    Ok(reply::object(StatusCode::OK, "customer", value))
}

/// `POST /customer_lists/preview`: how many customers a filter matches now. Writes nothing.
pub async fn preview(
    State(app): State<Arc<App>>,
    Extension(caller): Extension<Caller>,
    body: Bytes,
) -> Result<Response, ApiError> {
    let mut fields = reply::unwrap_body(&body, "customer_list")?;
    let filter: Filter = serde_json::from_value(fields.remove("filter").unwrap_or(Value::Null))
        .map_err(|error| ApiError::invalid(format!("invalid filter: {error}")))?;
    let count = app.db.read(|db| {
        let catalog = Catalog::load(db, caller.account)?;
        let problems = catalog.problems(&filter);
        if !problems.is_empty() {
            return Err(ApiError::Invalid(problems));
        }
        Ok(catalog.count(&filter, &customers::all(db, caller.account)?))
    })?;
    Ok(reply::object(StatusCode::OK, "preview", json!({ "customers_count": count })))
}

/// Lays a request's fields over `customer`, resolving tags and custom fields by name.
fn apply(
    db: &Connection,
    account: i64,
    customer: &mut Customer,
    fields: Map<String, Value>,
) -> Result<(), ApiError> {
    let mut problems = Vec::new();
    for (name, value) in fields {
        match name.as_str() {
            "first_name" => match value {
                Value::String(text) => customer.first_name = text,
                Value::Null => customer.first_name.clear(),
                _ => problems.push("`first_name` must be text".to_owned()),
            },
            "last_name" | "email" | "phone" => {
                let text = match value {
                    Value::String(text) if !text.trim().is_empty() => Some(text.trim().to_owned()),
                    Value::String(_) | Value::Null => None,
                    _ => {
                        problems.push(format!("`{name}` must be text"));
                        continue;
                    }
                };
                match name.as_str() {
                    "last_name" => customer.last_name = text,
                    "email" => customer.email = text,
                    _ => customer.phone = text,
                }
            }
            "channel" => match serde_json::from_value(value) {
                Ok(channel) => customer.channel = channel,
                Err(_) => {
                    problems.push("`channel` must be whatsapp, instagram or messenger".into())
                }
            },
            "tags" => apply_tags(db, account, customer, value, &mut problems)?,
            "custom_fields" => apply_fields(db, account, customer, value, &mut problems)?,
            // Read-only and unknown fields are ignored, as the contract asks.
            _ => {}
        }
    }
    if problems.is_empty() { Ok(()) } else { Err(ApiError::Invalid(problems)) }
}

fn apply_tags(
    db: &Connection,
    account: i64,
    customer: &mut Customer,
    value: Value,
    problems: &mut Vec<String>,
) -> Result<(), ApiError> {
    let Value::Array(entries) = value else {
        problems.push("`tags` must be a list of `{name, value}`".to_owned());
        return Ok(());
    };
    let tags: HashMap<String, String> = objects::all::<Tag>(db, account)?
        .into_iter()
        .map(|tag| (tag.name.to_lowercase(), tag.web_id))
        .collect();
    for entry in entries {
        let name = entry.get("name").and_then(Value::as_str).unwrap_or_default();
        let wanted = entry.get("value").and_then(Value::as_bool).unwrap_or(true);
        let Some(web_id) = tags.get(&name.to_lowercase()) else {
            problems.push(format!("unknown tag `{name}`: create the tag first"));
            continue;
        };
        customer.tags.retain(|held| held != web_id);
        if wanted {
            customer.tags.push(web_id.clone());
        }
    }
    Ok(())
}

fn apply_fields(
    db: &Connection,
    account: i64,
    customer: &mut Customer,
    value: Value,
    problems: &mut Vec<String>,
) -> Result<(), ApiError> {
    let Value::Array(entries) = value else {
        problems.push("`custom_fields` must be a list of `{field_name, field_content}`".into());
        return Ok(());
    };
    let fields = objects::all::<CustomField>(db, account)?;
    for entry in entries {
        let name = entry.get("field_name").and_then(Value::as_str).unwrap_or_default();
        let content = entry.get("field_content").cloned().unwrap_or(Value::Null);
        let Some(field) = fields.iter().find(|f| f.key == name || f.name == name) else {
            problems.push(format!("unknown custom field `{name}`"));
            continue;
        };
        if content.is_null() || content.as_str() == Some("") {
            customer.fields.remove(&field.key);
            continue;
        }
        match checked_content(field, content) {
            Ok(value) => {
                customer.fields.insert(field.key.clone(), value);
            }
            Err(problem) => problems.push(problem),
        }
    }
    Ok(())
}

/// The value as the field's type stores it, or why it does not fit.
fn checked_content(field: &CustomField, content: Value) -> Result<Value, String> {
    let text = match &content {
        Value::String(text) => text.trim().to_owned(),
        other => other.to_string(),
    };
    let fits = match field.field_type {
        FieldType::String => true,
        FieldType::Integer => text.parse::<i64>().is_ok(),
        FieldType::Float => text.parse::<f64>().is_ok(),
        FieldType::Boolean => text == "true" || text == "false",
        FieldType::Date => text.len() == 10 && text.as_bytes().get(4) == Some(&b'-'),
        FieldType::List => field.options.contains(&text),
    };
    if fits {
        Ok(Value::String(text))
    } else {
        Err(format!("`{text}` does not fit custom field `{}` ({:?})", field.key, field.field_type))
    }
}
