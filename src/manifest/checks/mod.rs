//! Cross-reference checks on a manifest that passed the schema: names that must exist,
//! identities that must be unique, and rules the schema cannot say (one default team per
//! channel, the admin minimum, the top-up minimum, business hours that do not overlap, time
//! zones that exist).
//!
//! Each check reports a [`Finding`] at the JSON pointer of the reference, which the loader
//! turns into a diagnostic at that line.

mod hours;
mod identity;
mod references;
mod timezone;

use super::diagnostic::Problem;
use super::model::Manifest;

/// A problem at a JSON pointer, with an optional second place ("first declared here").
#[derive(Debug)]
pub struct Finding {
    /// Where the problem is.
    pub pointer: String,
    /// What is wrong.
    pub problem: Problem,
    /// The label on the place.
    pub label: String,
    /// A related place and its label.
    pub related: Option<(String, String)>,
}

impl Finding {
    fn new(pointer: String, problem: Problem, label: impl Into<String>) -> Self {
        Self { pointer, problem, label: label.into(), related: None }
    }

    fn related(mut self, pointer: String, label: impl Into<String>) -> Self {
        self.related = Some((pointer, label.into()));
        self
    }
}

/// Runs every check and returns what they found, in no particular order.
pub fn run(manifest: &Manifest) -> Vec<Finding> {
    let mut findings = Vec::new();
    identity::check(manifest, &mut findings);
    references::check(manifest, &mut findings);
    hours::check(manifest, &mut findings);
    timezone::check(manifest, &mut findings);
    findings
}
