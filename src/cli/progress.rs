//! Progress of an apply on stderr: a bar on a terminal, one plain line per change elsewhere
//! (CI logs); and the closing table of every change and its outcome.

use std::io::IsTerminal;
use std::time::Duration;

use indicatif::{ProgressBar, ProgressStyle};

use crate::apply::{Observer, Outcome};
use crate::plan::Change;
use crate::render::glyph;

/// Shows each change as it ends.
pub struct Progress<'a> {
    changes: &'a [Change],
    bar: Option<ProgressBar>,
}

impl<'a> Progress<'a> {
    pub fn new(changes: &'a [Change]) -> Self {
        let bar = std::io::stderr().is_terminal().then(|| {
            let bar = ProgressBar::new(changes.len() as u64);
            let style = ProgressStyle::with_template("{bar:30} {pos}/{len} {wide_msg}")
                .unwrap_or_else(|_| ProgressStyle::default_bar());
            bar.set_style(style);
            bar.enable_steady_tick(Duration::from_millis(120));
            bar
        });
        Progress { changes, bar }
    }

    /// Removes the bar before the report is printed.
    pub fn finish(self) {
        if let Some(bar) = self.bar {
            bar.finish_and_clear();
        }
    }
}

impl Observer for Progress<'_> {
    fn started(&mut self, index: usize) {
        if let Some(bar) = &self.bar {
            bar.set_message(describe(&self.changes[index]));
        }
    }

    fn finished(&mut self, index: usize, outcome: &Outcome) {
        let line = format!("{:<9} {}", outcome_word(outcome), describe(&self.changes[index]));
        match &self.bar {
            Some(bar) => {
                bar.inc(1);
                if outcome.is_failure() {
                    bar.println(line);
                }
            }
            None => eprintln!("{line}"),
        }
    }
}

/// `+ tag `VIP``
pub fn describe(change: &Change) -> String {
    if change.kind.is_singleton() {
        return format!("{} {}", glyph(change.action), change.kind.label());
    }
    format!("{} {} `{}`", glyph(change.action), change.kind.label(), change.key)
}

pub fn outcome_word(outcome: &Outcome) -> &'static str {
    match outcome {
        Outcome::Applied => "applied",
        Outcome::Manual => "manual",
        Outcome::Conflict { .. } => "conflict",
        Outcome::Failed { .. } => "failed",
        Outcome::SkippedDependency { .. } => "skipped",
        Outcome::Interrupted => "not run",
    }
}

/// The closing table: every change, its outcome and, where it did not apply, why.
pub fn report(changes: &[Change], outcomes: &[Outcome]) -> String {
    let mut out = String::new();
    for (change, outcome) in changes.iter().zip(outcomes) {
        let why = match outcome {
            Outcome::Applied => String::new(),
            Outcome::Manual => {
                change.manual.clone().map(|place| format!(": do it in {place}")).unwrap_or_default()
            }
            Outcome::Conflict { message } | Outcome::Failed { message } => format!(": {message}"),
            Outcome::SkippedDependency { on } => {
                format!(": needs {}, which did not apply", describe(&changes[*on]))
            }
            Outcome::Interrupted => ": the run was stopped before it".to_string(),
        };
        out.push_str(&format!("{:<9} {}{why}\n", outcome_word(outcome), describe(change)));
    }

    let count = |word: &str| outcomes.iter().filter(|o| outcome_word(o) == word).count();
    let mut parts = vec![format!("{} applied", count("applied"))];
    for word in ["failed", "conflict", "skipped", "not run", "manual"] {
        let n = count(word);
        if n > 0 {
            parts.push(format!("{n} {word}"));
        }
    }
    out.push_str(&format!("\nApply: {}.\n", parts.join(", ")));
    out
}
