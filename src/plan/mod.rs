//! The plan: a pure diff of the manifest against the live state, its ordering and safety rails.
//!
//! [`diff`] turns a resolved [`Manifest`] and a [`LiveState`] into a [`Plan`]: an ordered
//! list of [`Change`]s that carries everything apply needs and everything a reviewer
//! reads. It does no I/O. A section the manifest leaves out is not looked at; a kind the
//! server does not offer (its live list is `None`) becomes manual steps. [`rails::check`]
//! then says whether the plan may run, and [`saved::SavedPlan`] keeps it for a later apply.

mod account;
mod balance;
mod business_hours;
mod change;
mod compare;
mod custom_fields;
mod customer_lists;
pub mod export;
mod impact;
mod manual;
mod members;
mod messaging;
mod order;
mod quick_replies;
pub mod rails;
pub mod saved;
mod summary;
mod tags;
mod teams;

#[cfg(test)]
pub(crate) mod fixture;
#[cfg(test)]
mod tests;

use std::collections::HashSet;

use serde::{Deserialize, Serialize};

use crate::manifest::model::{Filter, FilterNode, Kind, Manifest};
use crate::state::LiveState;

pub use change::{Action, Change, FieldChange, ObjectKind, Target, fingerprint_key};
pub use impact::{Impact, thousands};
pub use manual::place as manual_place;
pub use summary::Summary;

/// Choices of the person running the plan, from the command line.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct PlanOptions {
    /// Destructive replaces may run (`--allow-destroy`).
    pub allow_destroy: bool,
    /// Changes that raise possible spending may run (`--allow-spend-increase`).
    pub allow_spend_increase: bool,
}

/// The changes that make the account match the manifest, in execution order.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Plan {
    pub changes: Vec<Change>,
}

impl Plan {
    /// True when the account already matches the manifest.
    pub fn is_empty(&self) -> bool {
        self.changes.is_empty()
    }

    /// Counts of the changes by action.
    pub fn summary(&self) -> Summary {
        Summary::of(&self.changes)
    }

    /// Customer list changes whose new match count the caller should ask the server's
    /// preview for: the index of each change, and the filter to preview.
    ///
    /// A filter that names a tag, custom field or member this plan creates is left out: the
    /// server does not know the name yet and would refuse the preview, so its count stays
    /// unknown either way, and a plan for a new account saves one request per list.
    pub fn previews_needed(&self) -> Vec<(usize, Filter)> {
        let introduced: HashSet<(ObjectKind, String)> = self
            .changes
            .iter()
            .filter(|change| change.action == Action::Create)
            .map(|change| (change.kind, change.key.to_lowercase()))
            .collect();
        self.changes
            .iter()
            .enumerate()
            .filter(|(_, change)| {
                change.kind == ObjectKind::CustomerList
                    && change
                        .impact
                        .iter()
                        .any(|impact| matches!(impact, Impact::ListMatches { after: None, .. }))
            })
            .filter_map(|(index, change)| {
                let filter = change.body.as_ref()?.get("filter")?.clone();
                Some((index, serde_json::from_value(filter).ok()?))
            })
            .filter(|(_, filter)| introduced.is_empty() || !names_any(filter, &introduced))
            .collect()
    }

    /// Records the server's preview count for the change at `index`. Returns false when
    /// that change has no match count to fill.
    pub fn set_preview(&mut self, index: usize, count: u64) -> bool {
        let Some(change) = self.changes.get_mut(index) else { return false };
        let mut set = false;
        for impact in &mut change.impact {
            if let Impact::ListMatches { after, .. } = impact {
                *after = Some(count);
                set = true;
            }
        }
        set
    }
}

/// Compares the manifest with the live state and returns the changes in execution order.
///
/// `options` do not change what is planned (the rails read them); they are taken here so
/// that the plan and the rails see the same choices.
pub fn diff(manifest: &Manifest, live: &LiveState, options: &PlanOptions) -> Plan {
    let _ = options;
    let mut changes = Vec::new();
    account::diff(manifest, live, &mut changes);
    tags::diff(manifest, live, &mut changes);
    custom_fields::diff(manifest, live, &mut changes);
    teams::diff(manifest, live, &mut changes);
    members::diff(manifest, live, &mut changes);
    quick_replies::diff(manifest, live, &mut changes);
    customer_lists::diff(manifest, live, &mut changes);
    messaging::diff(manifest, live, &mut changes);
    business_hours::diff(manifest, live, &mut changes);
    balance::diff(manifest, live, &mut changes);

    order::sort(&mut changes);
    tracing::debug!(changes = changes.len(), "planned");
    Plan { changes }
}

/// Whether `filter` names a tag, custom field or member of `names` (lowercase keys).
fn names_any(filter: &Filter, names: &HashSet<(ObjectKind, String)>) -> bool {
    let named = |kind: ObjectKind, name: &str| names.contains(&(kind, name.to_lowercase()));
    match filter {
        Filter::Field(condition) => named(ObjectKind::CustomField, &condition.field),
        Filter::Node(FilterNode::All(items) | FilterNode::Any(items)) => {
            items.iter().any(|item| names_any(item, names))
        }
        Filter::Node(FilterNode::Not(inner)) => names_any(inner, names),
        Filter::Node(FilterNode::HasTag(tag)) => named(ObjectKind::Tag, tag),
        Filter::Node(FilterNode::AssignedTo(email)) => named(ObjectKind::Member, email),
        Filter::Node(
            FilterNode::Channel(_)
            | FilterNode::CreatedWithin(_)
            | FilterNode::LastInteractionWithin(_),
        ) => false,
    }
}

/// Whether `policy.prune` lists `kind`.
fn prunes(manifest: &Manifest, kind: Kind) -> bool {
    manifest.policy.as_ref().is_some_and(|policy| policy.prune.contains(&kind))
}

#[cfg(test)]
mod preview_tests {
    use serde_json::json;

    use super::*;

    fn list(name: &str, filter: serde_json::Value) -> Change {
        let mut change = Change::new(ObjectKind::CustomerList, Action::Create, name);
        change.body = Some(json!({ "name": name, "filter": filter }));
        change.impact = vec![Impact::ListMatches { before: None, after: None }];
        change
    }

    #[test]
    fn filters_naming_what_the_plan_creates_are_not_previewed() {
        let plan = Plan {
            changes: vec![
                Change::new(ObjectKind::Tag, Action::Create, "Nueva"),
                Change::new(ObjectKind::Member, Action::Create, "Ana@Andina.ec"),
                list("por etiqueta", json!({ "all": [{ "not": { "has_tag": "nueva" } }] })),
                list("por agente", json!({ "any": [{ "assigned_to": "ana@andina.ec" }] })),
                list("existente", json!({ "has_tag": "VIP" })),
            ],
        };
        let previewed: Vec<usize> = plan.previews_needed().into_iter().map(|(i, _)| i).collect();
        assert_eq!(previewed, [4]);
    }
}
