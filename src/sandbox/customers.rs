//! Customers as the sandbox stores them, and their public API shape.
//!
//! The stored form keeps what the rules and filters need: tags by `web_id` (so a rename
//! keeps them), custom field values by key, channel, assigned agent, whether a chat is
//! open, and the creation and last-interaction times.

use std::collections::{BTreeMap, HashMap};

use rusqlite::{Connection, OptionalExtension, params};
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

use super::reply::{self, ApiError, PAGE_SIZE};
use crate::clock;
use crate::manifest::model::Channel;

/// A customer as stored.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Customer {
    pub first_name: String,
    pub last_name: Option<String>,
    pub email: Option<String>,
    pub phone: Option<String>,
    pub channel: Channel,
    pub assigned_agent_id: Option<i64>,
    pub open_chat: bool,
    pub created_at: i64,
    pub last_interaction_at: i64,
    /// `web_id`s of the customer's tags.
    pub tags: Vec<String>,
    /// Custom field values by field key.
    pub fields: BTreeMap<String, Value>,
}

/// A stored customer with its id.
#[derive(Debug, Clone)]
pub struct Row {
    pub id: i64,
    pub customer: Customer,
}

/// Every customer of the account, by id.
pub fn all(db: &Connection, account: i64) -> Result<Vec<Row>, ApiError> {
    let mut statement =
        db.prepare_cached("SELECT id, body FROM customers WHERE account_id = ?1 ORDER BY id")?;
    let rows = statement
        .query_map(params![account], |row| Ok((row.get::<_, i64>(0)?, row.get::<_, String>(1)?)))?
        .collect::<Result<Vec<_>, _>>()?;
    rows.into_iter()
        .map(|(id, body)| Ok(Row { id, customer: serde_json::from_str(&body)? }))
        .collect()
}

/// The customer with this id, or a 404.
pub fn find(db: &Connection, account: i64, id: i64) -> Result<Row, ApiError> {
    let body: Option<String> = db
        .prepare_cached("SELECT body FROM customers WHERE account_id = ?1 AND id = ?2")?
        .query_row(params![account, id], |row| row.get(0))
        .optional()?;
    let body = body.ok_or_else(|| ApiError::NotFound(format!("customer `{id}` not found")))?;
    Ok(Row { id, customer: serde_json::from_str(&body)? })
}

/// The customer with this phone or email (compared case-insensitively), or a 404.
pub fn search(
    db: &Connection,
    account: i64,
    phone: Option<&str>,
    email: Option<&str>,
) -> Result<Row, ApiError> {
    let id: Option<i64> = match (phone, email) {
        (Some(phone), _) => db
            .prepare_cached("SELECT id FROM customers WHERE account_id = ?1 AND phone = ?2")?
            .query_row(params![account, phone], |row| row.get(0))
            .optional()?,
        (None, Some(email)) => db
            .prepare_cached("SELECT id FROM customers WHERE account_id = ?1 AND email_key = ?2")?
            .query_row(params![account, email.to_lowercase()], |row| row.get(0))
            .optional()?,
        (None, None) => {
            return Err(ApiError::invalid("search needs `phone` or `email`"));
        }
    };
    match id {
        Some(id) => find(db, account, id),
        None => Err(ApiError::NotFound("no customer has that phone or email".to_owned())),
    }
}

/// Stores a new customer and returns its id; 409 when its phone or email is taken.
pub fn insert(db: &Connection, account: i64, customer: &Customer) -> Result<i64, ApiError> {
    check_unique(db, account, customer, None)?;
    db.prepare_cached(
        "INSERT INTO customers (account_id, phone, email_key, body) VALUES (?1, ?2, ?3, ?4)",
    )?
    .execute(params![
        account,
        customer.phone,
        customer.email.as_ref().map(|e| e.to_lowercase()),
        serde_json::to_string(customer)?
    ])?;
    let id = db.last_insert_rowid();
    index(db, account, id, customer)?;
    Ok(id)
}

/// Keeps the columns and the tag rows that counts are computed from in step with the body.
fn index(db: &Connection, account: i64, id: i64, customer: &Customer) -> Result<(), ApiError> {
    db.prepare_cached("UPDATE customers SET assigned_agent_id = ?2, open_chat = ?3 WHERE id = ?1")?
        .execute(params![id, customer.assigned_agent_id, customer.open_chat])?;
    db.prepare_cached("DELETE FROM customer_tags WHERE customer_id = ?1")?.execute(params![id])?;
    let mut insert = db.prepare_cached(
        "INSERT OR IGNORE INTO customer_tags (customer_id, account_id, tag) VALUES (?1, ?2, ?3)",
    )?;
    for tag in &customer.tags {
        insert.execute(params![id, account, tag])?;
    }
    Ok(())
}

/// Replaces a stored customer; 409 when its new phone or email is another's.
pub fn update(db: &Connection, account: i64, id: i64, customer: &Customer) -> Result<(), ApiError> {
    check_unique(db, account, customer, Some(id))?;
    db.prepare_cached("UPDATE customers SET phone = ?2, email_key = ?3, body = ?4 WHERE id = ?1")?
        .execute(params![
            id,
            customer.phone,
            customer.email.as_ref().map(|e| e.to_lowercase()),
            serde_json::to_string(customer)?
        ])?;
    index(db, account, id, customer)
}

fn check_unique(
    db: &Connection,
    account: i64,
    customer: &Customer,
    except: Option<i64>,
) -> Result<(), ApiError> {
    let holder: Option<i64> = db
        .prepare_cached(
            "SELECT id FROM customers WHERE account_id = ?1 \
             AND (phone = ?2 OR email_key = ?3) AND id IS NOT ?4 LIMIT 1",
        )?
        .query_row(
            params![
                account,
                customer.phone,
                customer.email.as_ref().map(|e| e.to_lowercase()),
                except
            ],
            |row| row.get(0),
        )
        .optional()?;
    match holder {
        Some(holder) => Err(ApiError::AlreadyExists(format!(
            "customer `{holder}` already has that phone or email"
        ))),
        None => Ok(()),
    }
}

/// Rewrites every customer of the account through `change`, storing those it altered.
pub fn rewrite_all(
    db: &Connection,
    account: i64,
    mut change: impl FnMut(&mut Customer) -> bool,
) -> Result<(), ApiError> {
    for mut row in all(db, account)? {
        if change(&mut row.customer) {
            db.prepare_cached("UPDATE customers SET body = ?2 WHERE id = ?1")?
                .execute(params![row.id, serde_json::to_string(&row.customer)?])?;
            index(db, account, row.id, &row.customer)?;
        }
    }
    Ok(())
}

/// Counts grouped by the first column of `sql`, which takes the account as `?1`.
fn grouped<K: rusqlite::types::FromSql + Eq + std::hash::Hash>(
    db: &Connection,
    sql: &str,
    account: i64,
) -> Result<HashMap<K, u64>, ApiError> {
    let mut statement = db.prepare_cached(sql)?;
    let counts = statement
        .query_map(params![account], |row| Ok((row.get(0)?, row.get::<_, i64>(1)? as u64)))?
        .collect::<Result<HashMap<_, _>, _>>()?;
    Ok(counts)
}

/// Open chats per assigned agent. Counted from indexed columns: it is read on every agent
/// and team list, and decoding every customer there would dominate the request.
pub fn open_chats_by_agent(db: &Connection, account: i64) -> Result<HashMap<i64, u64>, ApiError> {
    grouped(
        db,
        "SELECT assigned_agent_id, count(*) FROM customers \
         WHERE account_id = ?1 AND open_chat = 1 AND assigned_agent_id IS NOT NULL \
         GROUP BY assigned_agent_id",
        account,
    )
}

/// Customers per tag `web_id`.
pub fn tag_counts(db: &Connection, account: i64) -> Result<HashMap<String, u64>, ApiError> {
    grouped(
        db,
        "SELECT tag, count(*) FROM customer_tags WHERE account_id = ?1 GROUP BY tag",
        account,
    )
}

/// Customers with a value, per custom field key.
pub fn field_counts(db: &Connection, account: i64) -> Result<HashMap<String, u64>, ApiError> {
    grouped(
        db,
        "SELECT field.key, count(*) FROM customers, json_each(customers.body, '$.fields') AS field \
         WHERE customers.account_id = ?1 AND field.type != 'null' GROUP BY field.key",
        account,
    )
}

/// One page of the account's customers by id, and how many there are.
pub fn page(db: &Connection, account: i64, page: usize) -> Result<(usize, Vec<Row>), ApiError> {
    let total: i64 = db
        .prepare_cached("SELECT count(*) FROM customers WHERE account_id = ?1")?
        .query_row(params![account], |row| row.get(0))?;
    let mut statement = db.prepare_cached(
        "SELECT id, body FROM customers WHERE account_id = ?1 ORDER BY id LIMIT ?2 OFFSET ?3",
    )?;
    let rows = statement
        .query_map(params![account, PAGE_SIZE as i64, reply::offset(page) as i64], |row| {
            Ok((row.get::<_, i64>(0)?, row.get::<_, String>(1)?))
        })?
        .collect::<Result<Vec<_>, _>>()?;
    let rows = rows
        .into_iter()
        .map(|(id, body)| Ok(Row { id, customer: serde_json::from_str(&body)? }))
        .collect::<Result<Vec<_>, ApiError>>()?;
    Ok((total as usize, rows))
}

/// The customer in the public API's shape; `tag_names` maps tag `web_id`s to names.
pub fn public(row: &Row, tag_names: &HashMap<String, String>) -> Value {
    let customer = &row.customer;
    let tags: Vec<Value> = customer
        .tags
        .iter()
        .filter_map(|web_id| tag_names.get(web_id))
        .map(|name| json!({ "name": name, "value": true }))
        .collect();
    let fields: Vec<Value> = customer
        .fields
        .iter()
        .map(|(key, value)| json!({ "field_name": key, "field_content": value }))
        .collect();
    json!({
        "id": row.id,
        "first_name": customer.first_name,
        "last_name": customer.last_name,
        "email": customer.email,
        "phone": customer.phone,
        "channel": customer.channel,
        "assigned_agent_id": customer.assigned_agent_id,
        "open_chat": customer.open_chat,
        "created_at": clock::rfc3339(customer.created_at),
        "last_interaction_at": clock::rfc3339(customer.last_interaction_at),
        "tags": tags,
        "custom_fields": fields,
    })
}
