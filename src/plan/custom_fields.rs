//! Custom fields, matched by key. The key and the type are immutable on the server, so a
//! changed type replaces the field and loses the values customers have in it.

use std::collections::{HashMap, HashSet};

use serde_json::{Value, json};

use crate::manifest::model::{CustomField, FieldType, Kind, Manifest};
use crate::state::{self, LiveState};

use super::change::{Action, Change, ObjectKind, Target};
use super::compare::{Fields, all_fields, same_set};
use super::impact::Impact;
use super::{manual, prunes};

/// Appends the custom field changes to `out`.
pub(super) fn diff(manifest: &Manifest, live: &LiveState, out: &mut Vec<Change>) {
    let Some(fields) = &manifest.custom_fields else { return };
    let Some(live_fields) = &live.custom_fields else {
        for field in fields {
            out.push(manual::change(ObjectKind::CustomField, &field.key, body(field)));
        }
        return;
    };

    let by_key: HashMap<&str, &state::CustomField> =
        live_fields.iter().map(|field| (field.key.as_str(), field)).collect();
    for field in fields {
        match by_key.get(field.key.as_str()) {
            None => out.push(create(field)),
            Some(live_field) if live_field.field_type != field.field_type => {
                out.push(replace(field, live_field));
            }
            Some(live_field) => out.extend(update(field, live_field)),
        }
    }

    if prunes(manifest, Kind::CustomFields) {
        let wanted: HashSet<&str> = fields.iter().map(|field| field.key.as_str()).collect();
        for field in live_fields.iter().filter(|field| !wanted.contains(field.key.as_str())) {
            out.push(remove(field));
        }
    }
}

/// Options are sent only for list fields, the only type that has them, in the manifest's
/// order (the order the web app offers them in), though a reordering alone is no change.
fn body(field: &CustomField) -> Value {
    let mut body = json!({
        "key": field.key,
        "name": field.name.trim(),
        "type": field.field_type,
    });
    if let (FieldType::List, Value::Object(map)) = (field.field_type, &mut body) {
        map.insert("options".into(), json!(field.options));
    }
    body
}

fn create(field: &CustomField) -> Change {
    let body = body(field);
    let mut change = Change::new(ObjectKind::CustomField, Action::Create, &field.key);
    change.fields = all_fields(&body);
    change.body = Some(body);
    change.reason = "in the manifest, not on the account".to_owned();
    change
}

fn replace(field: &CustomField, live: &state::CustomField) -> Change {
    let mut fields = compare(field, live);
    fields.compare("type", &live.field_type, &field.field_type, false);
    fields.changes.rotate_right(1);

    let mut change = Change::new(ObjectKind::CustomField, Action::Replace, &field.key);
    change.target = Some(Target { id: live.web_id.clone(), version: live.version });
    change.body = Some(body(field));
    change.fields = fields.changes;
    change.reason =
        "the type cannot change in place: delete the field and create it again".to_owned();
    change.impact.push(Impact::FieldValues { customers: live.customers_count });
    change.destructive = true;
    change
}

fn update(field: &CustomField, live: &state::CustomField) -> Option<Change> {
    let mut fields = compare(field, live);
    if fields.is_empty() {
        return None;
    }
    // The server checks options against the type, so the type travels with them.
    if fields.body.contains_key("options") {
        fields.body.insert("type".into(), json!(field.field_type));
    }

    let mut change = Change::new(ObjectKind::CustomField, Action::Update, &field.key);
    change.target = Some(Target { id: live.web_id.clone(), version: live.version });
    change.body = Some(Value::Object(fields.body));
    change.fields = fields.changes;
    change.reason = "differs from the manifest".to_owned();
    Some(change)
}

fn compare(field: &CustomField, live: &state::CustomField) -> Fields {
    let mut fields = Fields::default();
    let name = field.name.trim();
    fields.compare("name", live.name.as_str(), name, live.name.trim() == name);
    if field.field_type == FieldType::List {
        fields.compare(
            "options",
            &live.options,
            &field.options,
            same_set(&live.options, &field.options),
        );
    }
    fields
}

fn remove(field: &state::CustomField) -> Change {
    let mut change = Change::new(ObjectKind::CustomField, Action::Remove, &field.key);
    change.target = Some(Target { id: field.web_id.clone(), version: field.version });
    change.reason = "on the account, not in the manifest, and custom fields are pruned".to_owned();
    if field.customers_count > 0 {
        change.impact.push(Impact::FieldValues { customers: field.customers_count });
    }
    change
}
