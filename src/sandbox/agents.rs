//! Agents (the manifest's members) as stored: email unique across all accounts, seats
//! counted over active agents, open chats computed from the customers.

use std::collections::HashMap;

use rusqlite::{Connection, OptionalExtension, params};

use super::customers;
use super::reply::{self, ApiError, PAGE_SIZE};
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

/// One page of the account's agents by id, with `open_chats` filled, and how many there are.
pub fn page(db: &Connection, account: i64, page: usize) -> Result<(usize, Vec<Agent>), ApiError> {
    let total: i64 = db
        .prepare_cached("SELECT count(*) FROM agents WHERE account_id = ?1")?
        .query_row(params![account], |row| row.get(0))?;
    let mut statement = db.prepare_cached(
        "SELECT body FROM agents WHERE account_id = ?1 ORDER BY id LIMIT ?2 OFFSET ?3",
    )?;
    let bodies = statement
        .query_map(params![account, PAGE_SIZE as i64, reply::offset(page) as i64], |row| {
            row.get::<_, String>(0)
        })?
        .collect::<Result<Vec<_>, _>>()?;
    let mut agents = bodies
        .iter()
        .map(|body| Ok(serde_json::from_str(body)?))
        .collect::<Result<Vec<Agent>, ApiError>>()?;
    fill_open_chats(db, account, &mut agents)?;
    Ok((total as usize, agents))
}

/// Agent ids by lowercased email.
pub fn ids_by_email(db: &Connection, account: i64) -> Result<HashMap<String, i64>, ApiError> {
    let mut statement =
        db.prepare_cached("SELECT email_key, id FROM agents WHERE account_id = ?1")?;
    let pairs = statement
        .query_map(params![account], |row| Ok((row.get(0)?, row.get(1)?)))?
        .collect::<Result<HashMap<_, _>, _>>()?;
    Ok(pairs)
}

/// Open chats per team name: the sum over the team's agents.
pub fn open_chats_by_team(db: &Connection, account: i64) -> Result<HashMap<String, u64>, ApiError> {
    let chats = customers::open_chats_by_agent(db, account)?;
    let mut statement = db.prepare_cached(
        "SELECT agents.id, team.value FROM agents, json_each(agents.body, '$.teams') AS team \
         WHERE agents.account_id = ?1",
    )?;
    let memberships = statement
        .query_map(params![account], |row| Ok((row.get::<_, i64>(0)?, row.get::<_, String>(1)?)))?
        .collect::<Result<Vec<_>, _>>()?;
    let mut teams = HashMap::new();
    for (agent, team) in memberships {
        *teams.entry(team).or_insert(0) += chats.get(&agent).copied().unwrap_or(0);
    }
    Ok(teams)
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
    let counts = customers::open_chats_by_agent(db, account)?;
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
    let active: i64 = db
        .prepare_cached(
            "SELECT count(*) FROM agents WHERE account_id = ?1 \
             AND json_extract(body, '$.active') = 1",
        )?
        .query_row(params![account], |row| row.get(0))?;
    Ok(active as u32)
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
