//! One change sent to the platform: which call it is, what it needs before it, and what
//! the object looked like before.

use std::collections::BTreeMap;

use serde::Serialize;
use serde_json::Value;

use super::executor::Outcome;
use crate::plan::{Action, Change, ObjectKind, Target, fingerprint_key};
use crate::platform::{Client, PlatformError};
use crate::state::{self, LiveState};

/// Sends one change and says how it ended.
pub async fn execute(client: &Client, change: &Change) -> Outcome {
    if change.action == Action::Manual {
        return Outcome::Manual;
    }
    let failed = |message: String| Outcome::Failed { message };
    let Some(kind) = change.kind.wire() else {
        return failed(format!("the {} cannot be changed through the API", change.kind.label()));
    };
    let target = match (&change.target, change.action) {
        (None, Action::Create) => None,
        (Some(target), _) => Some(target),
        (None, _) => {
            return failed(format!(
                "the plan names no existing {} `{}` to change",
                change.kind.label(),
                change.key
            ));
        }
    };
    let agent_id = match target {
        Some(target) if change.kind == ObjectKind::Member => match target.id.parse::<i64>() {
            Ok(id) => id,
            Err(_) => return failed(format!("`{}` is not an agent id", target.id)),
        },
        _ => 0,
    };

    match send(client, kind, change, target, agent_id).await {
        Ok(()) => Outcome::Applied,
        Err(error @ PlatformError::VersionConflict { .. }) => {
            Outcome::Conflict { message: error.to_string() }
        }
        Err(error) => failed(error.to_string()),
    }
}

async fn send(
    client: &Client,
    kind: state::ObjectKind,
    change: &Change,
    target: Option<&Target>,
    agent_id: i64,
) -> Result<(), PlatformError> {
    let empty = Value::Object(Default::default());
    let body = change.body.as_ref().unwrap_or(&empty);
    let Some(target) = target else {
        return client.create(kind, body).await.map(drop);
    };

    if kind.is_singleton() {
        return client.put_singleton(kind, target.version, body).await.map(drop);
    }
    match change.action {
        Action::Create | Action::Update | Action::Rename => {
            let mut version = target.version;
            if change.kind == ObjectKind::Member && change.reactivates() {
                let agent = client.reactivate(agent_id, version).await?;
                version = agent.get("version").and_then(Value::as_i64).unwrap_or(version + 1);
            }
            if body.as_object().is_some_and(|fields| !fields.is_empty()) {
                client.update(kind, &target.id, version, body).await?;
            }
            Ok(())
        }
        Action::Replace => {
            client.delete(kind, &target.id, target.version).await?;
            client.create(kind, body).await.map(drop)
        }
        Action::Remove if change.kind == ObjectKind::Member => {
            client.deactivate(agent_id, target.version).await.map(drop)
        }
        Action::Remove => client.delete(kind, &target.id, target.version).await.map(drop),
        Action::Manual => Ok(()),
    }
}

/// Whether `change` cannot run unless `earlier` applied: a member needs the teams it joins,
/// a customer list the tags, fields and members its filter names.
pub fn needs(change: &Change, earlier: &Change) -> bool {
    if earlier.action == Action::Remove || change.action == Action::Remove {
        return false;
    }
    let Some(body) = &change.body else { return false };
    let same = |name: &str| name.eq_ignore_ascii_case(&earlier.key);
    match (change.kind, earlier.kind) {
        (ObjectKind::Member, ObjectKind::Team) => body
            .get("teams")
            .and_then(Value::as_array)
            .is_some_and(|teams| teams.iter().filter_map(Value::as_str).any(same)),
        (
            ObjectKind::CustomerList,
            ObjectKind::Tag | ObjectKind::CustomField | ObjectKind::Member,
        ) => {
            let mut names = Vec::new();
            if let Some(filter) = body.get("filter") {
                filter_references(filter, earlier.kind, &mut names);
            }
            names.iter().any(|name| same(name))
        }
        _ => false,
    }
}

/// Collects the names of `kind` that a filter (as JSON) refers to.
fn filter_references<'a>(filter: &'a Value, kind: ObjectKind, out: &mut Vec<&'a str>) {
    let key = match kind {
        ObjectKind::Tag => "has_tag",
        ObjectKind::CustomField => "field",
        _ => "assigned_to",
    };
    match filter {
        Value::Object(map) => {
            for (name, value) in map {
                match value {
                    Value::String(text) if name == key => out.push(text),
                    Value::Array(_) | Value::Object(_) => filter_references(value, kind, out),
                    _ => {}
                }
            }
        }
        Value::Array(items) => items.iter().for_each(|item| filter_references(item, kind, out)),
        _ => {}
    }
}

/// The live object a change writes to, as JSON, for the journal.
pub fn before_image(change: &Change, live: &LiveState) -> Option<Value> {
    let id = &change.target.as_ref()?.id;
    match change.kind {
        ObjectKind::Account => to_json(live.account.as_ref()),
        ObjectKind::Member => find(&live.agents, |agent| agent.id.to_string() == *id),
        ObjectKind::Team => find(&live.teams, |team| team.web_id == *id),
        ObjectKind::CustomField => find(&live.custom_fields, |field| field.web_id == *id),
        ObjectKind::Tag => find(&live.tags, |tag| tag.web_id == *id),
        ObjectKind::QuickReply => find(&live.quick_replies, |reply| reply.web_id == *id),
        ObjectKind::CustomerList => find(&live.customer_lists, |list| list.web_id == *id),
        ObjectKind::MessagingSettings => to_json(live.messaging_settings.as_ref()),
        ObjectKind::BusinessHours => to_json(live.business_hours.as_ref()),
        ObjectKind::Balance => to_json(live.balance.as_ref()),
    }
}

fn find<T: Serialize>(items: &Option<Vec<T>>, matches: impl Fn(&T) -> bool) -> Option<Value> {
    to_json(items.iter().flatten().find(|item| matches(item)))
}

fn to_json<T: Serialize>(item: Option<&T>) -> Option<Value> {
    serde_json::to_value(item?).ok()
}

/// Why a change must not be sent because its object moved since the plan read it, given
/// the current version of every object (`fingerprints`).
pub fn stale_version(change: &Change, current: &BTreeMap<String, i64>) -> Option<String> {
    let target = change.target.as_ref()?;
    let label = change.kind.label();
    match current.get(&fingerprint_key(change.kind, &target.id)) {
        None => Some(format!("the {label} `{}` no longer exists on the account", change.key)),
        Some(&now) if now != target.version => Some(format!(
            "the {label} `{}` changed on the account since the plan was made (version {} → {now})",
            change.key, target.version
        )),
        Some(_) => None,
    }
}
