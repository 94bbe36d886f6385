//! Tags, matched by name case-insensitively, renamed from `renamed_from` so that customers
//! keep them. A tag without `color` in the manifest keeps the colour it has.

use std::collections::{HashMap, HashSet};

use serde_json::{Map, Value, json};

use crate::manifest::model::{Kind, Manifest, Tag};
use crate::state::{self, LiveState};

use super::change::{Action, Change, FieldChange, ObjectKind, Target};
use super::compare::{Fields, all_fields, fold};
use super::impact::Impact;
use super::{manual, prunes};

/// Appends the tag changes to `out`.
pub(super) fn diff(manifest: &Manifest, live: &LiveState, out: &mut Vec<Change>) {
    let Some(tags) = &manifest.tags else { return };
    let Some(live_tags) = &live.tags else {
        for tag in tags {
            out.push(manual::change(ObjectKind::Tag, tag.name.trim(), body(tag)));
        }
        return;
    };

    let by_name: HashMap<String, &state::Tag> =
        live_tags.iter().map(|tag| (fold(&tag.name), tag)).collect();
    let wanted: HashSet<String> = tags.iter().map(|tag| fold(&tag.name)).collect();
    let mut claimed: HashSet<&str> = HashSet::new();

    // Tags already under their name first, so a rename never takes a tag that is wanted
    // as it is.
    let mut unmatched = Vec::new();
    for tag in tags {
        match by_name.get(&fold(&tag.name)) {
            Some(live_tag) => {
                claimed.insert(&live_tag.web_id);
                out.extend(update(tag, live_tag));
            }
            None => unmatched.push(tag),
        }
    }

    for tag in unmatched {
        let old = tag.renamed_from.iter().map(|old| fold(old)).find_map(|old| {
            let live_tag = by_name.get(&old)?;
            let free = !wanted.contains(&old) && !claimed.contains(live_tag.web_id.as_str());
            free.then_some(*live_tag)
        });
        match old {
            Some(live_tag) => {
                claimed.insert(&live_tag.web_id);
                out.push(rename(tag, live_tag));
            }
            None => out.push(create(tag)),
        }
    }

    if prunes(manifest, Kind::Tags) {
        for tag in live_tags.iter().filter(|tag| !claimed.contains(tag.web_id.as_str())) {
            out.push(remove(tag));
        }
    }
}

fn body(tag: &Tag) -> Value {
    let mut body = Map::new();
    body.insert("name".into(), json!(tag.name.trim()));
    if let Some(color) = &tag.color {
        body.insert("color".into(), json!(color));
    }
    Value::Object(body)
}

fn create(tag: &Tag) -> Change {
    let body = body(tag);
    let mut change = Change::new(ObjectKind::Tag, Action::Create, tag.name.trim());
    change.fields = all_fields(&body);
    change.body = Some(body);
    change.reason = "in the manifest, not on the account".to_owned();
    change
}

/// Colours compare case-insensitively; a colour the manifest leaves out is not managed.
fn compare_color(tag: &Tag, live: &state::Tag) -> Fields {
    let mut fields = Fields::default();
    if let Some(color) = &tag.color {
        let same = live.color.as_deref().is_some_and(|live| live.eq_ignore_ascii_case(color));
        fields.compare("color", &live.color.as_deref(), &Some(color.as_str()), same);
    }
    fields
}

fn update(tag: &Tag, live: &state::Tag) -> Option<Change> {
    let fields = compare_color(tag, live);
    if fields.is_empty() {
        return None;
    }
    let mut change = Change::new(ObjectKind::Tag, Action::Update, live.name.trim());
    change.target = Some(Target { id: live.web_id.clone(), version: live.version });
    change.body = Some(Value::Object(fields.body));
    change.fields = fields.changes;
    change.reason = "differs from the manifest".to_owned();
    Some(change)
}

fn rename(tag: &Tag, live: &state::Tag) -> Change {
    let mut fields = compare_color(tag, live);
    let name = tag.name.trim();
    fields.body.insert("name".into(), json!(name));
    fields.changes.insert(0, FieldChange::new("name", live.name.as_str(), name));

    let mut change = Change::new(ObjectKind::Tag, Action::Rename, name);
    change.target = Some(Target { id: live.web_id.clone(), version: live.version });
    change.body = Some(Value::Object(fields.body));
    change.fields = fields.changes;
    change.reason =
        format!("`{}` is listed in `renamed_from`: rename it, keeping its customers", live.name);
    change
}

fn remove(tag: &state::Tag) -> Change {
    let mut change = Change::new(ObjectKind::Tag, Action::Remove, &tag.name);
    change.target = Some(Target { id: tag.web_id.clone(), version: tag.version });
    change.reason = "on the account, not in the manifest, and tags are pruned".to_owned();
    if tag.customers_count > 0 {
        change.impact.push(Impact::CustomersWithTag { customers: tag.customers_count });
    }
    change
}
