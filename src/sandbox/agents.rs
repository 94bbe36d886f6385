//! Agents (the manifest's members) as stored: email unique across all accounts, seats
//! counted over active agents, open chats computed from the customers.

use rusqlite::{Connection, OptionalExtension, params};

use super::customers;
use super::reply::ApiError;
use crate::state::Agent;

/// Every agent of the account, active or not, by id, with `open_chats` filled.
pub fn all(db: &Connection, account: i64) -> Result<Vec<Agent>, ApiError> {
    let mut statement =
        db.prepare_cached("SELECT body FROM agents WHERE account_id = ?1 ORDER BY id")?;
    let bodies = statement
        .query_map(params![account], |row| row.get::<_, String>(0))?
        .collect::<Result<Vec<_>, _>>()?;
    let mut agents = bodies
        .iter()
        .map(|body| Ok(serde_json::from_str(body)?))
        .collect::<Result<Vec<Agent>, ApiError>>()?;
    fill_open_chats(db, account, &mut agents)?;
    Ok(agents)
}

/// The agent with this id in the account, with `open_chats` filled, or a 404.
pub fn find(db: &Connection, account: i64, id: i64) -> Result<Agent, ApiError> {
    let body: Option<String> = db
        .prepare_cached("SELECT body FROM agents WHERE account_id = ?1 AND id = ?2")?
        .query_row(params![account, id], |row| row.get(0))
        .optional()?;
    let body = body.ok_or_else(|| ApiError::NotFound(format!("agent `{id}` not found")))?;
    let mut agent: Agent = serde_json::from_str(&body)?;
    fill_open_chats(db, account, std::slice::from_mut(&mut agent))?;
    Ok(agent)
}

fn fill_open_chats(db: &Connection, account: i64, agents: &mut [Agent]) -> Result<(), ApiError> {
    let counts = customers::open_chats_by_agent(&customers::all(db, account)?);
    for agent in agents {
        agent.open_chats = counts.get(&agent.id).copied().unwrap_or(0);
    }
    Ok(())
}

/// Refuses an email held by another agent: 409 in this account, 422 in another.
pub fn check_email(
    db: &Connection,
    account: i64,
    email: &str,
    except: Option<i64>,
) -> Result<(), ApiError> {
    let holder: Option<(i64, i64)> = db
        .prepare_cached("SELECT id, account_id FROM agents WHERE email_key = ?1")?
        .query_row(params![email.to_lowercase()], |row| Ok((row.get(0)?, row.get(1)?)))
        .optional()?;
    match holder {
        Some((id, _)) if Some(id) == except => Ok(()),
        Some((id, owner)) if owner == account => {
            Err(ApiError::AlreadyExists(format!("agent `{email}` already exists as `{id}`")))
        }
        Some(_) => {
            Err(ApiError::invalid(format!("email `{email}` belongs to a user of another account")))
        }
        None => Ok(()),
    }
}

/// Active agents of the account.
pub fn active_count(db: &Connection, account: i64) -> Result<u32, ApiError> {
    Ok(all(db, account)?.iter().filter(|agent| agent.active).count() as u32)
}

/// Stores a new agent and returns it with its id.
pub fn insert(db: &Connection, account: i64, mut agent: Agent) -> Result<Agent, ApiError> {
    check_email(db, account, &agent.email, None)?;
    db.prepare_cached("INSERT INTO agents (account_id, email_key, body) VALUES (?1, ?2, '{}')")?
        .execute(params![account, agent.email.to_lowercase()])?;
    agent.id = db.last_insert_rowid();
    save(db, &agent)?;
    Ok(agent)
}

/// Replaces a stored agent.
pub fn save(db: &Connection, agent: &Agent) -> Result<(), ApiError> {
    let mut stored = agent.clone();
    stored.open_chats = 0;
    db.prepare_cached("UPDATE agents SET email_key = ?2, body = ?3 WHERE id = ?1")?
        .execute(params![agent.id, agent.email.to_lowercase(), serde_json::to_string(&stored)?])?;
    Ok(())
}
