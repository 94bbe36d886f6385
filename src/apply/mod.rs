//! Apply: executes a plan against the account, with a journal of every change.
//!
//! # Guarantees
//! - Changes run in the plan's order, grouped into steps: tags, custom fields and teams,
//!   then members, then quick replies and customer lists, then messaging settings and
//!   balance; removals run after, bottom-up. Within a step up to `parallelism` changes run
//!   at once, all under the client's one rate limiter for the account.
//! - A change that fails does not stop independent ones; a change that needs it (a member
//!   in a team that could not be created, a list that filters on a tag that could not be
//!   created) is skipped and reported.
//! - Every write to an existing object carries the `version` the plan read (`If-Match`), and
//!   an object whose version moved since then is reported as a conflict and left alone.
//! - A write whose answer is lost is resolved by the client reading the object back, so a
//!   retry never creates a duplicate.
//! - The journal records each change's before-image as it starts and its outcome as it
//!   ends, and the run ends with `revert.yaml`, a manifest that undoes it.
//!
//! # Assumptions
//! - `live` is the state read right before the run; it supplies the before-images and the
//!   current versions a saved plan is checked against.
//!
//! # Caveats
//! - `revert.yaml` restores the kinds the run touched to their state before the run; objects
//!   of those kinds created by someone else after the run are removed by it too.
//! - A setting the manifest has no way to unset (a response-time target, a low-balance
//!   alert, an automatic message that never had a text) stays as the run left it when the
//!   account had none before.
//!
//! # Errors
//! Only a journal that cannot be created stops a run before it starts. Everything after
//! that is an outcome in the report.

pub mod executor;
pub mod journal;
mod revert;
mod write;

use std::path::PathBuf;
use std::sync::Arc;

use serde_json::Value;

use crate::plan::saved::{SavedPlan, fingerprints};
use crate::plan::{Action, Change};
use crate::platform::Client;
use crate::state::LiveState;

use executor::Step;
pub use executor::{Observer, Outcome, StopSignal};
use journal::{Entry, Journal};

/// Choices for a run.
#[derive(Debug, Clone)]
pub struct ApplyOptions {
    /// Changes run at once within a step.
    pub parallelism: usize,
    /// Where run folders are made (`.mercfg/runs`).
    pub runs_dir: PathBuf,
}

/// The end of a run: the outcome of every change, by index in the plan.
#[derive(Debug)]
pub struct Report {
    pub outcomes: Vec<Outcome>,
    /// The run's journal folder.
    pub run_dir: PathBuf,
    /// The manifest that undoes the run, when it changed anything.
    pub revert: Option<PathBuf>,
}

impl Report {
    /// True when every change applied (or was a manual step).
    pub fn succeeded(&self) -> bool {
        !self.outcomes.iter().any(Outcome::is_failure)
    }
}

/// The run folder could not be written.
#[derive(Debug, thiserror::Error, miette::Diagnostic)]
#[error("cannot write the run journal under `{dir}`")]
#[diagnostic(help(
    "apply keeps a journal of every change; make the folder writable and run again"
))]
pub struct JournalError {
    dir: String,
    #[source]
    source: std::io::Error,
}

/// Runs a plan against the account. `observer` hears of each change as it starts and ends.
pub async fn apply(
    saved: &SavedPlan,
    live: &LiveState,
    client: &Client,
    options: &ApplyOptions,
    stop: &StopSignal,
    observer: &mut dyn Observer,
) -> Result<Report, JournalError> {
    let journal_error =
        |source| JournalError { dir: options.runs_dir.display().to_string(), source };
    let journal = Journal::create(&options.runs_dir).map_err(journal_error)?;
    journal.write_file("plan.json", &saved.to_json()).map_err(journal_error)?;
    let plan = saved.plan();

    let steps = steps(&plan.changes);
    let changes: Arc<Vec<Change>> = Arc::new(plan.changes.clone());
    let before: Vec<Option<Value>> =
        plan.changes.iter().map(|change| write::before_image(change, live)).collect();
    let current = fingerprints(live);
    let stale: Vec<Option<String>> =
        plan.changes.iter().map(|change| write::stale_version(change, &current)).collect();

    let mut recorder =
        Recorder { journal, changes: &plan.changes, before: &before, inner: observer };
    let outcomes = executor::run(&steps, options.parallelism, stop, &mut recorder, |index| {
        let client = client.clone();
        let changes = changes.clone();
        let stale = stale[index].clone();
        async move {
            match stale {
                Some(message) => Outcome::Conflict { message },
                None => write::execute(&client, &changes[index]).await,
            }
        }
    })
    .await;

    let journal = recorder.journal;
    let revert = match revert::manifest(&plan, &outcomes, live, saved.api_key_env.as_deref()) {
        Some(yaml) => Some(journal.write_file("revert.yaml", &yaml).map_err(journal_error)?),
        None => None,
    };
    Ok(Report { outcomes, run_dir: journal.dir().to_path_buf(), revert })
}

/// Groups the plan's changes into steps: consecutive changes of the same dependency level
/// and the same class (renames, removals, the rest) share a step, so renames free their old
/// names before creates of the same kind run, and removals keep their bottom-up order.
fn steps(changes: &[Change]) -> Vec<Step> {
    let class = |change: &Change| match change.action {
        Action::Rename => 0,
        Action::Remove => 2,
        _ => 1,
    };

    let mut steps: Vec<Step> = Vec::with_capacity(changes.len());
    let mut level = 0;
    for (index, change) in changes.iter().enumerate() {
        if index > 0 {
            let previous = &changes[index - 1];
            if (previous.level(), class(previous)) != (change.level(), class(change)) {
                level += 1;
            }
        }
        let depends_on = (0..index)
            .filter(|&earlier| steps[earlier].level < level)
            .filter(|&earlier| write::needs(change, &changes[earlier]))
            .collect();
        steps.push(Step { level, depends_on });
    }
    steps
}

/// Writes the journal as changes start and finish, then tells the caller's observer.
struct Recorder<'a> {
    journal: Journal,
    changes: &'a [Change],
    before: &'a [Option<Value>],
    inner: &'a mut dyn Observer,
}

impl Observer for Recorder<'_> {
    fn started(&mut self, index: usize) {
        let change = &self.changes[index];
        let entry = Entry::Started {
            at: journal::now(),
            index,
            kind: change.kind.path(),
            key: &change.key,
            action: action_name(change.action),
            before: self.before[index].as_ref(),
        };
        if let Err(error) = self.journal.record(&entry) {
            tracing::error!("cannot write to the run journal: {error}");
        }
        self.inner.started(index);
    }

    fn finished(&mut self, index: usize, outcome: &Outcome) {
        let entry = Entry::Finished { at: journal::now(), index, outcome };
        if let Err(error) = self.journal.record(&entry) {
            tracing::error!("cannot write to the run journal: {error}");
        }
        self.inner.finished(index, outcome);
    }
}

/// The action as the journal and reports write it.
pub fn action_name(action: Action) -> &'static str {
    match action {
        Action::Create => "create",
        Action::Update => "update",
        Action::Rename => "rename",
        Action::Replace => "replace",
        Action::Remove => "remove",
        Action::Manual => "manual",
    }
}

/// Where run folders go, relative to the working directory.
pub const RUNS_DIR: &str = ".mercfg/runs";
