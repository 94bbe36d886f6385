//! Accounts and their API keys: the `sandbox` account made on first start, more made by the
//! `/_sandbox/accounts` tool endpoint, and the lookup of the caller behind a key.

use rusqlite::{Connection, OptionalExtension, params};

use super::db::Database;
use super::random::{Random, fresh_api_key};
use super::reply::ApiError;
use super::{SandboxConfig, SandboxError, seed};
use crate::clock;
use crate::state::Account;

/// Slug of the account made on first start.
pub const DEFAULT_SLUG: &str = "sandbox";

/// The default account's key, and whether this start generated it.
#[derive(Debug)]
pub struct DefaultKey {
    pub api_key: String,
    pub generated: bool,
}

/// The account and agent behind the API key of a request.
#[derive(Debug, Clone, Copy)]
pub struct Caller {
    pub account: i64,
    pub owner: i64,
}

/// What a new account is seeded with.
#[derive(Debug, Clone, Copy)]
pub struct Seeding {
    pub seed: u64,
    pub customers: u32,
}

/// Makes sure the `sandbox` account exists with the configured key, if one was given.
pub fn ensure_default(
    database: &Database,
    config: &SandboxConfig,
) -> Result<DefaultKey, SandboxError> {
    let fail = |error: ApiError| SandboxError::Setup { reason: error.to_string() };
    let seeding = Seeding { seed: config.seed, customers: config.seed_customers };
    let wanted = config.api_key.clone();

    database
        .write(|db| {
            let stored: Option<(i64, String)> = db
                .query_row(
                    "SELECT id, api_key FROM accounts WHERE slug = ?1",
                    params![DEFAULT_SLUG],
                    |row| Ok((row.get(0)?, row.get(1)?)),
                )
                .optional()?;
            match (stored, wanted) {
                (Some((_, key)), None) => Ok(Ok(DefaultKey { api_key: key, generated: false })),
                (Some((_, key)), Some(wanted)) if key == wanted => {
                    Ok(Ok(DefaultKey { api_key: key, generated: false }))
                }
                (Some((id, _)), Some(wanted)) => {
                    if let Some(slug) = slug_of_key(db, &wanted)? {
                        return Ok(Err(SandboxError::KeyTaken { slug }));
                    }
                    db.execute(
                        "UPDATE accounts SET api_key = ?2 WHERE id = ?1",
                        params![id, wanted],
                    )?;
                    Ok(Ok(DefaultKey { api_key: wanted, generated: false }))
                }
                (None, wanted) => {
                    if let Some(slug) =
                        wanted.as_deref().map(|k| slug_of_key(db, k)).transpose()?.flatten()
                    {
                        return Ok(Err(SandboxError::KeyTaken { slug }));
                    }
                    let generated = wanted.is_none();
                    let key = wanted.unwrap_or_else(fresh_api_key);
                    create(db, DEFAULT_SLUG, "Sandbox", &key, seeding)?;
                    Ok(Ok(DefaultKey { api_key: key, generated }))
                }
            }
        })
        .map_err(fail)?
}

fn slug_of_key(db: &Connection, key: &str) -> Result<Option<String>, ApiError> {
    Ok(db
        .query_row("SELECT slug FROM accounts WHERE api_key = ?1", params![key], |row| row.get(0))
        .optional()?)
}

/// Creates and seeds an account; 409 when the slug is taken. Returns its id.
pub fn create(
    db: &Connection,
    slug: &str,
    name: &str,
    api_key: &str,
    seeding: Seeding,
) -> Result<i64, ApiError> {
    let valid = !slug.is_empty()
        && slug.len() <= 63
        && slug.starts_with(|c: char| c.is_ascii_lowercase() || c.is_ascii_digit())
        && slug.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-');
    if !valid {
        return Err(ApiError::invalid(format!(
            "slug `{slug}` must be lowercase letters, digits and `-`"
        )));
    }
    let taken: Option<i64> = db
        .query_row("SELECT id FROM accounts WHERE slug = ?1", params![slug], |row| row.get(0))
        .optional()?;
    if taken.is_some() {
        return Err(ApiError::AlreadyExists(format!("account `{slug}` already exists")));
    }

    let mut random = Random::for_purpose(seeding.seed, slug);
    let web_id = random.web_id("a");
    let now = clock::now();
    db.execute(
        "INSERT INTO accounts (web_id, slug, name, timezone, api_key, created_at) \
         VALUES (?1, ?2, ?3, 'America/Guayaquil', ?4, ?5)",
        params![web_id, slug, name, api_key, now],
    )?;
    let id = db.last_insert_rowid();
    let owner = seed::populate(db, id, slug, &mut random, seeding.customers, now)?;
    db.execute("UPDATE accounts SET owner_id = ?2 WHERE id = ?1", params![id, owner])?;
    Ok(id)
}

/// The key of the account `slug`, creating and seeding the account when it is missing, and
/// whether it was made now.
pub fn key_for(db: &Connection, slug: &str, seeding: Seeding) -> Result<(String, bool), ApiError> {
    let stored: Option<String> = db
        .query_row("SELECT api_key FROM accounts WHERE slug = ?1", params![slug], |row| row.get(0))
        .optional()?;
    if let Some(key) = stored {
        return Ok((key, false));
    }
    let key = fresh_api_key();
    create(db, slug, slug, &key, seeding)?;
    Ok((key, true))
}

/// The caller behind `api_key`, if the key is known.
pub fn caller(db: &Connection, api_key: &str) -> Result<Option<Caller>, ApiError> {
    Ok(db
        .prepare_cached("SELECT id, owner_id FROM accounts WHERE api_key = ?1")?
        .query_row(params![api_key], |row| Ok(Caller { account: row.get(0)?, owner: row.get(1)? }))
        .optional()?)
}

/// The account as the contract shows it.
pub fn view(db: &Connection, caller: Caller, max_agents: u32) -> Result<Account, ApiError> {
    Ok(db
        .prepare_cached("SELECT web_id, slug, name, timezone FROM accounts WHERE id = ?1")?
        .query_row(params![caller.account], |row| {
            Ok(Account {
                web_id: row.get(0)?,
                slug: row.get(1)?,
                name: row.get(2)?,
                timezone: row.get(3)?,
                max_agents,
                key_owner_id: caller.owner,
                version: 1,
            })
        })?)
}

/// The account's time zone.
pub fn timezone(db: &Connection, account: i64) -> Result<String, ApiError> {
    Ok(db
        .prepare_cached("SELECT timezone FROM accounts WHERE id = ?1")?
        .query_row(params![account], |row| row.get(0))?)
}
