//! Execution order: creates, renames, replaces and updates top-down through the
//! dependency levels, removals bottom-up after them, so nothing refers to an object that
//! does not exist yet or any more.

use std::cmp::Ordering;

use super::change::{Action, Change};
use super::compare::fold;

/// Sorts `changes` into execution order. Deterministic: within a kind and action, changes
/// are ordered by key, case-insensitively first.
pub(crate) fn sort(changes: &mut [Change]) {
    changes.sort_by(compare);
}

fn compare(a: &Change, b: &Change) -> Ordering {
    let removal = |change: &Change| change.action == Action::Remove;
    removal(a)
        .cmp(&removal(b))
        .then_with(|| {
            if removal(a) {
                b.level().cmp(&a.level()).then_with(|| b.kind.rank().cmp(&a.kind.rank()))
            } else {
                a.level().cmp(&b.level()).then_with(|| a.kind.rank().cmp(&b.kind.rank()))
            }
        })
        .then_with(|| a.action.rank().cmp(&b.action.rank()))
        .then_with(|| fold(&a.key).cmp(&fold(&b.key)))
        .then_with(|| a.key.cmp(&b.key))
}
