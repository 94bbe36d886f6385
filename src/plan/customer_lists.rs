//! Customer lists, matched by name. Filters compare in a canonical form where the order of
//! `all` and `any` members does not matter; a changed filter carries the live match count
//! and leaves room for the server's preview of the new one.

use std::collections::{HashMap, HashSet};

use serde_json::{Value, json};

use crate::manifest::model::{CustomerList, Filter, Kind, Manifest};
use crate::state::{self, LiveState};

use super::change::{Action, Change, ObjectKind, Target};
use super::compare::{Fields, all_fields};
use super::impact::Impact;
use super::{manual, prunes};

/// Appends the customer list changes to `out`.
pub(super) fn diff(manifest: &Manifest, live: &LiveState, out: &mut Vec<Change>) {
    let Some(lists) = &manifest.customer_lists else { return };
    let Some(live_lists) = &live.customer_lists else {
        for list in lists {
            out.push(manual::change(ObjectKind::CustomerList, list.name.trim(), body(list)));
        }
        return;
    };

    let by_name: HashMap<&str, &state::CustomerList> =
        live_lists.iter().map(|list| (list.name.trim(), list)).collect();
    for list in lists {
        match by_name.get(list.name.trim()) {
            None => out.push(create(list)),
            Some(live_list) => out.extend(update(list, live_list)),
        }
    }

    if prunes(manifest, Kind::CustomerLists) {
        let wanted: HashSet<&str> = lists.iter().map(|list| list.name.trim()).collect();
        for list in live_lists.iter().filter(|list| !wanted.contains(list.name.trim())) {
            out.push(remove(list));
        }
    }
}

/// A filter as JSON with the members of every `all` and `any` in a fixed order.
pub(crate) fn canonical(filter: &Filter) -> Value {
    let mut value = serde_json::to_value(filter).unwrap_or(Value::Null);
    sort_members(&mut value);
    value
}

fn sort_members(value: &mut Value) {
    match value {
        Value::Object(map) => {
            for (key, member) in map.iter_mut() {
                sort_members(member);
                if let ("all" | "any", Value::Array(items)) = (key.as_str(), member) {
                    items.sort_by_cached_key(|item| item.to_string());
                }
            }
        }
        Value::Array(items) => items.iter_mut().for_each(sort_members),
        _ => {}
    }
}

fn body(list: &CustomerList) -> Value {
    json!({ "name": list.name.trim(), "filter": list.filter })
}

fn create(list: &CustomerList) -> Change {
    let body = body(list);
    let mut change = Change::new(ObjectKind::CustomerList, Action::Create, list.name.trim());
    change.fields = all_fields(&body);
    change.body = Some(body);
    change.reason = "in the manifest, not on the account".to_owned();
    change.impact.push(Impact::ListMatches { before: None, after: None });
    change
}

fn update(list: &CustomerList, live: &state::CustomerList) -> Option<Change> {
    let mut fields = Fields::default();
    let (before, after) = (canonical(&live.filter), canonical(&list.filter));
    fields.compare("filter", &live.filter, &list.filter, before == after);
    if fields.is_empty() {
        return None;
    }

    let mut change = Change::new(ObjectKind::CustomerList, Action::Update, list.name.trim());
    change.target = Some(Target { id: live.web_id.clone(), version: live.version });
    change.body = Some(Value::Object(fields.body));
    change.fields = fields.changes;
    change.reason = "the filter differs from the manifest".to_owned();
    change.impact.push(Impact::ListMatches { before: Some(live.customers_count), after: None });
    Some(change)
}

fn remove(list: &state::CustomerList) -> Change {
    let mut change = Change::new(ObjectKind::CustomerList, Action::Remove, &list.name);
    change.target = Some(Target { id: list.web_id.clone(), version: list.version });
    change.reason = "on the account, not in the manifest, and customer lists are pruned".to_owned();
    change
}
