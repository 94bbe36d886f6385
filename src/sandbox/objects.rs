//! Storage of the contract's named objects: teams, custom fields, tags, quick replies and
//! customer lists.
//!
//! Each kind implements [`Kind`]: its names on the wire, its identity key, its rules and its
//! computed fields. The rows keep the object's JSON body next to indexed `web_id` and
//! identity columns, so uniqueness is enforced by SQLite as well as checked up front.

use rusqlite::{Connection, OptionalExtension, params};
use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::{Map, Value};

use super::reply::{self, ApiError, PAGE_SIZE};

/// What the generic handlers need to know about one kind of object.
pub trait Kind: Serialize + DeserializeOwned + Send + 'static {
    /// Plural name: the path segment, the list key and the stored kind.
    const PLURAL: &'static str;
    /// Singular name: the body wrapper and the answer key.
    const SINGULAR: &'static str;
    /// Prefix of generated `web_id`s.
    const PREFIX: &'static str;
    /// Fields computed by the server besides `web_id` and `version`; ignored in bodies.
    const COMPUTED: &'static [&'static str];

    /// Default values of a new object, before the request's fields are laid over them.
    fn template() -> Value;

    /// The identity key as compared for uniqueness (lowercased where case-insensitive).
    fn identity(&self) -> String;

    /// Checks the platform's rules for this object, as created (`before` is `None`) or as
    /// changed from `before`.
    fn check(&self, before: Option<&Self>, db: &Connection, account: i64) -> Result<(), ApiError>;

    /// Fills the computed fields of `items`.
    fn compute(items: &mut [Self], db: &Connection, account: i64) -> Result<(), ApiError>;

    /// Keeps other data consistent after `before` became `after`.
    fn after_update(
        _before: &Self,
        _after: &Self,
        _db: &Connection,
        _account: i64,
    ) -> Result<(), ApiError> {
        Ok(())
    }

    /// Refuses or prepares the removal of `self`.
    fn before_delete(&self, _db: &Connection, _account: i64) -> Result<(), ApiError> {
        Ok(())
    }
}

/// Fields a client may not set on any object.
const READ_ONLY: &[&str] = &["web_id", "id", "version"];

/// A stored object with its bookkeeping.
#[derive(Debug)]
pub struct Stored<K> {
    pub version: i64,
    pub object: K,
}

/// Every object of kind `K` in the account, oldest first.
pub fn all<K: Kind>(db: &Connection, account: i64) -> Result<Vec<K>, ApiError> {
    let mut statement = db.prepare_cached(
        "SELECT body FROM objects WHERE account_id = ?1 AND kind = ?2 ORDER BY seq",
    )?;
    let bodies = statement
        .query_map(params![account, K::PLURAL], |row| row.get::<_, String>(0))?
        .collect::<Result<Vec<_>, _>>()?;
    bodies.iter().map(|body| Ok(serde_json::from_str(body)?)).collect()
}

/// Every object of kind `K` in the account as its identity and `web_id`, read from the
/// indexed columns without decoding a body.
pub fn identities<K: Kind>(
    db: &Connection,
    account: i64,
) -> Result<Vec<(String, String)>, ApiError> {
    let mut statement = db.prepare_cached(
        "SELECT identity, web_id FROM objects WHERE account_id = ?1 AND kind = ?2",
    )?;
    let pairs = statement
        .query_map(params![account, K::PLURAL], |row| Ok((row.get(0)?, row.get(1)?)))?
        .collect::<Result<Vec<_>, _>>()?;
    Ok(pairs)
}

/// One page of the account's objects of kind `K`, oldest first, and how many there are.
pub fn page<K: Kind>(
    db: &Connection,
    account: i64,
    page: usize,
) -> Result<(usize, Vec<K>), ApiError> {
    let total: i64 = db
        .prepare_cached("SELECT count(*) FROM objects WHERE account_id = ?1 AND kind = ?2")?
        .query_row(params![account, K::PLURAL], |row| row.get(0))?;
    let mut statement = db.prepare_cached(
        "SELECT body FROM objects WHERE account_id = ?1 AND kind = ?2 ORDER BY seq \
         LIMIT ?3 OFFSET ?4",
    )?;
    let bodies = statement
        .query_map(
            params![account, K::PLURAL, PAGE_SIZE as i64, reply::offset(page) as i64],
            |row| row.get::<_, String>(0),
        )?
        .collect::<Result<Vec<_>, _>>()?;
    let items = bodies.iter().map(|body| serde_json::from_str(body)).collect::<Result<_, _>>()?;
    Ok((total as usize, items))
}

/// The object of kind `K` with this `web_id`, or a 404.
pub fn find<K: Kind>(db: &Connection, account: i64, web_id: &str) -> Result<Stored<K>, ApiError> {
    let body: Option<String> = db
        .prepare_cached(
            "SELECT body FROM objects WHERE account_id = ?1 AND kind = ?2 AND web_id = ?3",
        )?
        .query_row(params![account, K::PLURAL, web_id], |row| row.get(0))
        .optional()?;
    let body =
        body.ok_or_else(|| ApiError::NotFound(format!("{} `{web_id}` not found", K::SINGULAR)))?;
    let value: Value = serde_json::from_str(&body)?;
    let version = value.get("version").and_then(Value::as_i64).unwrap_or(1);
    Ok(Stored { version, object: serde_json::from_value(value)? })
}

/// The `web_id` of the object whose identity is `identity`, if any.
pub fn web_id_of<K: Kind>(
    db: &Connection,
    account: i64,
    identity: &str,
) -> Result<Option<String>, ApiError> {
    Ok(db
        .prepare_cached(
            "SELECT web_id FROM objects WHERE account_id = ?1 AND kind = ?2 AND identity = ?3",
        )?
        .query_row(params![account, K::PLURAL, identity], |row| row.get(0))
        .optional()?)
}

/// Refuses a list where an object belongs: serde would read a struct from a sequence of
/// its fields, so `"filter": ["city", "is_set"]` must be stopped before it gets that far.
pub fn check_shape(base: &Map<String, Value>, name: &str, value: &Value) -> Result<(), ApiError> {
    let wants_object = matches!(base.get(name), Some(Value::Object(_)))
        || matches!(name, "filter" | "permissions");
    if wants_object && value.is_array() {
        return Err(ApiError::invalid(format!("`{name}` must be an object, not a list")));
    }
    Ok(())
}

/// Builds the object a create or an update asks for: `base` with the request's writable
/// `fields` laid over it, then `web_id` and `version` set.
pub fn merge<K: Kind>(
    base: Value,
    fields: Map<String, Value>,
    web_id: &str,
    version: i64,
) -> Result<K, ApiError> {
    let mut object = match base {
        Value::Object(object) => object,
        _ => Map::new(),
    };
    for (name, value) in fields {
        if !READ_ONLY.contains(&name.as_str()) && !K::COMPUTED.contains(&name.as_str()) {
            check_shape(&object, &name, &value)?;
            object.insert(name, value);
        }
    }
    object.insert("web_id".to_owned(), Value::from(web_id));
    object.insert("version".to_owned(), Value::from(version));
    serde_json::from_value(Value::Object(object))
        .map_err(|error| ApiError::invalid(format!("invalid {}: {error}", K::SINGULAR)))
}

/// Refuses an identity already held by another object than `web_id`.
pub fn check_unique<K: Kind>(
    db: &Connection,
    account: i64,
    object: &K,
    web_id: &str,
) -> Result<(), ApiError> {
    match web_id_of::<K>(db, account, &object.identity())? {
        Some(holder) if holder != web_id => Err(ApiError::AlreadyExists(format!(
            "{} `{}` already exists as `{holder}`",
            K::SINGULAR,
            object.identity()
        ))),
        _ => Ok(()),
    }
}

/// Stores a new object. False when the `web_id` is taken (the caller draws another).
pub fn insert<K: Kind>(
    db: &Connection,
    account: i64,
    web_id: &str,
    object: &K,
) -> Result<bool, ApiError> {
    let body = serde_json::to_string(object)?;
    let inserted = db
        .prepare_cached(
            "INSERT INTO objects (account_id, kind, web_id, identity, body) \
             VALUES (?1, ?2, ?3, ?4, ?5) ON CONFLICT (account_id, kind, web_id) DO NOTHING",
        )?
        .execute(params![account, K::PLURAL, web_id, object.identity(), body])?;
    Ok(inserted == 1)
}

/// Replaces the stored body of an existing object.
pub fn replace<K: Kind>(
    db: &Connection,
    account: i64,
    web_id: &str,
    object: &K,
) -> Result<(), ApiError> {
    let body = serde_json::to_string(object)?;
    db.prepare_cached(
        "UPDATE objects SET identity = ?4, body = ?5 \
         WHERE account_id = ?1 AND kind = ?2 AND web_id = ?3",
    )?
    .execute(params![account, K::PLURAL, web_id, object.identity(), body])?;
    Ok(())
}

/// Removes an object.
pub fn remove<K: Kind>(db: &Connection, account: i64, web_id: &str) -> Result<(), ApiError> {
    db.prepare_cached("DELETE FROM objects WHERE account_id = ?1 AND kind = ?2 AND web_id = ?3")?
        .execute(params![account, K::PLURAL, web_id])?;
    Ok(())
}

/// Serializes an object for an answer.
pub fn to_json<K: Kind>(object: &K) -> Result<Value, ApiError> {
    Ok(serde_json::to_value(object)?)
}
