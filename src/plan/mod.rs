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

use serde::{Deserialize, Serialize};

use crate::manifest::model::{Filter, Kind, Manifest};
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
    pub fn previews_needed(&self) -> Vec<(usize, Filter)> {
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

/// Whether `policy.prune` lists `kind`.
fn prunes(manifest: &Manifest, kind: Kind) -> bool {
    manifest.policy.as_ref().is_some_and(|policy| policy.prune.contains(&kind))
}
