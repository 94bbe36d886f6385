//! Members: the manifest's people against the account's agents.
//!
//! A member whose role names one of `roles` becomes an agent with the role's platform `base`,
//! `profile` set to the role's name and the role's permissions; a platform role gives no
//! profile and no permissions. Removing a member deactivates the agent, so only active
//! agents can be removed, and a deactivated agent listed in the manifest is reactivated.

use std::collections::{BTreeMap, HashMap, HashSet};

use serde::Serialize;
use serde_json::Value;

use crate::manifest::model::{Kind, Manifest, Member, Permissions, PlatformRole, Role};
use crate::state::{Agent, LiveState};

use super::change::{Action, Change, FieldChange, ObjectKind, Target};
use super::compare::{Fields, all_fields, fold, same_optional_text, same_set, sorted};
use super::impact::Impact;
use super::{manual, prunes};

/// An agent as the manifest wants it: the writable fields of the contract's `Agent`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub(crate) struct DesiredAgent {
    pub email: String,
    pub first_name: String,
    pub last_name: Option<String>,
    pub role: PlatformRole,
    pub profile: Option<String>,
    pub permissions: Permissions,
    pub teams: Vec<String>,
}

impl DesiredAgent {
    /// The agent a member describes, resolving its role against the manifest's `roles`.
    pub fn from_member(member: &Member, roles: Option<&BTreeMap<String, Role>>) -> Self {
        let (role, profile, permissions) = resolve_role(&member.role, roles);
        DesiredAgent {
            email: member.email.trim().to_owned(),
            first_name: member.first_name.trim().to_owned(),
            last_name: member.last_name.as_deref().map(str::trim).map(str::to_owned),
            role,
            profile,
            permissions,
            teams: sorted(&member.teams),
        }
    }
}

/// Platform role, profile and permissions of a manifest role name. A name of `roles` wins
/// over a platform role of the same name, since the manifest defined it on purpose. A name
/// that is neither cannot pass the manifest's checks; it falls back to a plain agent.
pub(crate) fn resolve_role(
    name: &str,
    roles: Option<&BTreeMap<String, Role>>,
) -> (PlatformRole, Option<String>, Permissions) {
    if let Some(role) = roles.and_then(|roles| roles.get(name)) {
        return (role.base, Some(name.to_owned()), role.permissions.clone());
    }
    let platform = match name {
        "admin" => PlatformRole::Admin,
        "supervisor" => PlatformRole::Supervisor,
        _ => PlatformRole::Agent,
    };
    (platform, None, Permissions::default())
}

/// Appends the member changes to `out`.
pub(super) fn diff(manifest: &Manifest, live: &LiveState, out: &mut Vec<Change>) {
    let Some(members) = &manifest.members else { return };
    let roles = manifest.roles.as_ref();
    let desired: Vec<DesiredAgent> =
        members.iter().map(|member| DesiredAgent::from_member(member, roles)).collect();

    let Some(agents) = &live.agents else {
        for agent in &desired {
            out.push(manual::change(ObjectKind::Member, &agent.email, body(agent)));
        }
        return;
    };

    // An email may appear twice only if the server kept a deactivated duplicate; the
    // active one is the member.
    let mut by_email: HashMap<String, &Agent> = HashMap::new();
    for agent in agents {
        let slot = by_email.entry(fold(&agent.email)).or_insert(agent);
        if agent.active && !slot.active {
            *slot = agent;
        }
    }

    for agent in &desired {
        match by_email.get(&fold(&agent.email)) {
            None => out.push(create(agent)),
            Some(live_agent) => out.extend(update(agent, live_agent)),
        }
    }

    if prunes(manifest, Kind::Members) {
        let wanted: HashSet<String> = desired.iter().map(|agent| fold(&agent.email)).collect();
        for agent in agents.iter().filter(|agent| agent.active) {
            if !wanted.contains(&fold(&agent.email)) {
                out.push(remove(agent));
            }
        }
    }
}

fn body(agent: &DesiredAgent) -> Value {
    serde_json::to_value(agent).unwrap_or(Value::Null)
}

fn create(agent: &DesiredAgent) -> Change {
    let body = body(agent);
    let mut change = Change::new(ObjectKind::Member, Action::Create, &agent.email);
    change.fields = all_fields(&body);
    change.body = Some(body);
    change.reason = "in the manifest, not on the account: invite".to_owned();
    change
}

fn update(desired: &DesiredAgent, live: &Agent) -> Option<Change> {
    let mut fields = Fields::default();
    fields.compare(
        "first_name",
        &live.first_name,
        &desired.first_name,
        live.first_name.trim() == desired.first_name,
    );
    // A member without `last_name` keeps whatever the web app holds.
    if desired.last_name.is_some() {
        fields.compare(
            "last_name",
            &live.last_name,
            &desired.last_name,
            same_optional_text(live.last_name.as_deref(), desired.last_name.as_deref()),
        );
    }

    // Role, profile and permissions are one setting in the web app: send them together.
    let role_same = live.role == desired.role
        && same_optional_text(live.profile.as_deref(), desired.profile.as_deref())
        && live.permissions == desired.permissions;
    fields.compare("role", &live.role, &desired.role, live.role == desired.role);
    fields.compare(
        "profile",
        &live.profile,
        &desired.profile,
        same_optional_text(live.profile.as_deref(), desired.profile.as_deref()),
    );
    fields.compare(
        "permissions",
        &live.permissions,
        &desired.permissions,
        live.permissions == desired.permissions,
    );
    if !role_same {
        fields.body.insert("role".into(), serde_json::json!(desired.role));
        fields.body.insert("profile".into(), serde_json::json!(desired.profile));
        fields.body.insert("permissions".into(), serde_json::json!(desired.permissions));
    }
    let live_teams = sorted(&live.teams);
    fields.compare("teams", &live_teams, &desired.teams, same_set(&live.teams, &desired.teams));

    let mut changes = fields.changes;
    let reason = if live.active {
        "differs from the manifest"
    } else {
        // `active` is read only: apply reactivates through its own endpoint.
        changes.insert(0, FieldChange::new("active", false, true));
        "deactivated on the account, listed in the manifest: reactivate"
    };
    if changes.is_empty() {
        return None;
    }

    let mut change = Change::new(ObjectKind::Member, Action::Update, &desired.email);
    change.target = Some(Target { id: live.id.to_string(), version: live.version });
    change.body = Some(Value::Object(fields.body));
    change.fields = changes;
    change.reason = reason.to_owned();
    Some(change)
}

fn remove(agent: &Agent) -> Change {
    let mut change = Change::new(ObjectKind::Member, Action::Remove, &agent.email);
    change.target = Some(Target { id: agent.id.to_string(), version: agent.version });
    change.reason =
        "active on the account, not in the manifest: deactivate (chats and customers are kept)"
            .to_owned();
    if agent.open_chats > 0 {
        change.impact.push(Impact::MemberOpenChats { chats: agent.open_chats });
    }
    change
}
