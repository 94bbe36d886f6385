//! The five operations shared by every named kind: list, create, get, update, delete.

use std::collections::HashMap;
use std::sync::Arc;

use axum::Extension;
use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use serde_json::Value;

use crate::sandbox::accounts::Caller;
use crate::sandbox::objects::{self, Kind};
use crate::sandbox::reply::{self, ApiError};
use crate::sandbox::routes::App;

/// Attempts at drawing a free `web_id` before giving up.
const WEB_ID_ATTEMPTS: usize = 16;

fn label<K: Kind>(web_id: &str) -> String {
    format!("{} {web_id}", K::SINGULAR.replace('_', " "))
}

/// `GET /<plural>?page=`
pub async fn list<K: Kind>(
    State(app): State<Arc<App>>,
    Extension(caller): Extension<Caller>,
    Query(query): Query<HashMap<String, String>>,
) -> Result<Response, ApiError> {
    let page = reply::page_number(&query)?;
    let (total, items) = app.db.read(|db| {
        let (total, mut items) = objects::page::<K>(db, caller.account, page)?;
        K::compute(&mut items, db, caller.account)?;
        let items = items.iter().map(objects::to_json).collect::<Result<Vec<Value>, _>>()?;
        Ok((total, items))
    })?;
    Ok(reply::page(K::PLURAL, total, items))
}

/// `GET /<plural>/{web_id}`
pub async fn get<K: Kind>(
    State(app): State<Arc<App>>,
    Extension(caller): Extension<Caller>,
    Path(web_id): Path<String>,
) -> Result<Response, ApiError> {
    let object = app.db.read(|db| {
        let mut items = [objects::find::<K>(db, caller.account, &web_id)?.object];
        K::compute(&mut items, db, caller.account)?;
        objects::to_json(&items[0])
    })?;
    Ok(reply::object(StatusCode::OK, K::SINGULAR, object))
}

/// `POST /<plural>`: 201 with the new object.
pub async fn create<K: Kind>(
    State(app): State<Arc<App>>,
    Extension(caller): Extension<Caller>,
    body: Bytes,
) -> Result<Response, ApiError> {
    let fields = reply::unwrap_body(&body, K::SINGULAR)?;
    let object = app.db.write(|db| {
        for _ in 0..WEB_ID_ATTEMPTS {
            let web_id = app.web_id(K::PREFIX);
            let object: K = objects::merge(K::template(), fields.clone(), &web_id, 1)?;
            object.check(None, db, caller.account)?;
            objects::check_unique(db, caller.account, &object, &web_id)?;
            if objects::insert(db, caller.account, &web_id, &object)? {
                let mut items = [object];
                K::compute(&mut items, db, caller.account)?;
                return objects::to_json(&items[0]);
            }
        }
        Err(ApiError::Internal("no free identifier left".to_owned()))
    })?;
    Ok(reply::object(StatusCode::CREATED, K::SINGULAR, object))
}

/// `PUT /<plural>/{web_id}` with `If-Match`: the given fields replace the stored ones.
pub async fn update<K: Kind>(
    State(app): State<Arc<App>>,
    Extension(caller): Extension<Caller>,
    Path(web_id): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, ApiError> {
    let object = app.db.write(|db| {
        let stored = objects::find::<K>(db, caller.account, &web_id)?;
        let wanted = reply::if_match(&headers)?;
        let fields = reply::unwrap_body(&body, K::SINGULAR)?;
        let before = stored.object;
        let base = serde_json::to_value(&before)?;
        let after: K = objects::merge(base, fields, &web_id, stored.version + 1)?;
        after.check(Some(&before), db, caller.account)?;
        reply::same_version(wanted, &label::<K>(&web_id), stored.version)?;

        objects::check_unique(db, caller.account, &after, &web_id)?;
        objects::replace(db, caller.account, &web_id, &after)?;
        K::after_update(&before, &after, db, caller.account)?;

        let mut items = [after];
        K::compute(&mut items, db, caller.account)?;
        objects::to_json(&items[0])
    })?;
    Ok(reply::object(StatusCode::OK, K::SINGULAR, object))
}

/// `DELETE /<plural>/{web_id}` with `If-Match`: answers the object as it was.
pub async fn delete<K: Kind>(
    State(app): State<Arc<App>>,
    Extension(caller): Extension<Caller>,
    Path(web_id): Path<String>,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    let object = app.db.write(|db| {
        let stored = objects::find::<K>(db, caller.account, &web_id)?;
        reply::check_version(&headers, &label::<K>(&web_id), stored.version)?;
        let mut items = [stored.object];
        K::compute(&mut items, db, caller.account)?;
        items[0].before_delete(db, caller.account)?;
        objects::remove::<K>(db, caller.account, &web_id)?;
        objects::to_json(&items[0])
    })?;
    Ok(reply::object(StatusCode::OK, K::SINGULAR, object))
}
