//! Counts of a plan's changes by action, and the one-line summary every format starts with.

use std::fmt;

use serde::{Deserialize, Serialize};

use super::change::{Action, Change};
use super::impact::thousands;

/// How many changes of each action a plan has.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Summary {
    pub add: usize,
    pub change: usize,
    pub rename: usize,
    pub replace: usize,
    pub remove: usize,
    pub manual: usize,
    /// Changes that raise possible spending.
    pub spend: usize,
    /// Changes that lose customer data.
    pub destructive: usize,
}

impl Summary {
    /// Counts `changes`.
    pub fn of(changes: &[Change]) -> Self {
        let mut summary = Summary::default();
        for change in changes {
            match change.action {
                Action::Create => summary.add += 1,
                Action::Update => summary.change += 1,
                Action::Rename => summary.rename += 1,
                Action::Replace => summary.replace += 1,
                Action::Remove => summary.remove += 1,
                Action::Manual => summary.manual += 1,
            }
            summary.spend += usize::from(change.spend);
            summary.destructive += usize::from(change.destructive);
        }
        summary
    }

    /// Total number of changes.
    pub fn total(&self) -> usize {
        self.add + self.change + self.rename + self.replace + self.remove + self.manual
    }
}

/// `Plan: 3 to add, 2 to change, 1 to remove.`, with renames, replaces and manual steps
/// named only when there are some; or the sentence saying there is nothing to do.
impl fmt::Display for Summary {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.total() == 0 {
            return write!(f, "No changes. The account matches the manifest.");
        }
        let count = |n: usize| thousands(n as u64);
        let mut parts = vec![
            format!("{} to add", count(self.add)),
            format!("{} to change", count(self.change)),
        ];
        if self.rename > 0 {
            parts.push(format!("{} to rename", count(self.rename)));
        }
        if self.replace > 0 {
            parts.push(format!("{} to replace", count(self.replace)));
        }
        parts.push(format!("{} to remove", count(self.remove)));
        if self.manual > 0 {
            parts.push(format!("{} manual", count(self.manual)));
        }
        write!(f, "Plan: {}.", parts.join(", "))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn summary_names_optional_actions_only_when_present() {
        let summary = Summary { add: 3, change: 2, remove: 1, ..Summary::default() };
        assert_eq!(summary.to_string(), "Plan: 3 to add, 2 to change, 1 to remove.");

        let summary =
            Summary { add: 3, change: 2, rename: 1, replace: 1, remove: 1, manual: 4, ..summary };
        assert_eq!(
            summary.to_string(),
            "Plan: 3 to add, 2 to change, 1 to rename, 1 to replace, 1 to remove, 4 manual."
        );

        assert_eq!(Summary::default().to_string(), "No changes. The account matches the manifest.");
    }
}
