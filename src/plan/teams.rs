//! Teams, matched by name. Channel lists compare as sets; a team left without
//! `max_open_chats_per_agent` in the manifest keeps whatever limit the server has.

use std::collections::{HashMap, HashSet};

use serde_json::{Value, json};

use crate::manifest::model::{Kind, Manifest, Team};
use crate::state::{self, LiveState};

use super::change::{Action, Change, ObjectKind, Target};
use super::compare::{Fields, all_fields, same_set, sorted};
use super::impact::Impact;
use super::{manual, prunes};

/// Appends the team changes to `out`.
pub(super) fn diff(manifest: &Manifest, live: &LiveState, out: &mut Vec<Change>) {
    let Some(teams) = &manifest.teams else { return };
    let Some(live_teams) = &live.teams else {
        for team in teams {
            out.push(manual::change(ObjectKind::Team, &team.name, body(team)));
        }
        return;
    };

    let by_name: HashMap<&str, &state::Team> =
        live_teams.iter().map(|team| (team.name.trim(), team)).collect();
    for team in teams {
        match by_name.get(team.name.trim()) {
            None => out.push(create(team)),
            Some(live_team) => out.extend(update(team, live_team)),
        }
    }

    if prunes(manifest, Kind::Teams) {
        let wanted: HashSet<&str> = teams.iter().map(|team| team.name.trim()).collect();
        for team in live_teams.iter().filter(|team| !wanted.contains(team.name.trim())) {
            out.push(remove(team));
        }
    }
}

fn body(team: &Team) -> Value {
    let mut body = json!({
        "name": team.name.trim(),
        "channels": sorted(&team.channels),
        "default_for": sorted(&team.default_for),
        "auto_assign": team.auto_assign,
    });
    if let (Some(limit), Value::Object(map)) = (team.max_open_chats_per_agent, &mut body) {
        map.insert("max_open_chats_per_agent".into(), json!(limit));
    }
    body
}

fn create(team: &Team) -> Change {
    let body = body(team);
    let mut change = Change::new(ObjectKind::Team, Action::Create, team.name.trim());
    change.fields = all_fields(&body);
    change.body = Some(body);
    change.reason = "in the manifest, not on the account".to_owned();
    change
}

fn update(team: &Team, live: &state::Team) -> Option<Change> {
    let mut fields = Fields::default();
    fields.compare(
        "channels",
        &sorted(&live.channels),
        &sorted(&team.channels),
        same_set(&live.channels, &team.channels),
    );
    fields.compare(
        "default_for",
        &sorted(&live.default_for),
        &sorted(&team.default_for),
        same_set(&live.default_for, &team.default_for),
    );
    let same_auto_assign = live.auto_assign == team.auto_assign;
    fields.compare("auto_assign", &live.auto_assign, &team.auto_assign, same_auto_assign);
    if let Some(limit) = team.max_open_chats_per_agent {
        fields.compare(
            "max_open_chats_per_agent",
            &live.max_open_chats_per_agent,
            &Some(limit),
            live.max_open_chats_per_agent == Some(limit),
        );
    }
    if fields.is_empty() {
        return None;
    }

    let mut change = Change::new(ObjectKind::Team, Action::Update, team.name.trim());
    change.target = Some(Target { id: live.web_id.clone(), version: live.version });
    change.body = Some(Value::Object(fields.body));
    change.fields = fields.changes;
    change.reason = "differs from the manifest".to_owned();
    Some(change)
}

fn remove(team: &state::Team) -> Change {
    let mut change = Change::new(ObjectKind::Team, Action::Remove, &team.name);
    change.target = Some(Target { id: team.web_id.clone(), version: team.version });
    change.reason = "on the account, not in the manifest, and teams are pruned".to_owned();
    if team.open_chats > 0 {
        change.impact.push(Impact::TeamOpenChats { chats: team.open_chats });
    }
    change
}
