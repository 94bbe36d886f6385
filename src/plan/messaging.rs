//! Messaging settings: assignment, response times and the automatic messages, one object per
//! account. Each sub-section the manifest leaves out keeps its live value; a sub-section
//! that differs is sent whole.

use serde::Serialize;
use serde_json::{Map, Value, json};

use crate::manifest::model::{Channel, Manifest, Messaging};
use crate::state::{self, LiveState, MessagingSettings};

use super::change::{Action, Change, ObjectKind, Target};
use super::compare::{Fields, same_duration, same_set, same_text, sorted};
use super::manual;

const KEY: &str = "messaging_settings";

/// Appends the messaging settings change, if any, to `out`.
pub(super) fn diff(manifest: &Manifest, live: &LiveState, out: &mut Vec<Change>) {
    let Some(messaging) = &manifest.messaging else { return };
    let desired = desired_sections(messaging);
    if desired.is_empty() {
        return;
    }
    let Some(settings) = &live.messaging_settings else {
        out.push(manual::change(ObjectKind::MessagingSettings, KEY, Value::Object(desired)));
        return;
    };

    let mut fields = Fields::default();
    let mut body = Map::new();
    for (section, after) in &desired {
        let before = live_section(settings, section);
        let section_fields = compare_section(section, &before, after);
        if !section_fields.is_empty() {
            body.insert(section.clone(), after.clone());
            fields.changes.extend(section_fields.changes);
        }
    }
    if fields.is_empty() {
        return;
    }

    let mut change = Change::new(ObjectKind::MessagingSettings, Action::Update, KEY);
    change.target = Some(Target { id: KEY.to_owned(), version: settings.version });
    change.body = Some(Value::Object(body));
    change.fields = fields.changes;
    change.reason = "differs from the manifest".to_owned();
    out.push(change);
}

fn to_json(value: impl Serialize) -> Value {
    serde_json::to_value(value).unwrap_or(Value::Null)
}

/// The managed sub-sections in the contract's shape, keyed by the contract's field name.
fn desired_sections(messaging: &Messaging) -> Map<String, Value> {
    let mut sections = Map::new();
    if let Some(assignment) = &messaging.assignment {
        let assignment = state::AssignmentSettings {
            mode: assignment.mode,
            reassign_when_agent_absent: assignment.reassign_when_agent_absent,
        };
        sections.insert("assignment".into(), to_json(assignment));
    }
    if let Some(response) = &messaging.response_time {
        let response = state::ResponseTimeSettings {
            first_reply_target: Some(response.first_reply_target.clone()),
            alert_supervisors_after: response.alert_supervisors_after.clone(),
        };
        sections.insert("response_time".into(), to_json(response));
    }
    if let Some(toggle) = &messaging.agent_name_in_replies {
        sections.insert("agent_name_in_replies".into(), json!(toggle.enabled));
    }
    for (name, message) in
        [("welcome_message", &messaging.welcome_message), ("away_message", &messaging.away_message)]
    {
        if let Some(message) = message {
            let message = state::MessageSettings {
                enabled: message.enabled,
                channels: sorted(&message.channels),
                text: message.text.trim_end().to_owned(),
            };
            sections.insert(name.into(), to_json(message));
        }
    }
    if let Some(message) = &messaging.inactivity_message {
        let message = state::InactivitySettings {
            enabled: message.enabled,
            after: Some(message.after.clone()),
            channels: sorted(&message.channels),
            text: message.text.trim_end().to_owned(),
        };
        sections.insert("inactivity_message".into(), to_json(message));
    }
    sections
}

fn live_section(settings: &MessagingSettings, section: &str) -> Value {
    match section {
        "assignment" => to_json(&settings.assignment),
        "response_time" => to_json(&settings.response_time),
        "agent_name_in_replies" => json!(settings.agent_name_in_replies),
        "welcome_message" => to_json(&settings.welcome_message),
        "away_message" => to_json(&settings.away_message),
        "inactivity_message" => to_json(&settings.inactivity_message),
        _ => Value::Null,
    }
}

/// Field by field, with each field's own notion of equal.
fn compare_section(section: &str, before: &Value, after: &Value) -> Fields {
    let mut fields = Fields::default();
    let (Value::Object(before_map), Value::Object(after_map)) = (before, after) else {
        fields.compare(section, before, after, before == after);
        return fields;
    };
    for (name, after_value) in after_map {
        let before_value = before_map.get(name).unwrap_or(&Value::Null);
        let same = match name.as_str() {
            "text" => same_text(
                before_value.as_str().unwrap_or_default(),
                after_value.as_str().unwrap_or_default(),
            ),
            "channels" => same_channels(before_value, after_value),
            "first_reply_target" | "alert_supervisors_after" | "after" => {
                same_duration(before_value.as_str(), after_value.as_str())
            }
            _ => before_value == after_value,
        };
        fields.compare(&format!("{section}.{name}"), before_value, after_value, same);
    }
    fields
}

fn same_channels(before: &Value, after: &Value) -> bool {
    let parse = |value: &Value| -> Vec<Channel> {
        serde_json::from_value(value.clone()).unwrap_or_default()
    };
    same_set(&parse(before), &parse(after))
}
